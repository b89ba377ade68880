"""Instalments and retention (质保金): rows of one invoice -> items with their own due dates."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pandas as pd

from creditdash.ingest import Source, parse_sources

HEAD = "Invoice No,Customer ID,Invoice Date,Due Date,Amount\n"
SCHEDULE = (
    HEAD + "S-1,C2,2024-01-05,2024-02-04,300.00\n"
    "S-1,C2,2024-01-05,2024-03-05,500.00\n"
    "S-1,C2,2024-01-05,2024-04-04,200.00\n"
    "P-1,C1,2024-01-06,2024-02-05,80.00\n"
)
RETENTION = (
    "发票号,客户编号,开票日期,到期日,金额,质保金,质保期到期日\n"
    'FP-1,C1,2024-01-10,2024-02-09,"1,000,000.00","100,000.00",2025-01-10\n'
    "FP-2,C1,2024-01-10,2024-02-09,500.00,,\n"
)


def run(*files: tuple[str, str], **kwargs):
    return parse_sources([Source(n, t.encode("utf-8")) for n, t in files], **kwargs)


def file_cents(text: str, column: str) -> int:
    """An independent sum of a CSV column in cents (Decimal, thousands separators removed)."""
    rows = csv.DictReader(io.StringIO(text))
    total = sum((Decimal(r[column].replace(",", "") or "0") for r in rows), Decimal(0))
    return int(total * 100)


def items(batch) -> list[tuple]:
    inv = batch.invoices
    return list(
        zip(
            inv["invoice_id"],
            inv["due_date"].dt.strftime("%Y-%m-%d"),
            inv["amount_cents"],
            inv["document_id"].fillna(""),
            inv["part"].fillna(""),
            strict=True,
        )
    )


def test_rows_of_one_invoice_with_different_due_dates_are_instalments():
    batch = run(("schedule.csv", SCHEDULE))
    assert batch.problems == []
    assert items(batch) == [
        ("S-1#1", "2024-02-04", 30000, "S-1", "instalment"),
        ("S-1#2", "2024-03-05", 50000, "S-1", "instalment"),
        ("S-1#3", "2024-04-04", 20000, "S-1", "instalment"),
        ("P-1", "2024-02-05", 8000, "", ""),
    ]
    assert int(batch.invoices["amount_cents"].sum()) == file_cents(SCHEDULE, "Amount")
    assert batch.row_source[("invoices", "S-1#2")] == ("schedule.csv", None, 3)


def test_instalment_column_numbers_the_items_in_any_row_order():
    text = (
        "单据编号,客户编号,开票日期,到期日,金额,期次\n"
        "D-9,C1,2024-01-05,2024-04-04,200.00,003\n"
        "D-9,C1,2024-01-05,2024-02-04,300.00,001\n"
        "D-9,C1,2024-01-05,2024-03-05,500.00,002\n"
    )
    batch = run(("d.csv", text))
    assert batch.problems == []
    assert [i[:3] for i in items(batch)] == [
        ("D-9#3", "2024-04-04", 20000),
        ("D-9#1", "2024-02-04", 30000),
        ("D-9#2", "2024-03-05", 50000),
    ]


def test_sap_line_items_with_one_due_date_are_kept_apart_by_the_item_column():
    text = (
        "Document Number,Item,Account,Document Date,Net Due Date,Amount in LC\n"
        "1800000123,1,C1,2024-01-05,2024-02-04,600.00\n"
        "1800000123,2,C1,2024-01-05,2024-02-04,400.00\n"
    )
    batch = run(("fbl5n.csv", text))
    assert batch.errors == []
    assert batch.invoices["invoice_id"].tolist() == ["1800000123#1", "1800000123#2"]
    assert int(batch.invoices["amount_cents"].sum()) == file_cents(text, "Amount in LC")


def test_same_id_and_due_date_with_another_amount_is_still_a_conflict():
    text = HEAD + "I1,c,2024-01-01,2024-01-31,1\nI1,c,2024-01-01,2024-01-31,2\n"
    batch = run(("x.csv", text))
    [problem] = batch.problems
    assert (problem.level, problem.row, problem.column, problem.value) == (
        "error",
        3,
        "Invoice No",
        "I1",
    )
    assert problem.message == (
        "Invoice I1 also appears on row 2 with a different amount. "
        "Keep one row per invoice, or give the rows different ids."
    )


def test_identical_instalment_rows_are_copies_dropped_with_a_warning():
    text = SCHEDULE + "S-1,C2,2024-01-05,2024-03-05,500.00\n"
    batch = run(("x.csv", text))
    [problem] = batch.problems
    assert (problem.level, problem.row) == ("warning", 6)
    assert "repeats row 3 exactly (invoice S-1)" in problem.message
    assert batch.invoices["invoice_id"].tolist() == ["S-1#1", "S-1#2", "S-1#3", "P-1"]


def test_instalments_of_one_invoice_must_share_its_customer():
    text = HEAD + "I1,c,2024-01-01,2024-01-31,1\nI1,d,2024-01-01,2024-02-29,2\n"
    batch = run(("x.csv", text))
    [problem] = batch.errors
    assert problem.row == 3
    assert problem.message == (
        "Invoice I1 also appears on row 2 with a different customer id. "
        "Keep one row per invoice, or give the rows different ids."
    )


def test_retention_column_splits_the_invoice():
    batch = run(("r.csv", RETENTION))
    assert batch.problems == []
    assert items(batch) == [
        ("FP-1#1", "2024-02-09", 90_000_000, "FP-1", "instalment"),
        ("FP-1#R", "2025-01-10", 10_000_000, "FP-1", "retention"),
        ("FP-2", "2024-02-09", 50_000, "", ""),
    ]
    assert int(batch.invoices["amount_cents"].sum()) == file_cents(RETENTION, "金额")


def test_retention_percentage_and_period_from_the_customer_master():
    master = "客户编号,客户名称,质保金比例,质保期(月)\nC1,甲公司,5%,12\nC2,乙公司,,\n"
    invoices = (
        "发票号,客户编号,开票日期,到期日,金额\n"
        "A-1,C1,2024-01-31,2024-03-01,10000.00\n"
        "A-2,C2,2024-01-31,2024-03-01,4000.00\n"
        "A-3,C1,2024-02-10,2024-03-11,-300.00\n"
    )
    batch = run(("invoices.csv", invoices), ("customers.csv", master))
    assert batch.errors == []  # (a warning says A-3 was read as a credit note)
    assert items(batch) == [
        ("A-1#1", "2024-03-01", 950_000, "A-1", "instalment"),
        ("A-1#R", "2025-01-31", 50_000, "A-1", "retention"),
        ("A-2", "2024-03-01", 400_000, "", ""),
        ("A-3", "2024-03-11", -30_000, "", ""),  # a credit note keeps no retention
    ]
    assert int(batch.invoices["amount_cents"].sum()) == file_cents(invoices, "金额")


def test_retention_period_in_days_never_before_the_due_date():
    master = "Customer ID,Retention %,Retention days\nC1,10,20\n"
    invoices = HEAD + "A-1,C1,2024-01-01,2024-03-01,100.00\n"
    batch = run(("i.csv", invoices), ("c.csv", master))
    assert batch.problems == []
    # 2024-01-01 + 20 days is before the due date: the retention falls due with the invoice
    assert items(batch)[1] == ("A-1#R", "2024-03-01", 1000, "A-1", "retention")


def test_retention_without_a_due_date_or_larger_than_the_invoice_is_an_error():
    text = (
        "发票号,客户编号,开票日期,金额,质保金,质保期到期日\n"
        "F1,C1,2024-01-10,1000,100,\n"
        "F2,C1,2024-01-10,100,300,2025-01-10\n"
        "F3,C1,2024-01-10,100,,\n"
    )
    batch = run(("r.csv", text))
    assert [(p.level, p.row, p.column, p.value) for p in batch.errors] == [
        ("error", 2, "质保金", "100"),
        ("error", 3, "质保金", "300"),
    ]
    assert batch.errors[0].code == "ingest.retention_no_due"
    assert batch.errors[1].message == (
        "The retention 300.00 is not part of the invoice amount 100.00: it must have the "
        "same sign and be no larger. Correct the retention or the amount."
    )


def test_bad_percentage_and_months_are_reported_per_cell():
    batch = run(("m.csv", "客户编号,质保金比例,质保期\nC1,ten,12\nC2,10%,two years\n"))
    assert [(p.code, p.row, p.column) for p in batch.problems] == [
        ("ingest.bad_percent", 2, "质保金比例"),
        ("ingest.bad_months", 3, "质保期"),
    ]


def test_a_payment_naming_the_instalment_pays_that_item():
    payments = (
        "Payment No,Invoice No,Customer ID,Payment Date,Amount,Instalment\n"
        "R1,S-1,C2,2024-02-10,100.00,2\n"
        "R2,S-1,C2,2024-02-11,50.00,\n"
        "R3,P-1,C1,2024-02-11,80.00,1\n"
    )
    batch = run(("schedule.csv", SCHEDULE), ("receipts.csv", payments))
    assert batch.errors == []
    pay = batch.payments.set_index("payment_id")
    assert pay["invoice_id"].to_dict() == {"R1": "S-1#2", "R2": "S-1", "R3": "P-1"}
    assert pay["customer_id"].tolist() == ["C2", "C2", "C1"]


def test_settled_ledger_rows_pay_their_own_items_retention_last():
    text = (
        "Invoice No,Customer ID,Invoice Date,Due Date,Amount,Retention,Retention due date,"
        "Settled Date,Paid Amount\n"
        "L-1,C1,2024-01-05,2024-02-04,300.00,,,2024-02-01,300.00\n"
        "L-1,C1,2024-01-05,2024-03-05,700.00,,,,\n"
        "L-2,C1,2024-01-05,2024-02-04,1000.00,100.00,2024-12-31,2024-03-01,\n"
    )
    batch = run(("ledger.csv", text))
    assert batch.errors == []
    pay = batch.payments.set_index("payment_id")[["invoice_id", "amount_cents"]]
    assert pay.to_dict("index") == {
        "L-1#1/settled": {"invoice_id": "L-1#1", "amount_cents": 30000},
        "L-2#1/settled": {"invoice_id": "L-2#1", "amount_cents": 90000},
        "L-2#R/settled": {"invoice_id": "L-2#R", "amount_cents": 10000},
    }


def test_open_items_export_with_line_items():
    text = (
        "Document Number,Item,Account,Document Date,Net Due Date,Amount,Open Amount\n"
        "D-1,1,C1,2024-01-05,2024-02-04,300.00,300.00\n"
        "D-1,2,C1,2024-01-05,2024-03-05,700.00,200.00\n"
    )
    batch = run(("open.csv", text), as_of=pd.Timestamp("2024-03-31").date())
    assert batch.errors == []
    [snap] = batch.snapshots
    assert snap.items[["invoice_id", "document_id", "part", "open_cents"]].values.tolist() == [
        ["D-1#1", "D-1", "instalment", 30000],
        ["D-1#2", "D-1", "instalment", 20000],
    ]
    assert int(snap.items["open_cents"].sum()) == file_cents(text, "Open Amount")
