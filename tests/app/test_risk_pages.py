"""Customer risk and Credit policy pages: run on demo and empty data; widgets do their job."""

from __future__ import annotations

import os

import pytest

from creditdash import i18n
from creditdash.risk.policy_store import current_policy, policy_versions
from creditdash.risk.requests import list_requests
from creditdash.store import open_store

RISK, POLICY = "pages/risk.py", "pages/policy.py"


def run_page(at, page: str):
    at.run()
    at.switch_page(page)
    at.run()
    return at


def frame_with(at, column: str):
    """The first dataframe on the page that has `column` (AppTest keeps no dataframe keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def engine():
    return open_store(os.environ["CREDITDASH_DB_URL"])


@pytest.mark.parametrize("page", [RISK, POLICY])
@pytest.mark.parametrize("data", ["demo", "empty"])
def test_risk_pages_run_without_exception(request, page, data):
    at = request.getfixturevalue(f"{data}_app")
    run_page(at, page)
    assert not at.exception, [e.value for e in at.exception]
    if data == "empty" and page == RISK:
        assert any("No receivables yet" in i.value for i in at.info)


def test_risk_page_shows_grades_watchlist_and_detail(demo_app):
    at = run_page(demo_app, RISK)
    metrics = {m.label: m for m in at.metric}
    assert metrics["Customers scored"].value == "300"
    assert all(m.help for m in at.metric)
    table = frame_with(at, "recommended_limit")
    assert len(table) == 300 and set(table["grade"]) <= set("ABCDE")
    assert len(frame_with(at, "action")) > 0
    explanation = frame_with(at, "points_lost")
    assert explanation["points_lost"].is_monotonic_decreasing


def test_limit_request_from_the_page_is_recorded_then_approved(demo_app):
    at = run_page(demo_app, RISK)
    customer = at.selectbox(key="risk_customer").value
    at.number_input(key="req_amount").set_value(2_000_000.0)
    at.text_input(key="req_reason").set_value("Seasonal peak")
    at.button[[b.label for b in at.button].index("Submit limit request")].click().run()
    assert not at.exception and any("recorded" in s.value for s in at.success)
    at.run()
    at.text_input(key="dec_reason").set_value("Good record")
    at.button[[b.label for b in at.button].index("Approve")].click().run()
    assert not at.exception
    requests = list_requests(engine(), customer)
    # without sign-in the author is the local user, never a name typed on the page
    assert requests.iloc[0]["status"] == "approved"
    assert requests.iloc[0]["decided_by"] == requests.iloc[0]["requested_by"] == "local user"


def test_policy_save_adds_a_version_by_the_user(demo_app):
    at = run_page(demo_app, POLICY)
    assert not [t for t in at.text_input if t.key == "pol_who"]  # no box to type an author in
    at.text_input(key="pol_note").set_value("More grace")
    at.text_area[0].set_value(at.text_area[0].value.replace('"grace_days": 15', '"grace_days": 20'))
    at.button[0].click().run()
    assert not at.exception
    assert current_policy(engine()).policy["limits"]["grace_days"] == 20
    assert list(policy_versions(engine())["author"]) == ["local user", "system"]


def test_policy_page_reports_bad_json(demo_app):
    at = run_page(demo_app, POLICY)
    at.text_area[0].set_value("{not json")
    at.button[0].click().run()
    assert any("not valid JSON" in e.value for e in at.error)


def test_a_credit_hold_from_the_page_is_stored_audited_and_shown(demo_app):
    from creditdash.audit import audit_log
    from creditdash.risk.holds import credit_statuses

    at = run_page(demo_app, RISK)
    watch = frame_with(at, "state")
    assert set(watch["state"]) == {"Action due"}  # nothing applied yet
    cash = set(watch.loc[watch["action"] == "Cash in advance", "customer_id"])
    held = watch[(watch["action"] == "Hold new orders") & ~watch["customer_id"].isin(cash)]
    customer = held["customer_id"].iloc[0]
    at.selectbox(key="risk_customer").set_value(customer).run()
    assert at.selectbox(key=f"hold_action_{customer}").value == "hold"  # the due action
    at.text_input(key="hold_reason").set_value("Cheque bounced")
    at.button[[b.label for b in at.button].index("Apply")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"{customer}: credit status now Orders on hold" in s.value for s in at.success)
    [status] = credit_statuses(engine()).to_dict("records")
    assert (status["customer_id"], status["status"], status["decided_by"]) == (
        customer, "hold", "local user",
    )  # fmt: skip
    shown_rules = set(watch.loc[watch["customer_id"] == customer, "rule"])
    assert i18n.t(f"risk.flag.{status['rule']}") in shown_rules  # the rule as the page names it
    log = audit_log(engine(), action="credit_status_applied")
    assert log["detail"].tolist() == ["Cheque bounced"] and log["entity_id"].tolist() == [customer]
    table = frame_with(at, "recommended_limit").set_index("customer_id")
    assert table.loc[customer, "credit_status"] == "Orders on hold"
    assert (table["credit_status"] == "").sum() == len(table) - 1
    assert {"late_interest", "late_fees", "discount_earned", "limit_increase"} <= set(table)
    mine = frame_with(at, "state").query("customer_id == @customer")
    applied = mine["action"].isin(["Hold new orders", "Warn"])
    assert (mine.loc[applied, "state"] == "Applied").all() and applied.any()
    assert (mine.loc[~applied, "state"] == "Action due").all()
    labels = {m.label for m in at.metric}
    assert {"Credit status", "Late interest", "Late fees", "Limit increase"} <= labels
    assert next(m.value for m in at.metric if m.label == "Credit status") == "Orders on hold"
    history = frame_with(at, "decided_by")
    assert history.iloc[0]["reason"] == "Cheque bounced"


def test_a_release_needs_a_reason_on_the_page(demo_app):
    at = run_page(demo_app, RISK)
    customer = at.selectbox(key="risk_customer").value
    at.selectbox(key=f"hold_action_{customer}").set_value("release")
    at.button[[b.label for b in at.button].index("Apply")].click().run()
    assert not at.exception
    assert any("`reason` must not be empty" in e.value for e in at.error)


def test_the_chinese_watchlist_reads_chinese(demo_app):
    demo_app.query_params["lang"] = "zh"
    at = run_page(demo_app, RISK)
    assert not at.exception
    watch = frame_with(at, "state")
    assert watch["detail"].str.contains("[\u4e00-\u9fff]").all()
    assert set(watch["state"]) <= {"待处置", "已处置"}


def test_bureau_name_matches_are_ticked_row_by_row(demo_app):
    from creditdash.risk.bureau import read_reports
    from creditdash.store import load_ledger

    names = load_ledger(engine()).customers[["customer_id", "customer_name"]].head(2)
    text = "Customer Name,Score,Report Date\n" + "".join(
        f"{n},{70 + i},2025-06-01\n" for i, n in enumerate(names["customer_name"])
    )
    at = run_page(demo_app, RISK)
    at.text_input(key="bureau_scale").set_value("0-100")
    at.file_uploader(key="bureau_files").set_value(("names.csv", text.encode(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    [editor] = at.data_editor
    shown = editor.value
    assert list(shown["proposed_customer"]) == list(names["customer_id"])
    assert list(shown["row"]) == [2, 3] and not shown["accept"].any()
    at.session_state[editor.key] = {
        "edited_rows": {1: {"accept": True}}, "added_rows": [], "deleted_rows": [],
    }  # fmt: skip
    at.button(key="bureau_import").click().run()
    assert not at.exception
    assert any("nothing was written" in e.value for e in at.error)  # row 2 is not ticked
    problems = frame_with(at, "message")
    assert list(problems["row"]) == [2] and "by name only" in problems["message"].iloc[0]
    assert read_reports(engine()).empty
    at.checkbox(key="bureau_skip").check()
    at.button(key="bureau_import").click().run()
    assert any("1 new" in s.value for s in at.success)
    stored = read_reports(engine())
    assert list(stored["customer_id"]) == [names["customer_id"].iloc[1]]
    assert stored["score"].tolist() == [71.0]
