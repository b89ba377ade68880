"""The traits of report layouts, one by one: headings, repeated headers, totals, report dates."""

from __future__ import annotations

import datetime as dt

import pytest

from creditdash.ingest import Source, parse_sources, propose_mappings
from creditdash.ingest.asof import find_as_of
from tests.ingest.conftest import build_xlsx


def parsed(text: str, name: str = "x.csv", **kwargs):
    return parse_sources([Source(name, text.encode("utf-8"))], **kwargs)


@pytest.mark.parametrize(
    ("lines", "day", "period"),
    [
        (["某某公司", "导出日期：2024年6月30日"], dt.date(2024, 6, 30), False),
        (["截止日期：2025-06-30"], dt.date(2025, 6, 30), False),
        (["ACME", "A/R Aging Detail", "As of June 30, 2025"], dt.date(2025, 6, 30), False),
        (["Aged Receivables Detail", "As at 30 June 2025"], dt.date(2025, 6, 30), False),
        (["Offene Posten", "Stichtag 31.12.2025"], dt.date(2025, 12, 31), False),
        (["期间：2025-04-01 至 2025-06-30"], dt.date(2025, 6, 30), True),
        (["会计期间：2025年4月 至 2025年6月"], dt.date(2025, 6, 30), True),
        (["From 1 April 2025 to 30 June 2025"], dt.date(2025, 6, 30), True),
        (["Printed 2025-07-02 10:15", "As of 6/30/2025"], dt.date(2025, 6, 30), False),
        (["Company founded 1998"], None, False),
    ],
)
def test_report_date_is_read_where_the_file_says_it(lines, day, period):
    found = find_as_of(lines)
    if day is None:
        assert found is None
    else:
        assert (found.date, found.period) == (day, period)


def test_a_print_time_in_the_footer_does_not_beat_the_title():
    text = (
        "A/R Aging Detail\nAs of June 30, 2025\nInvoice No,Customer,Due Date,Open Balance\n"
        "I1,c,2025-06-01,5.00\n\nPrinted Tuesday, July 1, 2025 10:15 AM\n"
    )
    [snap] = parsed(text).snapshots
    assert snap.as_of == dt.datetime(2025, 6, 30)


def test_labelled_group_headings_give_id_and_name():
    text = (
        "日期,凭证号,单据编号,到期日,未收金额\n"
        "客户编码：001  客户名称：华东机械,,,,\n2025-05-01,记-1,FP1,2025-05-31,100.00\n"
        "客户编码：002  客户名称：上海甲,,,,\n2025-05-02,记-2,FP2,2025-06-01,50.00\n"
    )
    batch = parsed(text, as_of=dt.date(2025, 6, 30))
    assert batch.errors == []
    items = batch.snapshots[0].items.set_index("invoice_id")
    assert items["customer_id"].to_dict() == {"FP1": "001", "FP2": "002"}
    assert batch.customers.set_index("customer_id")["customer_name"].to_dict() == {
        "001": "华东机械",
        "002": "上海甲",
    }


def test_repeated_header_rows_are_skipped():
    head = "Invoice No,Customer,Invoice Date,Amount\n"
    batch = parsed(head + "I1,c,2024-01-01,1\n" + head + "I2,d,2024-01-02,2\n")
    assert batch.errors == []
    assert batch.invoices["invoice_id"].tolist() == ["I1", "I2"]


@pytest.mark.parametrize(
    "label",
    ["合计", "小计", "本月合计", "本年累计", "累计", "Total", "Total for Current", "TOTAL",
     "Summe", "Partner cumul aged balance", "Grand total"],
)  # fmt: skip
def test_total_rows_are_known_by_their_words_and_checked(label):
    text = "Invoice No,Customer,Invoice Date,Amount\nI1,c,2024-01-01,1.50\nI2,c,2024-01-01,2\n"
    good = parsed(text + f"{label},,,3.50\n")
    assert good.errors == [] and len(good.invoices) == 2
    bad = parsed(text + f"{label},,,3.49\n")
    [error] = bad.errors
    assert error.code == "ingest.total_mismatch" and error.row == 4
    assert "3.49" in error.message and "3.50" in error.message and "rows 2-3" in error.message


def test_blank_key_subtotals_per_currency_and_grand_totals_per_currency():
    rows = [
        ["Customer", "Document Number", "Net due date", "Open Amount", "Currency"],
        ["C1", "D1", "2025-01-31", 10.00, "EUR"],
        ["C1", "D2", "2025-01-31", 5.25, "USD"],
        [None, None, None, 10.00, "EUR"],
        [None, None, None, 5.25, "USD"],
        ["C2", "D3", "2025-02-28", 7.00, "EUR"],
        [None, None, None, 7.00, "EUR"],
        [None, None, None, 17.00, "EUR"],
        [None, None, None, 5.25, "USD"],
    ]
    batch = parse_sources([Source("f.xlsx", build_xlsx({"S": rows}))], as_of=dt.date(2025, 6, 30))
    assert batch.errors == []
    assert len(batch.snapshots[0].items) == 3
    rows[7][3] = 17.01
    broken = parse_sources([Source("f.xlsx", build_xlsx({"S": rows}))], as_of=dt.date(2025, 6, 30))
    assert [(e.code, e.row) for e in broken.errors] == [("ingest.total_mismatch", 8)]


def test_a_keyless_row_that_totals_nothing_is_data_and_refused_as_such():
    batch = parsed("Invoice No,Customer,Invoice Date,Amount\nI1,c,2024-01-01,1\n,,,5\n")
    assert {e.code for e in batch.errors} == {"ingest.empty.invoice_id", "ingest.empty.customer_id",
                                              "ingest.empty.invoice_date"}  # fmt: skip


def test_a_column_with_one_value_is_not_the_customer_when_another_column_can_be():
    text = (
        "Account,Partner,Entry,Date,Due date,Residual\n"
        "121000,A,E1,2025-01-01,2025-01-31,1\n121000,B,E2,2025-01-01,2025-01-31,2\n"
        "121000,C,E3,2025-01-01,2025-01-31,3\n"
    )
    batch = parsed(text, as_of=dt.date(2025, 6, 30))
    assert batch.errors == []
    assert sorted(batch.snapshots[0].items["customer_id"]) == ["A", "B", "C"]
    [warning] = [w for w in batch.warnings if w.code == "ingest.constant_customer_column"]
    assert "'Account'" in warning.message and "121000" in warning.message


def test_a_customer_master_with_amount_columns_says_what_it_left_out():
    batch = parsed(
        "客户编号,客户名称,本期应收,Stand\nC1,甲,1200.00,2025-01-01\nC2,乙,300.50,2025-02-01\n"
    )
    [warning] = batch.warnings
    assert warning.code == "ingest.master_with_figures"
    assert "'本期应收', 'Stand'" in warning.message


def test_the_header_row_can_be_given():
    text = "Report\n\nRef,Cust,Booked,Owed\nA1,c1,2025-01-01,10.00\n"
    [found] = propose_mappings([Source("x.csv", text.encode())])
    assert found.header_row == 1
    [given] = propose_mappings([Source("x.csv", text.encode())], header_rows={("x.csv", None): 3})
    assert given.header_row == 3 and given.headers == ["Ref", "Cust", "Booked", "Owed"]
    batch = parsed(text, header_row=3, overrides={"Ref": "invoice_id", "Cust": "customer_id",
                   "Booked": "invoice_date", "Owed": "amount"})  # fmt: skip
    assert batch.errors == [] and batch.invoices["amount_cents"].tolist() == [1000]


def test_items_without_a_number_get_the_same_id_every_time():
    text = "As of 2025-06-30\nCustomer,Invoice Date,Open Balance\nc,2025-06-01,-5.00\nc,2025-06-01,-5.00\n"
    first = parsed(text).snapshots[0].items["invoice_id"].tolist()
    second = parsed(text).snapshots[0].items["invoice_id"].tolist()
    assert first == second == ["c/2025-06-01/-500", "c/2025-06-01/-500/2"]


def test_quickbooks_sub_customers_count_under_their_parent():
    text = (
        "As of June 30, 2025\nNum,Customer full name,Due date,Open balance\n"
        "1001,Acme:Project A,2025-06-01,5.00\n1002,Acme:Project B,2025-06-01,7.00\n"
    )
    batch = parsed(text)
    assert set(batch.snapshots[0].items["customer_id"]) == {"Acme"}
    assert any(w.code == "ingest.parent_customer" for w in batch.warnings)


def test_whole_amounts_with_thousands_commas_in_a_comma_separated_csv():
    """A comma-separated CSV cannot come from a decimal-comma locale: 1,234 is 1234."""
    text = 'Invoice No,Customer,Invoice Date,Amount\nI1,c,2024-01-01,"1,234"\nI2,c,2024-01-01,"5,000"\n'
    batch = parsed(text)
    assert batch.errors == []
    assert batch.invoices["amount_cents"].tolist() == [123400, 500000]


def test_whole_amounts_with_dots_in_a_semicolon_csv_are_refused_not_guessed():
    text = "Invoice No;Customer;Invoice Date;Amount\nI1;c;2024-01-01;1.234\nI2;c;2024-01-01;5.000\n"
    batch = parsed(text)
    assert {e.code for e in batch.errors} == {"ingest.decimal_marks_unsettled"}
    assert batch.invoices.empty
