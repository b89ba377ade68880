"""Contacts, promises, disputes and collectors: stored, audited, analyst role or above."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from creditdash.audit import audit_log
from creditdash.auth import Actor, PermissionDenied
from creditdash.collections import records
from creditdash.errors import InvalidArgument, NotFound
from creditdash.i18n import Text
from creditdash.store import load_ledger

ANALYST = Actor("ann@x.cn", "analyst")
MANAGER = Actor("mo@x.cn", "credit_manager")
VIEWER = Actor("vic@x.cn", "viewer")


def test_the_customer_master_brings_several_contact_emails(store):
    ledger = load_ledger(store)
    emails = ledger.customers.set_index("customer_id")["email"]
    assert emails["C1"] == "ar@jia.cn; boss@jia.cn" and pd.isna(emails["C3"])


def test_a_contact_is_stored_and_audited(store):
    cid = records.log_contact(store, ANALYST, "C1", "call", "promised to pay Friday",
                              "spoke to 王会计", on="2026-06-29")  # fmt: skip
    frame = records.contacts(store, "C1")
    assert frame.iloc[0]["contact_id"] == cid and frame.iloc[0]["kind"] == "call"
    assert frame.iloc[0]["contact_date"] == pd.Timestamp("2026-06-29")
    assert frame.iloc[0]["recorded_by"] == "ann@x.cn"
    entry = audit_log(store, action="collection_contact").iloc[0]
    assert entry["who"] == "ann@x.cn" and entry["entity_id"] == "C1"
    assert "promised to pay Friday" in entry["after"]


def test_a_promise_is_stored_with_its_invoices_and_audited(store):
    pid = records.record_promise(store, ANALYST, "C1", 250_050, "2026-07-15", ["I12", "I13"],
                                 made_on="2026-06-30")  # fmt: skip
    row = records.promises(store).set_index("promise_id").loc[pid]
    assert row["amount_cents"] == 250_050 and row["invoice_ids"] == ("I12", "I13")
    assert row["promised_date"] == pd.Timestamp("2026-07-15")
    assert row["made_on"] == pd.Timestamp("2026-06-30")
    assert "250050" in audit_log(store, action="collection_promise").iloc[0]["after"]


def test_a_dispute_is_opened_resolved_and_each_step_audited(store):
    did = records.open_dispute(store, ANALYST, "I13", "quality", "qa@x.cn", "cracked parts",
                               on="2026-06-20")  # fmt: skip
    open_now = records.disputes(store)
    assert open_now.iloc[0]["customer_id"] == "C1" and open_now.iloc[0]["owner"] == "qa@x.cn"
    assert pd.isna(open_now.iloc[0]["resolved_on"])
    assert records.resolve_dispute(store, MANAGER, "I13", "credit", "CN-7",
                                   on="2026-06-28") == did  # fmt: skip
    done = records.disputes(store).iloc[0]
    assert done["resolution"] == "credit" and done["resolved_by"] == "mo@x.cn"
    assert done["resolved_on"] == pd.Timestamp("2026-06-28")
    actions = set(audit_log(store)["action"])
    assert {"collection_dispute_opened", "collection_dispute_resolved"} <= actions
    # the same invoice may be disputed again once the first one is closed
    records.open_dispute(store, ANALYST, "I13", "price")
    assert len(records.disputes(store)) == 2


def test_collectors_are_assigned_by_customer_or_by_salesperson(store):
    records.assign_collector(store, MANAGER, "张伟", "Chen@X.cn", scope="salesperson")
    records.assign_collector(store, MANAGER, "C3", "li@x.cn")
    records.set_language(store, MANAGER, "C2", "en")
    ledger = load_ledger(store)
    collectors = records.collectors_of(ledger.customers, records.assignments(store))
    assert dict(zip(ledger.customers["customer_id"], collectors, strict=True)) == {
        "C1": "chen@x.cn", "C2": "", "C3": "li@x.cn", "C4": ""}  # fmt: skip
    languages = records.languages_of(ledger.customers["customer_id"], records.assignments(store),
                                     "zh")  # fmt: skip
    assert list(languages) == ["zh", "en", "zh", "zh"]
    assert len(audit_log(store, action="collection_assignment")) == 3
    records.assign_collector(store, MANAGER, "C3", None)  # nobody, back to the salesperson's
    collectors = records.collectors_of(ledger.customers, records.assignments(store))
    assert list(collectors) == ["chen@x.cn", "", "chen@x.cn", ""]


def test_a_viewer_may_record_nothing_and_an_analyst_may_not_assign(store):
    for write in (
        lambda: records.log_contact(store, VIEWER, "C1", "call", "x"),
        lambda: records.record_promise(store, VIEWER, "C1", 100, "2099-01-01"),
        lambda: records.open_dispute(store, VIEWER, "I13", "price"),
        lambda: records.resolve_dispute(store, VIEWER, "I13", "credit"),
    ):
        with pytest.raises(PermissionDenied, match="needs the analyst role"):
            write()
    with pytest.raises(PermissionDenied, match="needs the credit manager role"):
        records.assign_collector(store, ANALYST, "C1", "a@x.cn")
    with pytest.raises(PermissionDenied, match="needs the credit manager role") as caught:
        records.set_language(store, ANALYST, "C1", "en")
    assert "分配催收员" in Text.of_error(caught.value).render("zh")
    with pytest.raises(InvalidArgument, match="must be the user acting"):
        records.log_contact(store, "someone", "C1", "call", "x")
    assert records.contacts(store).empty and records.promises(store).empty


ERRORS = [
    ("collections.error.customer_missing",
     lambda s: records.log_contact(s, ANALYST, "C9", "call", "x"), "'C9' is not in the stored"),
    ("error.choice", lambda s: records.log_contact(s, ANALYST, "C1", "fax", "x"), "`kind`"),
    ("collections.error.empty", lambda s: records.log_contact(s, ANALYST, "C1", "call", " "),
     "`outcome` must not be empty"),
    ("error.ledger.date",
     lambda s: records.log_contact(s, ANALYST, "C1", "call", "x", on="tomorrow"), "`on`"),
    ("collections.error.promise_amount",
     lambda s: records.record_promise(s, ANALYST, "C1", 0, "2026-07-01"), "Got 0"),
    ("collections.error.promise_amount",
     lambda s: records.record_promise(s, ANALYST, "C1", 12.5, "2026-07-01"), "Got 12.5"),
    ("collections.error.promise_date",
     lambda s: records.record_promise(s, ANALYST, "C1", 100, "2026-06-01", made_on="2026-06-30"),
     "(2026-06-01) cannot be before the day it was made (2026-06-30)"),
    ("collections.error.invoice_missing",
     lambda s: records.record_promise(s, ANALYST, "C1", 100, "2099-01-01", ["I99"]), "'I99'"),
    ("collections.error.invoice_customer",
     lambda s: records.record_promise(s, ANALYST, "C1", 100, "2099-01-01", ["I21"]),
     "'I21' belongs to customer 'C2', not 'C1'"),
    ("collections.error.invoice_missing",
     lambda s: records.open_dispute(s, ANALYST, "I99", "price"), "'I99'"),
    ("error.choice", lambda s: records.open_dispute(s, ANALYST, "I13", "late"), "`reason`"),
    ("collections.error.no_open_dispute",
     lambda s: records.resolve_dispute(s, ANALYST, "I13", "credit"), "no open dispute"),
    ("error.choice", lambda s: records.resolve_dispute(s, ANALYST, "I13", "waived"), "`outcome`"),
    ("error.auth.email", lambda s: records.assign_collector(s, MANAGER, "C1", "chen"), "'chen'"),
    ("error.choice", lambda s: records.assign_collector(s, MANAGER, "C1", "a@b.c", scope="team"),
     "`scope`"),
    ("collections.error.customer_missing",
     lambda s: records.assign_collector(s, MANAGER, "C9", "a@b.c"), "'C9'"),
    ("error.choice", lambda s: records.set_language(s, MANAGER, "C1", "de"), "`language`"),
]  # fmt: skip


@pytest.mark.parametrize("code,call,shown", ERRORS, ids=[f"{e[0]}-{i}" for i, e in
                                                         enumerate(ERRORS)])  # fmt: skip
def test_each_refusal_says_why_in_both_languages(sqlite_store, code, call, shown):
    with pytest.raises((InvalidArgument, NotFound)) as caught:
        call(sqlite_store)
    assert caught.value.code == code and shown in str(caught.value)
    assert Text.of_error(caught.value).render("zh") != str(caught.value)


def test_a_second_open_dispute_and_an_early_resolution_are_refused(sqlite_store):
    records.open_dispute(sqlite_store, ANALYST, "I13", "price", on=date(2026, 6, 20))
    with pytest.raises(InvalidArgument, match="already has an open dispute") as caught:
        records.open_dispute(sqlite_store, ANALYST, "I13", "quality")
    assert "争议" in Text.of_error(caught.value).render("zh")
    with pytest.raises(InvalidArgument, match=r"resolved \(2026-06-19\) before it was opened"):
        records.resolve_dispute(sqlite_store, ANALYST, "I13", "upheld", on="2026-06-19")
