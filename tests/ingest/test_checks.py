"""Bad input -> every problem, with the file, sheet, Excel row, original header and value."""

from __future__ import annotations

import dataclasses

import pytest

from creditdash.errors import ImportRejected, InvalidArgument
from creditdash.ingest import Source, parse_sources, propose_mappings
from creditdash.ingest.problems import ProblemLog, SheetContext

HEAD = "Invoice No,Customer,Invoice Date,Due Date,Amount\n"


def details(batch) -> list[tuple]:
    return [(p.level, p.row, p.column, p.value) for p in batch.problems]


def test_no_recognisable_columns_names_the_columns_found(parse):
    batch = parse("x.csv", "Foo,Bar,Baz\n1,2,3\n")
    [problem] = batch.problems
    assert (problem.level, problem.file, problem.row) == ("error", "x.csv", None)
    assert "No recognisable invoice id, date or amount column" in problem.message
    assert "columns found: 'Foo', 'Bar', 'Baz'" in problem.message


def test_missing_required_column_is_named(parse):
    batch = parse("x.csv", "Customer,Open Amount,Region\nc,1,East\n")
    [problem] = batch.errors
    assert (
        "No invoice id or invoice date or due date column was recognised in this open items sheet"
        in problem.message
    )
    assert "'Customer', 'Open Amount', 'Region'" in problem.message


def test_unparseable_dates_every_one_listed(parse):
    text = HEAD + "I1,c,2024-01-01,2024-01-31,1\nI2,c,31.02.2024,2024-03-31,1\nI3,c,soon,,1\n"
    batch = parse("x.csv", text)
    assert details(batch)[:2] == [
        ("error", 3, "Invoice Date", "31.02.2024"),
        ("error", 4, "Invoice Date", "soon"),
    ]
    assert batch.problems[1].message == (
        "'soon' is not a date. Write it as 2024-03-31, 3/31/2024 or 2024年3月31日."
    )


def test_unparseable_amounts(parse):
    text = (
        HEAD
        + "I1,c,2024-01-01,2024-01-31,12.3.4\nI2,c,2024-01-01,2024-01-31,1\nI3,c,2024-01-01,2024-01-31,abc\n"
    )
    batch = parse("x.csv", text)
    assert details(batch) == [("error", 2, "Amount", "12.3.4"), ("error", 4, "Amount", "abc")]
    assert batch.problems[0].message.startswith("'12.3.4' is not an amount.")
    assert [r for r in batch.invoices["invoice_id"]] == ["I2"]


def test_due_date_before_invoice_date(parse):
    text = HEAD + "I1,c,2024-01-10,2024-01-31,1\nI2,c,2024-01-10,2024-01-09,1\n"
    batch = parse("x.csv", text)
    assert details(batch) == [("error", 3, "Due Date", "2024-01-09")]
    assert batch.problems[0].message == (
        "The due date 2024-01-09 is before the invoice date 2024-01-10. Correct one of the two dates."
    )


def test_duplicate_invoice_with_different_content_is_an_error(parse):
    text = (
        HEAD
        + "I1,c,2024-01-01,2024-01-31,1\nI2,c,2024-01-01,2024-01-31,1\nI1,c,2024-01-01,2024-01-31,2\n"
    )
    batch = parse("x.csv", text)
    assert details(batch) == [("error", 4, "Invoice No", "I1")]
    assert batch.problems[0].message == (
        "Invoice I1 also appears on row 2 with a different amount. "
        "Keep one row per invoice, or give the rows different ids."
    )


def test_identical_duplicate_is_dropped_with_a_warning(parse):
    text = HEAD + "I1,c,2024-01-01,2024-01-31,1\nI1,c,2024-01-01,2024-01-31,1\n"
    batch = parse("x.csv", text)
    assert details(batch) == [("warning", 3, "Invoice No", "I1")]
    assert "repeats row 2 exactly" in batch.problems[0].message
    assert batch.invoices["invoice_id"].tolist() == ["I1"]


def test_duplicate_across_files_cites_the_other_file():
    a = Source("a.csv", (HEAD + "I1,c,2024-01-01,2024-01-31,1\n").encode())
    b = Source("b.csv", (HEAD + "I1,d,2024-01-01,2024-01-31,1\n").encode())
    batch = parse_sources([a, b])
    [problem] = batch.problems
    assert (problem.file, problem.row) == ("b.csv", 2)
    assert "also appears on row 2 of a.csv with a different customer id" in problem.message


@pytest.mark.parametrize("data", [b"", b"\n\n", b" , ,\n"])
def test_empty_file_or_sheet(parse, data):
    batch = parse("x.csv", data)
    [problem] = batch.problems
    assert problem.level == "error"
    assert problem.message.startswith(("The file is empty", "The sheet is empty"))


def test_header_without_rows(parse):
    [problem] = parse("x.csv", HEAD).problems
    assert (problem.level, problem.message) == ("error", "The sheet has a header but no data rows.")


def test_empty_sheet_next_to_data_is_a_warning(xlsx):
    data = xlsx(
        {
            "Invoices": [HEAD.strip().split(","), ["I1", "c", "2024-01-01", "2024-01-31", 1]],
            "Sheet2": [],
        }
    )
    batch = parse_sources([Source("a.xlsx", data)])
    assert [(p.level, p.sheet) for p in batch.problems] == [("warning", "Sheet2")]
    [problem] = parse_sources([Source("a.xlsx", data)], sheet="Sheet2").problems
    assert (problem.level, problem.sheet) == ("error", "Sheet2")


def test_file_not_what_its_extension_says(parse):
    [problem] = parse("ledger.xlsx", HEAD + "I1,c,2024-01-01,2024-01-31,1\n").problems
    assert problem.level == "error"
    assert "content is a text (CSV) file" in problem.message


def test_over_the_size_limit_through_parse_sources(parse):
    [problem] = parse("x.csv", HEAD * 100, max_bytes=1024).problems
    assert "the limit is 1.0 KB" in problem.message


def test_payment_before_its_invoice_is_a_warning(xlsx):
    data = xlsx(
        {
            "Invoices": [HEAD.strip().split(","), ["I1", "c", "2024-01-10", "2024-02-09", 5]],
            "Payments": [
                ["Customer", "Payment Date", "Amount", "Invoice No"],
                ["c", "2024-01-05", 5, "I1"],
            ],
        }
    )
    batch = parse_sources([Source("a.xlsx", data)])
    assert [(p.level, p.sheet, p.row, p.column, p.value) for p in batch.problems] == [
        ("warning", "Payments", 2, "Payment Date", "2024-01-05")
    ]
    assert "before the date of invoice I1 (2024-01-10)" in batch.problems[0].message


def test_settled_before_invoiced_on_a_ledger_row_is_a_warning(parse):
    text = "Invoice No,Customer,Invoice Date,Due Date,Amount,Settled Date\nI1,c,2024-01-10,2024-02-09,5,2024-01-01\n"
    assert details(parse("x.csv", text)) == [("warning", 2, "Settled Date", "2024-01-01")]


def test_mixed_day_first_and_month_first_in_one_column(parse):
    text = HEAD + "I1,c,31/1/2024,,1\nI2,c,2/2/2024,,1\nI3,c,1/31/2024,,1\n"
    batch = parse("x.csv", text)
    assert details(batch)[0] == ("error", 4, "Invoice Date", "1/31/2024")
    assert "mixes date orders" in batch.problems[0].message
    assert len(batch.errors) == 1


def test_empty_required_cells(parse):
    text = (
        HEAD
        + ",c,2024-01-01,2024-01-31,1\nI2,,2024-01-01,2024-01-31,1\nI3,c,,,1\nI4,c,2024-01-01,2024-01-31,\n"
    )
    batch = parse("x.csv", text)
    assert sorted(details(batch), key=lambda d: d[1]) == [
        ("error", 2, "Invoice No", ""),
        ("error", 3, "Customer", ""),
        ("error", 4, "Invoice Date", ""),
        ("error", 5, "Amount", ""),
    ]
    assert "The invoice id is empty. Fill it in or delete the row." in [
        p.message for p in batch.problems
    ]


def test_bad_yes_no_value(parse):
    text = "Invoice No,Customer,Invoice Date,Amount,Disputed\nI1,c,2024-01-01,1,maybe\n"
    assert details(parse("x.csv", text))[0] == ("error", 2, "Disputed", "maybe")


def test_bad_currency(parse):
    text = "Invoice No,Customer,Invoice Date,Amount,Currency\nI1,c,2024-01-01,1,dollars\n"
    assert details(parse("x.csv", text))[0] == ("error", 2, "Currency", "dollars")


def test_payment_without_customer_or_known_invoice(parse):
    text = "Receipt No,Payment Date,Amount,Invoice No\nR1,2024-01-01,5,I9\n"
    batch = parse("x.csv", text)
    assert details(batch) == [("error", 2, "Invoice No", "I9")]
    assert batch.problems[0].message.startswith("The customer is empty and the invoice this pays")


def test_non_positive_rate(parse):
    batch = parse("fx.csv", "Currency,Rate\nUSD,0\nEUR,7\n")
    assert details(batch) == [("error", 2, "Rate", "0")]
    assert batch.problems[0].message.startswith("The exchange rate must be greater than 0")


def test_two_columns_mapped_to_one_field(parse):
    source = Source("x.csv", (HEAD + "I1,c,2024-01-01,2024-01-31,1\n").encode())
    [proposed] = propose_mappings([source])
    edited = dataclasses.replace(proposed, mapping={**proposed.mapping, "Due Date": "invoice_date"})
    [problem] = parse_sources([source], mappings=[edited]).problems
    assert "'Invoice Date' and 'Due Date' are all mapped to invoice_date" in problem.message


def test_every_problem_in_one_batch_not_the_first(parse):
    text = (
        HEAD
        + "I1,c,bad,2024-01-31,x\nI2,c,2024-01-05,2024-01-01,1\nI3,c,2024-01-01,2024-01-31,1\nI3,c,2024-01-01,2024-01-31,2\n"
    )
    batch = parse("x.csv", text)
    assert sorted((p.row, p.column) for p in batch.errors) == [
        (2, "Amount"),
        (2, "Invoice Date"),
        (3, "Due Date"),
        (5, "Invoice No"),
    ]
    with pytest.raises(ImportRejected) as caught:
        raise ImportRejected(batch.problems)
    assert len(caught.value.errors) == 4


def test_many_bad_rows_are_capped_with_a_summary():
    ctx = SheetContext(file="f.csv", sheet=None, kind="invoices")
    log = ProblemLog(cap=3)
    log.rows(ctx, range(2, 12), None, "bad")
    assert [p.row for p in log.problems] == [2, 3, 4, None]
    assert log.problems[-1].message.startswith("7 more rows have the same problem")


def test_bad_arguments_raise():
    with pytest.raises(InvalidArgument, match="default_currency"):
        parse_sources([], default_currency="yuan")
    with pytest.raises(
        InvalidArgument, match=r"^`default_terms_days` must be 0 or more\. Got -1\.$"
    ):
        parse_sources([], default_terms_days=-1)
    with pytest.raises(InvalidArgument, match="unknown field 'amt'"):
        parse_sources([Source("x.csv", b"a,b\n1,2\n")], overrides={"a": "amt"})
