"""The Collections page: the worklist and its filters, a customer's records written through the
forms, its documents, and the dunning run sent to a real SMTP server from the page.

The small company of tests/collections/conftest.py is worked out there by hand: at 2026-06-30
C1 has invoices at the courtesy, reminder, second reminder and final stages, C2 one at the
warning stage, C3 one at the reminder and one at the legal stage (no email address).
"""

from __future__ import annotations

import os
from datetime import date

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from creditdash.auth import LOCAL
from creditdash.collections import records
from creditdash.importing import import_sources
from creditdash.ingest import Source
from creditdash.risk.policy import default_policy
from creditdash.risk.policy_store import save_policy
from creditdash.store import open_store
from tests.app.conftest import APP, TIMEOUT
from tests.app.test_viewer import signed_in_as_viewer
from tests.collections.conftest import CUSTOMERS_CSV, LEDGER_CSV
from tests.collections.smtp import MailServer

PAGE = "pages/collections.py"
SENDER = "Credit <credit@seller.cn>"
# an invoice of C4 dated 2026-06-30, not due for a month (no stage): the sidebar's as-of date,
# the ledger's last date, is then the date the company's stages are worked out at
LEDGER = LEDGER_CSV + "I51,C4,2026-06-30,2026-07-30,100.00,\n"


def open_page(at) -> AppTest:
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit(at, form: str) -> AppTest:
    """Click the submit button of `form` (a form's button has a key Streamlit makes up)."""
    [button] = [b for b in at.button if (b.key or "").startswith(f"FormSubmitter:{form}-")]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def keyed(at, key: str):
    """The dataframe with widget key `key` (a table with a selection is a widget)."""
    found = [d for d in at.dataframe if key in (d.proto.id or "")]
    return found[0].value if found else None


def in_tab(at, label: str):
    """The table in the customer's tab `label` (None when the tab shows none)."""
    tab = next(t for t in at.tabs if t.label == label)
    return tab.dataframe[0].value if tab.dataframe else None


@pytest.mark.parametrize("data", ["demo", "empty"])
def test_the_page_runs_on_the_demo_and_on_an_empty_database(request, data):
    at = open_page(request.getfixturevalue(f"{data}_app"))
    if data == "empty":
        assert any("No receivables yet" in i.value for i in at.info)
        return
    assert at.title[0].value == "Collections"
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Customers to work"] == f"{len(keyed(at, 'coll_table')):,}" != "0"
    assert {"Overdue", "Expected loss", "Balance", "Promise-keeping rate"} <= set(tiles)
    assert all(m.help for m in at.metric)  # every figure says what it is
    # the worklist's key columns first, ordered by priority
    rows = keyed(at, "coll_table")
    assert list(rows["priority"]) == list(range(1, len(rows) + 1))
    assert at.selectbox(key="coll_customer").value == rows["customer_id"].iloc[0]


def test_the_page_opens_in_chinese(demo_app):
    demo_app.query_params["lang"] = "zh"
    at = open_page(demo_app)
    assert at.title[0].value == "催收工作台"
    assert "待催收客户" in {m.label for m in at.metric}


def test_filters_change_the_rows(demo_app):
    at = open_page(demo_app)
    everyone = keyed(at, "coll_table")
    at.selectbox(key="coll_grade").set_value("E").run()
    assert not at.exception
    graded = keyed(at, "coll_table")
    assert 0 < len(graded) < len(everyone) and set(graded["grade"]) == {"E"}
    assert at.selectbox(key="coll_customer").value == graded["customer_id"].iloc[0]
    region = graded["region"].iloc[0]
    at.selectbox(key="coll_region").set_value(region).run()
    both = keyed(at, "coll_table")
    assert set(both["region"]) == {region} and len(both) <= len(graded)
    at.selectbox(key="coll_grade").set_value("All").run()
    assert len(keyed(at, "coll_table")) == sum(everyone["region"] == region)


def test_a_promise_a_contact_and_a_dispute_written_through_the_forms(demo_app):
    at = open_page(demo_app)
    customer = at.selectbox(key="coll_customer").value
    # more than the customer pays on the as-of date, the promise's first day: still pending
    at.number_input(key="coll_promise_amount").set_value(99_000_000.5)
    at.date_input(key="coll_promise_date").set_value(date(2026, 12, 11))
    at.text_area(key="coll_promise_note").set_value("CFO on the phone")
    submit(at, "coll_promise")
    assert any("Promise #1 recorded" in t.value for t in at.toast)
    promises = in_tab(at, "Promises")
    assert list(promises["amount"]) == [99_000_000.5] and list(promises["status"]) == ["Pending"]
    assert list(promises["invoice_ids"]) == ["whole account"]

    at.text_input(key="coll_contact_outcome").set_value("will pay next week")
    submit(at, "coll_contact")
    assert list(in_tab(at, "Contacts")["outcome"]) == ["will pay next week"]

    invoice = at.selectbox(key="coll_dispute_invoice").options[0]
    at.selectbox(key="coll_dispute_reason").set_value("quality")
    submit(at, "coll_dispute")
    disputes = in_tab(at, "Disputes")
    assert list(disputes["invoice_id"]) == [invoice] and list(disputes["resolution"]) == ["Open"]
    at.radio(key="coll_resolve_outcome").set_value("credit")
    submit(at, "coll_resolve")
    assert list(in_tab(at, "Disputes")["resolution"]) == ["Credit note"]

    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    stored = records.promises(engine)
    assert stored["customer_id"].iloc[0] == customer
    assert stored["amount_cents"].iloc[0] == 9_900_000_050
    assert stored["recorded_by"].iloc[0] == LOCAL.who
    assert records.contacts(engine)["kind"].iloc[0] == "call"
    engine.dispose()


def test_a_refused_write_says_why_and_writes_nothing(demo_app):
    at = open_page(demo_app)
    at.number_input(key="coll_promise_amount").set_value(0.0)
    submit(at, "coll_promise")
    assert any("`amount` must be a positive whole number of cents" in e.value for e in at.error)
    at.text_input(key="coll_contact_outcome").set_value("   ")
    submit(at, "coll_contact")
    assert any("`outcome` must not be empty" in e.value for e in at.error)
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    assert records.promises(engine).empty and records.contacts(engine).empty
    engine.dispose()


def test_a_viewer_may_look_but_every_form_is_disabled(demo_app):
    at = open_page(signed_in_as_viewer(demo_app))
    assert any("To record contacts, promises and disputes you need the analyst role" in c.value
               for c in at.caption)  # fmt: skip
    forms = [b for b in at.button if (b.key or "").startswith("FormSubmitter:coll_")]
    assert len(forms) == 3 and all(b.disabled for b in forms)
    assert at.text_input(key="coll_contact_outcome").disabled
    assert at.download_button  # documents are a view: a viewer may download them


@pytest.fixture
def company_app(monkeypatch, tmp_path):
    """The app on the small company, with a mail server on 127.0.0.1 configured (not run)."""
    engine = open_store(f"sqlite:///{tmp_path / 'company.sqlite'}")
    import_sources(engine, [Source("customers.csv", CUSTOMERS_CSV.encode()),
                            Source("ledger.csv", LEDGER.encode())])  # fmt: skip
    # one strategy (the standard one) for every grade, as the stages were worked out by hand
    policy = default_policy()
    policy["dunning"]["strategies"] = policy["dunning"]["strategies"][-1:]
    save_policy(engine, policy, LOCAL, "standard dunning for all")
    engine.dispose()
    with MailServer(tmp_path) as mail:
        monkeypatch.setenv("CREDITDASH_DB_URL", f"sqlite:///{tmp_path / 'company.sqlite'}")
        monkeypatch.setenv("CREDITDASH_DEMO", "0")
        monkeypatch.setenv("CREDITDASH_SMTP_URL", mail.url)
        monkeypatch.setenv("CREDITDASH_SMTP_FROM", SENDER)
        monkeypatch.setenv("CREDITDASH_LETTERHEAD", "上海某某有限公司 | 上海市某路 1 号")
        st.cache_resource.clear()
        st.cache_data.clear()
        yield AppTest.from_file(APP, default_timeout=TIMEOUT), mail


def at_june_30(at) -> AppTest:
    """The page at 2026-06-30 (the ledger's last date) with the dry run shown."""
    open_page(at)
    assert at.caption[0].value.startswith("As of 2026-06-30 · dunning by credit policy v2")
    at.toggle(key="coll_run_preview").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plan_table(at):
    return next(d.value for d in at.dataframe if {"subject", "to"} <= set(d.value.columns))


def test_the_dry_run_lists_what_would_go_out_and_the_page_sends_it(company_app):
    at, mail = company_app
    at = at_june_30(at)
    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["Messages"], tiles["Emails"], tiles["Letters"]) == ("8", "6", "2")
    assert tiles["Emails without address"] == "1"  # C3
    plan = plan_table(at)
    assert sorted(zip(plan["customer"], plan["stage"], plan["channel"], strict=True))[:2] == [
        ("C1", "Courtesy reminder", "E-mail"), ("C1", "Final notice", "E-mail")]  # fmt: skip
    assert not mail.inbox.arrived  # a dry run sends nothing
    assert at.button(key="coll_send").disabled  # until the dry run is confirmed
    at.checkbox(key="coll_send_sure").check().run()
    at.button(key="coll_send").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Sent 5, failed 1" in s.value for s in at.success)
    assert len(mail.inbox.arrived) == 5
    subjects = {a.message["Subject"] for a in mail.inbox.arrived}
    assert "最后催款通知：请于 2026年7月7日 前支付 ¥4,040.11" in subjects
    # what is left: the two letters to post and C3's email, which failed and comes back
    assert {m.label: m.value for m in at.metric}["Messages"] == "3"
    assert not at.checkbox(key="coll_send_sure").value


def test_the_letters_to_post_download_from_the_dry_run(company_app):
    """C1's final notice and C3's hand-over to legal go by post: one ZIP, built on click
    (its files and languages: tests/collections/test_dunning.py); a viewer may download it."""
    at, _ = company_app
    at = at_june_30(signed_in_as_viewer(at))
    [button] = [b for b in at.download_button if b.key == "coll_dl_letters"]
    assert button.label in ("Letters to post (2, PDF, ZIP)", "Letters to post (2, XLSX, ZIP)")
    assert not button.disabled
    assert any("The ZIP holds the 2 letter(s) to post" in c.value for c in at.caption)
    assert at.button(key="coll_posted").disabled  # a viewer may not record them as posted


def test_letters_posted_by_hand_are_recorded_from_the_page_and_leave_the_run(company_app):
    at, mail = company_app
    at = at_june_30(at)
    assert at.button(key="coll_posted").label == "Record the 2 letter(s) as posted"
    at.button(key="coll_posted").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("2 letter(s) recorded as posted, 0 already" in s.value for s in at.success)
    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["Messages"], tiles["Letters"]) == ("6", "0")
    assert not [b for b in at.download_button if b.key == "coll_dl_letters"]
    assert not mail.inbox.arrived  # recording the letters sends nothing


def test_a_viewer_cannot_send_the_run(company_app):
    at, _ = company_app
    at = at_june_30(signed_in_as_viewer(at))
    assert at.button(key="coll_send").disabled and at.checkbox(key="coll_send_sure").disabled
    assert any("To send statements and dunning letters you need the analyst role" in c.value
               for c in at.caption)  # fmt: skip


def test_without_a_mail_server_there_is_no_send_button(demo_app):
    at = open_page(demo_app)
    at.toggle(key="coll_run_preview").set_value(True).run()
    assert not at.exception
    assert not [b for b in at.button if b.key == "coll_send"]
    assert any("Sending needs the company's mail server" in c.value for c in at.caption)


def test_every_word_the_page_builds_is_in_both_catalogues():
    """Keys the page makes at run time (`named("coll.stage", ...)`, tiles, headers)."""
    from creditdash import i18n
    from creditdash.collections.dunning import STATUSES
    from creditdash.collections.promises import PROMISE_STATES
    from creditdash.collections.records import CONTACT_KINDS, DISPUTE_REASONS, RESOLUTIONS
    from creditdash.collections.stages import CHANNELS
    from creditdash.collections.worklist import WORKLIST_COLUMNS
    from creditdash.review.collections import REVIEW_COLUMNS
    from creditdash.risk.dunning import DEFAULT_DUNNING, STAGE_ACTIONS

    stages = {s["id"] for strategy in DEFAULT_DUNNING["strategies"] for s in strategy["stages"]}
    families = {
        "coll.action": STAGE_ACTIONS, "coll.channel": CHANNELS, "coll.kind": CONTACT_KINDS,
        "coll.promise": PROMISE_STATES, "coll.reason": DISPUTE_REASONS,
        "coll.resolution": [*RESOLUTIONS, "open", *(f"{r}.long" for r in RESOLUTIONS)],
        "coll.status": [*STATUSES, "skipped"], "coll.stage": stages,
        "coll.filter": ["collector", "salesperson", "region", "grade",
                        *(f"{f}.help" for f in ("collector", "salesperson", "region", "grade"))],
        "coll.tile": ["customers", "overdue", "expected_loss", "disputed", "broken_promises",
                      "due_now"],
        "coll.ctile": ["balance", "overdue", "disputed", "charges", "keeping_rate", "next_stage"],
        "coll.rtile": ["messages", "customers", "emails", "no_address", "letters", "tasks"],
        "coll.tab": ["items", "contacts", "promises", "disputes", "sent"],
        "coll.form": ["contact", "promise", "dispute", "resolve"],
        # the worklist's shown columns (money without _cents) and the review's tables
        "coll.col": [c.removesuffix("_cents") for c in WORKLIST_COLUMNS
                     if c not in ("weighted_overdue", "broken_promise")],
        "review.col": [c.removesuffix("_cents") + ("_amount" if c.endswith("_cents") else "")
                       for c in REVIEW_COLUMNS if c != "group"],
        "review.coll.tile": ["promises_made", "kept", "broken", "disputes_opened",
                             "disputes_resolved", "disputes_open"],
    }  # fmt: skip
    families["coll.def"] = families["coll.tile"]
    families["coll.cdef"] = families["coll.ctile"]
    families["coll.rdef"] = families["coll.rtile"]
    families["review.coll.def"] = families["review.coll.detail"] = families["review.coll.tile"]
    wanted = {f"{family}.{name}" for family, names in families.items() for name in names}
    for lang in i18n.LANGS:
        assert sorted(wanted - set(i18n.catalogue(lang))) == [], lang


def signed_in_as(at, role: str) -> AppTest:
    """Signed in as vic@x.cn with `role`; ann@x.cn is an analyst (a user who may collect)."""
    from creditdash.auth import set_role

    at = signed_in_as_viewer(at)
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    set_role(engine, LOCAL, "vic@x.cn", role)
    set_role(engine, LOCAL, "ann@x.cn", "analyst")
    engine.dispose()
    return at


def assigned(at):
    """The table of who collects from each customer."""
    return next(d.value for d in at.dataframe if "own_collector" in d.value.columns)


def test_a_credit_manager_assigns_collectors_and_a_letter_language(demo_app):
    from creditdash.audit import audit_log

    at = open_page(signed_in_as(demo_app, "credit_manager"))
    # the users whose role may record collections, sorted; nobody first
    assert at.selectbox(key="coll_assign_collector").options == [
        "nobody", "ann@x.cn", "boss@x.cn", "vic@x.cn"]  # fmt: skip
    at.radio(key="coll_assign_scope").set_value("salesperson").run()
    salesperson = at.selectbox(key="coll_assign_salesperson").value
    at.selectbox(key="coll_assign_collector").set_value("ann@x.cn")
    at.button(key="coll_assign_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"Saved for {salesperson}" in t.value for t in at.toast)
    table = assigned(at)
    theirs = table[table["salesperson"] == salesperson]
    assert len(theirs) and set(theirs["collector"]) == {"ann@x.cn"}
    assert "ann@x.cn" in at.selectbox(key="coll_collector").options  # the worklist's filter

    at.radio(key="coll_assign_scope").set_value("customer").run()
    customer = at.selectbox(key="coll_assign_customer").value
    at.selectbox(key="coll_assign_collector").set_value("vic@x.cn")
    at.selectbox(key="coll_assign_language").set_value("en")
    at.button(key="coll_assign_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    row = assigned(at).set_index("customer_id").loc[customer]
    assert (row["collector"], row["own_collector"], row["language"]) == (
        "vic@x.cn", "vic@x.cn", "English")  # fmt: skip

    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    stored = records.assignments(engine).set_index(["scope", "key"])
    assert stored.loc[("salesperson", salesperson), "collector"] == "ann@x.cn"
    assert tuple(stored.loc[("customer", customer), ["collector", "language"]]) == (
        "vic@x.cn", "en")  # fmt: skip
    trail = audit_log(engine, action="collection_assignment")
    assert len(trail) == 3 and set(trail["who"]) == {"vic@x.cn"}  # collector, then language
    engine.dispose()


def test_a_viewer_sees_who_collects_but_cannot_assign(demo_app):
    at = open_page(signed_in_as_viewer(demo_app))
    assert at.button(key="coll_assign_save").disabled
    assert at.selectbox(key="coll_assign_collector").disabled
    assert at.radio(key="coll_assign_scope").disabled
    assert any("To assign collectors you need the credit manager role" in c.value
               for c in at.caption)  # fmt: skip
    assert len(assigned(at))  # the view is open to everyone
