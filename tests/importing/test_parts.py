"""Instalments and retention end to end: import, age, pay later, reimport, replace, roll back."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import text

from creditdash.aging import aging, open_items
from creditdash.importing import import_sources, rollback
from creditdash.ingest import Source
from creditdash.store import load_ledger
from creditdash.store.load import read_invoices, read_payments

SCHEDULE = (
    "Invoice No,Customer ID,Invoice Date,Due Date,Amount\n"
    "S-1,C2,2024-01-05,2024-02-04,300.00\n"
    "S-1,C2,2024-01-05,2024-03-05,500.00\n"
    "S-1,C2,2024-01-05,2024-04-04,200.00\n"
)
RECEIPTS = "Payment No,Invoice No,Customer ID,Payment Date,Amount\nR1,S-1,C2,2024-02-10,400.00\n"
PLAIN = (
    "Invoice No,Customer ID,Invoice Date,Due Date,Amount\nS-1,C2,2024-01-05,2024-02-04,1000.00\n"
)


def source(body: str, name: str) -> Source:
    return Source(name, body.encode("utf-8"))


def file_cents(body: str, column: str) -> int:
    """An independent sum of a CSV column, in cents."""
    rows = csv.DictReader(io.StringIO(body))
    return int(sum(Decimal(r[column].replace(",", "")) for r in rows) * 100)


def stored(engine) -> dict[str, tuple]:
    inv = read_invoices(engine)
    return {
        r.invoice_id: (r.due_date.strftime("%Y-%m-%d"), r.amount_cents, r.document_id, r.part)
        for r in inv.fillna({"document_id": "", "part": ""}).itertuples()
    }


def test_retention_ages_apart_from_the_invoice(engine, retention_csv):
    """1,000,000.00 with 100,000.00 质保金 due a year later: 900,000 overdue, 100,000 current."""
    import_sources(engine, [source(retention_csv, "fp.csv")])
    assert stored(engine) == {
        "FP-1#1": ("2024-02-09", 90_000_000, "FP-1", "instalment"),
        "FP-1#R": ("2025-01-10", 10_000_000, "FP-1", "retention"),
    }
    ledger = load_ledger(engine)
    row = aging(ledger, "2024-03-20").iloc[0]  # the main part is 40 days past due
    assert (row["current"], row["31-60"], row["total"]) == (10_000_000, 90_000_000, 100_000_000)
    assert row["retention"] == 10_000_000  # of which retention, not yet due
    assert row["total"] == file_cents(retention_csv, "金额")
    items = open_items(ledger, "2024-03-20").set_index("invoice_id")
    assert items.loc["FP-1#R", ["bucket", "part"]].tolist() == ["current", "retention"]
    # a year on, the unpaid retention is overdue like any other item
    late = aging(ledger, "2025-02-20").iloc[0]
    assert (late["31-60"], late["retention"]) == (10_000_000, 0)


def test_a_later_receipt_naming_the_invoice_pays_the_oldest_instalment_first(engine):
    import_sources(engine, [source(SCHEDULE, "schedule.csv")])
    import_sources(engine, [source(RECEIPTS, "receipts.csv")])
    payments = read_payments(engine)
    assert payments[["payment_id", "invoice_id"]].values.tolist() == [["R1", "S-1"]]
    items = open_items(load_ledger(engine), "2024-03-10").set_index("invoice_id")
    assert items["outstanding_cents"].to_dict() == {"S-1#2": 40000, "S-1#3": 20000}
    assert items["paid_cents"].to_dict() == {"S-1#2": 10000, "S-1#3": 0}
    total = aging(load_ledger(engine), "2024-03-10")["total"].sum()
    assert total == file_cents(SCHEDULE, "Amount") - file_cents(RECEIPTS, "Amount")


def test_importing_the_same_files_twice_changes_nothing(engine, retention_csv):
    first = import_sources(engine, [source(SCHEDULE, "s.csv"), source(retention_csv, "r.csv")])
    assert first.counts["invoices"].new == 5
    again = import_sources(engine, [source(SCHEDULE, "s.csv"), source(retention_csv, "r.csv")])
    assert again.nothing_changed and again.import_id is None
    assert again.counts["invoices"].unchanged == 5


def test_a_plain_invoice_replaced_by_its_instalments_and_rolled_back(engine):
    import_sources(engine, [source(PLAIN, "plain.csv")])
    import_sources(engine, [source(RECEIPTS, "receipts.csv")])  # names S-1
    before = stored(engine)
    summary = import_sources(engine, [source(SCHEDULE, "schedule.csv")])
    assert summary.counts["invoices"].new == 3 and summary.counts["invoices"].changed == 1
    assert [w.code for w in summary.warnings] == ["import.invoices_replaced"]
    assert set(stored(engine)) == {"S-1#1", "S-1#2", "S-1#3"}
    ledger = load_ledger(engine)
    # the receipt stored against S-1 now pays its instalments, oldest first
    assert aging(ledger, "2024-03-10")["total"].sum() == 100_000 - 40_000
    assert open_items(ledger, "2024-03-10")["invoice_id"].tolist() == ["S-1#2", "S-1#3"]

    done = rollback(engine, summary.import_id)
    assert done["restored"] == 1 and done["removed_invoices"] == 3
    assert stored(engine) == before
    assert open_items(load_ledger(engine), "2024-03-10")["invoice_id"].tolist() == ["S-1"]


def test_rollback_of_a_split_import_removes_every_item(engine, retention_csv):
    summary = import_sources(engine, [source(retention_csv, "fp.csv")])
    rollback(engine, summary.import_id)
    assert stored(engine) == {}
    assert load_ledger(engine).is_empty


@pytest.mark.pg
def test_postgresql_round_trip_keeps_document_and_part(pg_engine, retention_csv):
    import_sources(pg_engine, [source(retention_csv, "fp.csv"), source(SCHEDULE, "s.csv")])
    with pg_engine.connect() as conn:
        rows = conn.execute(
            text("SELECT invoice_id, document_id, part, amount FROM invoices ORDER BY invoice_id")
        ).all()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("FP-1#1", "FP-1", "instalment", Decimal("900000.00")),
        ("FP-1#R", "FP-1", "retention", Decimal("100000.00")),
        ("S-1#1", "S-1", "instalment", Decimal("300.00")),
        ("S-1#2", "S-1", "instalment", Decimal("500.00")),
        ("S-1#3", "S-1", "instalment", Decimal("200.00")),
    ]
    total = aging(load_ledger(pg_engine), "2024-03-20")["total"].sum()
    assert total == file_cents(retention_csv, "金额") + file_cents(SCHEDULE, "Amount")
