"""The worklist: who is on it, in which order, with which columns and filters."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.collections.view import disputed_amounts
from creditdash.collections.worklist import WORKLIST_COLUMNS, worklist, worklist_rows
from tests.collections.conftest import AS_OF, dispute_rows, inputs_with, promise_rows


def risk(pds: dict[str, float], exposure: dict[str, int] | None = None) -> pd.DataFrame:
    exposure = exposure or {"C1": 1_000_000, "C2": 500_000, "C3": 130_000}
    return pd.DataFrame({"customer_id": list(pds), "grade": "B", "pd": list(pds.values()),
                         "exposure_cents": [exposure[c] for c in pds]})  # fmt: skip


def test_one_row_per_customer_with_something_to_do_and_the_figures_by_hand(company):
    result = worklist(company, AS_OF, inputs_with())
    rows = result.rows.set_index("customer_id")
    assert list(result.rows.columns) == WORKLIST_COLUMNS
    assert set(rows.index) == {"C1", "C2", "C3"}  # C4 owes nothing
    # C1: overdue I12 + I13 + I14 (I11 is not due yet); worst 61 days
    assert rows.loc["C1", "overdue_cents"] == 900_000
    assert rows.loc["C1", "days_past_due_max"] == 61
    assert rows.loc["C1", "weighted_overdue"] == 200_000 * 1 + 300_000 * 20 + 400_000 * 61
    assert rows.loc["C1", "next_stage"] == "final"  # the most advanced stage due now
    assert rows.loc["C1", "next_action"] == "email+letter+hold" and rows.loc["C1", "due_now"]
    assert rows.loc["C3", "next_stage"] == "legal" and rows.loc["C3", "salesperson"] == "张伟"
    assert rows.loc["C2", "exposure_cents"] == 500_000  # without a risk table: open items
    assert result.notes[0].code == "collections.note.no_pd"
    # without a PD, the order is the overdue weighted by days past due
    assert list(result.rows["customer_id"]) == ["C1", "C2", "C3"]
    assert list(result.rows["priority"]) == [1, 2, 3]


def test_broken_promises_first_then_expected_loss_then_weighted_overdue(company):
    table = risk({"C1": 0.01, "C2": 0.5, "C3": 0.9})
    # expected loss: C1 10,000.00 x 0.01 = 100.00; C2 2,500.00; C3 1,170.00
    order = worklist(company, AS_OF, inputs_with(), table).rows
    assert list(order["customer_id"]) == ["C2", "C3", "C1"]
    assert order.set_index("customer_id").loc["C3", "expected_loss_cents"] == 117_000
    # C1 broke a promise (due 06-20, deadline 06-23, nothing paid): first whatever its loss
    promises = promise_rows((1, "C1", 100_000, "2026-06-20", "2026-06-15", []))
    order = worklist(company, AS_OF, inputs_with(promises=promises), table).rows
    assert list(order["customer_id"]) == ["C1", "C2", "C3"]
    first = order.iloc[0]
    assert first["broken_promise"] and first["promise_status"] == "broken"
    # equal expected loss: the overdue weighted by days past due decides
    same = risk({"C1": 0.0, "C2": 0.0, "C3": 0.0})
    assert list(worklist(company, AS_OF, inputs_with(), same).rows["customer_id"]) == [
        "C1", "C2", "C3"]  # fmt: skip


def test_a_disputed_invoice_leaves_the_overdue_and_shows_apart(company):
    disputes = dispute_rows((1, "I21", "C2", "2026-06-10", None, None))
    result = worklist(company, AS_OF, inputs_with(disputes=disputes))
    rows = result.rows.set_index("customer_id")
    assert "C2" not in rows.index  # nothing else to do for C2
    totals = disputed_amounts(company, AS_OF, disputes).set_index("customer_id")
    assert totals.loc["C2", "disputed_cents"] == 500_000
    assert totals.loc["C2", "recorded_cents"] == 500_000 and totals.loc["C2", "disputed_items"] == 1
    disputes = dispute_rows((1, "I13", "C1", "2026-06-10", None, None))
    rows = worklist(company, AS_OF, inputs_with(disputes=disputes)).rows.set_index("customer_id")
    assert (
        rows.loc["C1", "overdue_cents"] == 600_000 and rows.loc["C1", "disputed_cents"] == 300_000
    )
    assert rows.loc["C1", "open_disputes"] == 1


def test_disputed_amounts_include_the_ledgers_own_flag(company):
    from creditdash.ledger import Ledger

    invoices = company.invoices.assign(disputed=company.invoices["invoice_id"].isin(["I32"]))
    flagged = Ledger.from_frames(company.customers, invoices, company.payments)
    table = disputed_amounts(flagged, AS_OF)
    assert table.to_dict("records") == [{"customer_id": "C3", "customer_name": "丙公司",
                                         "disputed_cents": 70_000, "disputed_items": 1,
                                         "recorded_cents": 0}]  # fmt: skip
    assert disputed_amounts(company, AS_OF).empty


def test_filters_by_collector_salesperson_region_and_grade(company):
    assignments = pd.DataFrame({"scope": ["salesperson"], "key": ["张伟"],
                                "collector": ["chen@x.cn"], "language": [None]})  # fmt: skip
    inputs = inputs_with(assignments=assignments)
    table = risk({"C1": 0.1, "C2": 0.1, "C3": 0.1}).assign(grade=["A", "B", "A"])
    result = worklist(company, AS_OF, inputs, table, collector="Chen@x.cn")
    assert list(result.rows["customer_id"]) == ["C1", "C3"]
    assert result.options["collector"] == ["chen@x.cn"]
    assert result.options["salesperson"] == ["张伟", "李娜"]
    assert list(worklist(company, AS_OF, inputs, table, salesperson="李娜").rows["customer_id"]) == [
        "C2"]  # fmt: skip
    assert list(worklist(company, AS_OF, inputs, table, region="华北").rows["customer_id"]) == [
        "C3"
    ]
    assert list(worklist(company, AS_OF, inputs, table, grade="A").rows["customer_id"]) == [
        "C1", "C3"]  # fmt: skip
    assert worklist(company, AS_OF, inputs, table, grade="E").rows.empty


def test_last_contact_open_promises_and_credit_status_are_on_the_row(company):
    contacts = pd.DataFrame({
        "contact_id": [1, 2, 3], "customer_id": ["C1", "C1", "C1"],
        "kind": ["call", "email", "visit"], "outcome": ["no answer", "sent", "later"],
        "note": "", "contact_date": pd.to_datetime(["2026-06-01", "2026-06-20", "2026-07-09"]),
        "recorded_by": "t", "recorded_at": pd.Timestamp("2026-06-01"),
    })  # fmt: skip
    promises = promise_rows((1, "C2", 100_000, "2026-07-10", "2026-06-28", ["I21"]))
    statuses = pd.DataFrame({"customer_id": ["C3"], "status": ["hold"]})
    inputs = inputs_with(contacts=contacts, promises=promises, statuses=statuses)
    rows = worklist(company, AS_OF, inputs).rows.set_index("customer_id")
    assert rows.loc["C1", "last_contact"] == pd.Timestamp("2026-06-20")  # 07-09 is after
    assert rows.loc["C1", "last_contact_kind"] == "email"
    assert rows.loc["C2", "promise_status"] == "pending" and rows.loc["C2", "open_promises"] == 1
    assert rows.loc["C2", "promised_cents"] == 100_000
    assert rows.loc["C2", "next_stage"] == ""  # its only invoice is under the promise
    assert rows.loc["C3", "credit_status"] == "hold" and rows.loc["C2", "credit_status"] == ""
    printed = {r["customer_id"]: r for r in worklist_rows(worklist(company, AS_OF, inputs).rows)}
    assert printed["C1"]["overdue"] == 9000.0 and printed["C1"]["last_contact"] == "2026-06-20"
    assert printed["C3"]["last_contact"] is None


def test_nothing_open_means_an_empty_worklist(company):
    result = worklist(company, "2026-01-15", inputs_with())
    assert result.rows.empty and result.totals["customers"] == 0
    assert np.isclose(result.totals["overdue_cents"], 0)
