"""Data that read without error but did not say what it seemed: now named in a problem."""

from __future__ import annotations

import pandas as pd

from creditdash.ingest import Source, parse_sources
from creditdash.ingest.parse import parse_text

INVOICE_HEAD = "Invoice No,Customer ID,Invoice Date,Due Date,Amount\n"
LEDGER_HEAD = "Invoice No,Customer ID,Invoice Date,Due Date,Amount,Settled Date,Paid Amount\n"
PAYMENT_HEAD = "Payment ID,Customer ID,Invoice No,Payment Date,Amount\n"


def run(*files: tuple[str, str]):
    return parse_sources([Source(name, text.encode()) for name, text in files])


def found(batch, code: str) -> list:
    return [p for p in batch.problems if p.code == code]


# --- ids that differ only by what cannot be seen ---------------------------------------


def test_ids_differing_by_invisible_characters_are_one_customer():
    text = INVOICE_HEAD + "I1,C101,2024-01-05,2024-02-04,1\nI2,C1\u200b01,2024-01-05,2024-02-04,1\n"
    text += "I3,C101\ufeff,2024-01-05,2024-02-04,1\nI4,\u200eC101\u00ad,2024-01-05,2024-02-04,1\n"
    batch = run(("a.csv", text))
    assert batch.customers["customer_id"].tolist() == ["C101"]
    assert batch.invoices["customer_id"].tolist() == ["C101"] * 4
    [warning] = batch.problems
    assert (warning.level, warning.code, warning.row, warning.column) == (
        "warning", "ingest.text_invisible", 3, "Customer ID"
    )  # fmt: skip
    assert warning.value == "C1\u200b01"
    assert warning.params == {"n": 3, "rows": "3, 4, 5", "first": 3, "clean": "C101"}


def test_one_invisible_character_gets_the_one_cell_wording():
    text = INVOICE_HEAD + "I1\u200b,C1,2024-01-05,2024-02-04,1\n"
    [warning] = run(("a.csv", text)).problems
    assert warning.code == "ingest.text_invisible.one"
    assert warning.message.startswith("The cell on row 2 held invisible characters")


def test_full_width_ids_become_one_with_a_warning_but_full_width_names_stay_silent():
    result = parse_text(
        pd.Series(["C101", "Ｃ１０１", "甲公司（集团）", "乙", ""], index=[2, 3, 4, 5, 6])
    )
    assert result.values.tolist()[:4] == ["C101", "C101", "甲公司(集团)", "乙"]
    assert pd.isna(result.values[6])
    [note] = result.notes
    assert (note.code, note.row, note.value) == ("ingest.text_forms_merged.one", 3, "Ｃ１０１")


def test_plain_text_is_untouched_and_quiet():
    text = pd.Series(["A-1", " B ", ""], index=[2, 3, 4])
    result = parse_text(text)
    assert result.values.tolist()[:2] == ["A-1", " B "]
    assert result.notes == []


# --- negative invoices -----------------------------------------------------------------


def test_negative_invoices_are_named_as_credit_notes():
    text = INVOICE_HEAD + "I1,C1,2024-01-05,2024-02-04,-5\nI2,C1,2024-01-05,2024-02-04,10\n"
    text += "I3,C1,2024-01-05,2024-02-04,(7.50)\n"
    batch = run(("a.csv", text))
    [warning] = batch.problems
    assert (warning.level, warning.code, warning.row, warning.column, warning.value) == (
        "warning", "ingest.credit_notes", 2, "Amount", "-5"
    )  # fmt: skip
    assert warning.message.startswith(
        "2 rows have a negative amount and were read as credit notes: rows 2, 4."
    )
    assert batch.invoices["amount_cents"].tolist() == [-500, 1000, -750]


# --- overpayments ----------------------------------------------------------------------


def test_a_payment_of_100000_on_a_100_invoice_is_an_error():
    batch = run(("l.csv", LEDGER_HEAD + "I1,C1,2024-01-05,2024-02-04,100.00,2024-01-20,100000\n"))
    [error] = batch.errors
    assert (error.code, error.row, error.column) == ("ingest.overpaid", 2, "Paid Amount")
    assert error.message.startswith(
        "Invoice I1 (row 2) is for 100.00 CNY, but the payments applied to it add up to "
        "100,000.00 CNY."
    )
    assert "imported as unapplied cash" in error.message


def test_payments_in_another_file_adding_up_to_more_than_the_invoice():
    batch = run(
        ("inv.csv", INVOICE_HEAD + "I1,C1,2024-01-05,2024-02-04,100.00\n"),
        ("pay.csv", PAYMENT_HEAD + "P1,C1,I1,2024-01-20,60\nP2,C1,I1,2024-01-21,50\n"),
    )
    assert [(p.file, p.row, p.code) for p in batch.errors] == [
        ("pay.csv", 2, "ingest.overpaid.elsewhere"),
        ("pay.csv", 3, "ingest.overpaid.elsewhere"),
    ]
    assert batch.errors[0].params["paid"] == "110.00"
    assert "(row 2 of inv.csv)" in batch.errors[0].message


def test_payments_up_to_the_amount_credit_notes_and_unapplied_cash_are_accepted():
    batch = run(
        (
            "inv.csv",
            INVOICE_HEAD + "I1,C1,2024-01-05,2024-02-04,100.00\nCN1,C1,2024-01-06,2024-01-06,-40\n",
        ),
        (
            "pay.csv",
            PAYMENT_HEAD + "P1,C1,I1,2024-01-20,60\nP2,C1,I1,2024-01-21,40\n"
            "P3,C1,CN1,2024-01-21,-40\nP4,C1,,2024-01-22,5000\n",
        ),
    )
    assert batch.errors == []
    assert len(batch.payments) == 4


# --- cells the mapping leaves out ------------------------------------------------------


def test_data_in_a_column_without_header_is_named():
    text = (
        INVOICE_HEAD
        + "I1,C1,2024-01-05,2024-02-04,5,paid by cheque\nI2,C1,2024-01-05,2024-02-04,6\n"
    )
    text += "I3,C1,2024-01-05,2024-02-04,7,see note,x\n"
    batch = run(("a.csv", text))
    assert [(p.level, p.code, p.row, p.column) for p in batch.problems] == [
        ("warning", "ingest.headerless_column", 2, "(column F)"),
        ("warning", "ingest.headerless_column.one", 4, "(column G)"),
    ]
    assert batch.problems[0].message.startswith(
        "Column F has no header but holds data on 2 rows (2, 4); it was not imported."
    )


def test_an_unmapped_column_with_a_header_is_not_reported():
    text = "Invoice No,Customer ID,Invoice Date,Due Date,Amount,Remark\nI1,C1,2024-01-05,2024-02-04,5,x\n"
    assert run(("a.csv", text)).problems == []
