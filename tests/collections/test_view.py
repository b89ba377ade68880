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
