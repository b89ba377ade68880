"""One customer at an as-of date: everything the Collections page shows of it."""

from __future__ import annotations

import pytest

from creditdash.auth import Actor
from creditdash.collections import records
from creditdash.collections.view import customer_view
from creditdash.collections.worklist import collections_inputs
from creditdash.errors import NotFound
from creditdash.store import load_ledger
from tests.collections.conftest import AS_OF

ANALYST = Actor("ann@x.cn", "analyst")


def test_the_customer_view_gathers_items_stages_records_and_the_statement(sqlite_store):
    store = sqlite_store
    records.log_contact(store, ANALYST, "C1", "visit", "met the CFO", on="2026-06-25")
    records.record_promise(store, ANALYST, "C1", 200_000, "2026-07-05", ["I12"],
                           made_on="2026-06-28")  # fmt: skip
    records.open_dispute(store, ANALYST, "I13", "price", on="2026-06-20")
    records.assign_collector(store, Actor("m@x.cn", "credit_manager"), "C1", "li@x.cn")
    view = customer_view(load_ledger(store), AS_OF, collections_inputs(store), "C1")
    assert (view.customer_name, view.language, view.collector) == ("上海甲公司", "zh", "li@x.cn")
    assert view.emails == ["ar@jia.cn", "boss@jia.cn"] and view.bad_emails == []
    items = view.items.set_index("invoice_id")
    assert items.loc["I12", "paused"] and not items.loc["I12", "due"]  # under the promise
    assert items.loc["I13", "disputed"] and not items.loc["I13", "due"]
    assert items.loc["I14", "stage"] == "final" and items.loc["I14", "due"]
    assert view.statement.total_cents == 1_000_000 and view.statement.disputed_cents == 300_000
    assert view.contacts.iloc[0]["outcome"] == "met the CFO"
    assert view.promises.iloc[0]["status"] == "pending"
    assert view.disputes.iloc[0]["invoice_id"] == "I13"
    assert view.row["next_stage"] == "final" and view.row["open_promises"] == 1
    assert view.keeping_rate == 0.5  # nothing judged yet anywhere: the book's prior
    assert view.choices["dispute_reason"][0] == "price"
    assert view.choices["invoices"] == ("I14", "I13", "I12", "I11")
    assert view.sent.empty


def test_a_customer_with_nothing_to_do_has_no_worklist_row(sqlite_store):
    view = customer_view(load_ledger(sqlite_store), AS_OF, collections_inputs(sqlite_store), "C4")
    assert view.row is None and view.items.empty and view.statement.total_cents == 0
    assert view.keeping_rate == 0.5


def test_an_unknown_customer_is_named(sqlite_store):
    with pytest.raises(NotFound, match="'C9' is not in the stored ledger"):
        customer_view(load_ledger(sqlite_store), AS_OF, collections_inputs(sqlite_store), "C9")


def test_who_collects_from_whom_and_in_which_language(sqlite_store):
    """C1 and C3 are 张伟's, C2 and C4 李娜's (tests/collections/conftest.py). 张伟's customers
    go to ann; C3 has its own collector and English letters; 李娜 has nobody."""
    from creditdash.auth import LOCAL, list_roles, set_role
    from creditdash.collections.view import assignments_view

    manager = Actor("mo@x.cn", "credit_manager")
    records.assign_collector(sqlite_store, manager, "张伟", "ann@x.cn", scope="salesperson")
    records.assign_collector(sqlite_store, manager, "C3", "bo@x.cn")
    records.set_language(sqlite_store, manager, "C3", "en")
    set_role(sqlite_store, LOCAL, "ann@x.cn", "analyst")
    set_role(sqlite_store, LOCAL, "vic@x.cn", "viewer")
    ledger = load_ledger(sqlite_store)
    seen = assignments_view(ledger.customers, collections_inputs(sqlite_store),
                            list_roles(sqlite_store))  # fmt: skip
    table = seen.customers.set_index("customer_id")
    assert table["collector"].to_dict() == {"C1": "ann@x.cn", "C2": "", "C3": "bo@x.cn", "C4": ""}
    assert table.loc["C3", "salesperson_collector"] == "ann@x.cn"
    assert table["own_collector"].to_dict() == {"C1": "", "C2": "", "C3": "bo@x.cn", "C4": ""}
    assert table["language"].to_dict() == {"C1": "zh", "C2": "zh", "C3": "en", "C4": "zh"}
    assert table["own_language"].to_dict() == {"C1": "", "C2": "", "C3": "en", "C4": ""}
    people = seen.salespeople.set_index("salesperson")
    assert people.to_dict("index") == {"张伟": {"customers": 2, "collector": "ann@x.cn"},
                                       "李娜": {"customers": 2, "collector": ""}}  # fmt: skip
    assert seen.collectors == ("ann@x.cn",)  # a viewer may not collect
    assert seen.languages == ("zh", "en") and seen.default_language == "zh"


def test_the_pages_words_fall_back_to_the_name_and_say_the_whole_account():
    import pandas as pd

    from creditdash.collections.labels import actions, named, promises_shown

    assert named("coll.stage", "final", "zh") != "final" and named("coll.stage", "x9") == "x9"
    assert named("coll.stage", None) == "" and named("coll.stage", float("nan")) == ""
    assert actions("email+call") == "E-mail + Call"
    judged = pd.DataFrame({
        "promise_id": [1, 2], "made_on": pd.to_datetime(["2026-06-01"] * 2),
        "promised_date": pd.to_datetime(["2026-06-10"] * 2), "amount_cents": [10_000, 250],
        "invoice_ids": [(), ("I1", "I2")], "status": ["kept", "pending"],
        "paid_cents": [10_000, 0], "remaining_cents": [0, 250],
        "deadline": pd.to_datetime(["2026-06-13"] * 2), "fulfilled_on": pd.to_datetime(
            ["2026-06-09", None]), "slip_days": [0.0, None], "note": ["", ""],
        "recorded_by": ["ann", "local user"]})  # fmt: skip
    shown = promises_shown(judged)
    assert shown["invoice_ids"].tolist() == ["whole account", "I1, I2"]
    assert promises_shown(judged, "zh")["recorded_by"].tolist() == ["ann", "本机用户"]
    assert shown["status"].tolist() == ["Kept", "Pending"] and shown["amount"].tolist() == [
        100,
        2.5,
    ]
