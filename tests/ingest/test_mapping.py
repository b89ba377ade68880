"""Header row, proposed mapping, kinds, totals rows, user edits and overrides."""

from __future__ import annotations

import dataclasses

import pytest

from creditdash.errors import InvalidArgument
from creditdash.ingest import SheetMapping, Source, propose_mappings
from creditdash.ingest.csvtext import read_csv_text
from creditdash.ingest.layout import read_structure
from creditdash.ingest.mapping import adopt, detect_kind, propose
from creditdash.ingest.read import RawSheet


def raw(text: str) -> RawSheet:
    return RawSheet(file="f.csv", sheet=None, cells=read_csv_text(text))


def test_header_below_title_lines():
    sheet = raw(
        "上海某某有限公司\n应收账款明细表,,,\n\n发票号码,客户名称,开票日期,金额\nA1,甲,2024-03-05,1\n"
    )
    m = propose(sheet)
    assert m.header_row == 4
    assert m.headers == ["发票号码", "客户名称", "开票日期", "金额"]
    assert m.mapping == {
        "发票号码": "invoice_id",
        "客户名称": "customer_name",
        "开票日期": "invoice_date",
        "金额": "amount",
    }
    assert (m.kind, m.n_rows) == ("invoices", 1)


def test_full_width_and_stray_spaces_in_headers():
    m = propose(
        raw("　发票号码　, ＩＮＶＯＩＣＥ　ＤＡＴＥ ,Ａｍｏｕｎｔ,  Customer  \nA,2024-01-01,1,c\n")
    )
    assert list(m.mapping.values()) == ["invoice_id", "invoice_date", "amount", "customer_name"]
    assert m.headers[0] == "　发票号码　"  # the original text, for problems and the UI


@pytest.mark.parametrize(
    "header", ["ＩＮＶＯＩＣＥ　ＮＯ", " Invoice_No ", "invoice-no.", "发票号码："]
)
def test_header_variants_map_to_invoice_id(header):
    m = propose(raw(f"{header},Amount\nA,1\n"))
    assert m.mapping[header] == "invoice_id"


def test_english_erp_headers():
    m = propose(raw("Document Number,Account,Posting Date,Net Due Date,Amount,Clearing Date\n"))
    assert list(m.mapping.values()) == [
        "invoice_id",
        "customer_id",
        "invoice_date",
        "due_date",
        "amount",
        "payment_date",
    ]
    assert m.kind == "ledger"


def test_most_specific_synonym_wins_a_field():
    m = propose(raw("Date,Invoice No,Invoice Date,Amount,Customer\n"))
    assert m.mapping["Date"] is None
    assert m.mapping["Invoice Date"] == "invoice_date"


def test_two_row_header_with_merged_group_label(xlsx):
    data = xlsx(
        {
            "S": [
                ["Invoice", None, "Customer", "Amount", None],
                ["No", "Date", None, "Original", "Local"],
                ["A1", "2024-01-01", "c", 1, 7],
            ]
        },
        {"S": ["A1:B1", "C1:C2", "D1:E1"]},
    )
    [m] = propose_mappings([Source("a.xlsx", data)])
    assert m.header_row == 2
    assert m.headers == [
        "Invoice No",
        "Invoice Date",
        "Customer",
        "Amount Original",
        "Amount Local",
    ]
    assert list(m.mapping.values()) == [
        "invoice_id",
        "invoice_date",
        "customer_name",
        "amount",
        None,
    ]


def test_two_row_header_without_merges_when_it_names_more_fields():
    m = propose(raw("Invoice,Invoice,Amount,Due\nNo,Date,,Date\nA,2024-01-01,1,2024-02-01\n"))
    assert m.header_row == 2
    assert m.fields == {
        "invoice_id": "Invoice No",
        "invoice_date": "Invoice Date",
        "amount": "Amount",
        "due_date": "Due Date",
    }


def test_no_recognised_header_uses_the_first_row():
    m = propose(raw("\nfoo,bar\n1,2\n"))
    assert (m.header_row, m.kind, m.headers) == (2, "unknown", ["foo", "bar"])


def test_unnamed_and_repeated_headers_get_unique_names():
    m = propose(raw("amount,,amount\n1,2,3\n"))
    assert m.headers == ["amount", "(column B)", "amount (2)"]
    assert m.mapping == {"amount": "amount", "(column B)": None, "amount (2)": None}


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"invoice_id", "invoice_date", "amount", "payment_date"}, "ledger"),
        ({"invoice_id", "invoice_date", "amount", "paid_amount", "payment_date"}, "ledger"),
        ({"invoice_id", "invoice_date", "amount", "paid_amount"}, "open_items"),
        ({"invoice_id", "invoice_date", "amount", "customer_id"}, "invoices"),
        ({"invoice_id", "amount"}, "invoices"),
        ({"customer_id", "payment_date", "amount", "invoice_id"}, "payments"),
        ({"invoice_id", "open_amount", "customer_id"}, "open_items"),
        ({"customer_id", "customer_name", "credit_limit", "payment_terms_days"}, "customers"),
        ({"currency", "rate", "rate_date"}, "rates"),
        ({"region"}, "unknown"),
        (set(), "unknown"),
    ],
)
def test_detect_kind(fields, kind):
    assert detect_kind(fields) == kind


def test_receipts_sheet_date_is_the_payment_date():
    m = propose(raw("Receipt No,Customer,Date,Amount\nR1,c,2024-01-01,5\n"))
    assert m.mapping["Date"] == "payment_date"
    assert m.kind == "payments"


def sheet_body(sheet, mapping):
    """(data rows' text, Excel rows of the total rows) below the header."""
    found = read_structure(sheet, mapping)
    return found.body, [c.row for c in found.controls]


@pytest.mark.parametrize(
    "label", ["合计", "总计：", "小计", "Total", "Subtotal", "Grand Total", "TOTAL:"]
)
def test_totals_rows_are_dropped(label):
    sheet = raw(f"Invoice No,Customer,Amount\nA,c,1\nB,d,2\n{label},,3\n,,\n")
    body, totals = sheet_body(sheet, propose(sheet))
    assert totals == [4]
    assert body.index.tolist() == [2, 3]


def test_totals_label_in_another_column_with_empty_id():
    sheet = raw("Invoice No,Customer,Amount\nA,c,1\n,合计,1\n")
    assert sheet_body(sheet, propose(sheet))[1] == [3]


def test_a_customer_called_total_is_not_a_totals_row():
    sheet = raw("Invoice No,Customer,Amount\nA,Total Energies,1\n")
    body, totals = sheet_body(sheet, propose(sheet))
    assert totals == []
    assert body["customer_name"].tolist() == ["Total Energies"]


def test_body_is_stripped_text_indexed_by_excel_row():
    sheet = raw("title\nInvoice No,Amount\n  A  ,　1　\n\nB,2\n")
    body, _ = sheet_body(sheet, propose(sheet))
    assert body.index.tolist() == [3, 5]
    assert body.to_dict("list") == {"invoice_id": ["A", "B"], "amount": ["1", "2"]}


def test_overrides_map_and_ignore_columns():
    sheet = raw("Bill Ref,Invoice No,Amount,Posting Date,Notes\n")
    m = adopt(propose(sheet), sheet, overrides={"bill ref": "invoice_id", "Amount": "ignore"})
    assert m.mapping["Bill Ref"] == "invoice_id"
    assert m.mapping["Invoice No"] is None  # the field moved to the overridden column
    assert m.mapping["Amount"] is None
    assert m.kind == "invoices"


def test_user_mapping_takes_precedence_and_kind_follows_fields():
    sheet = raw("Ref,Customer,Date,Amount,Paid on\n")
    proposed = propose(sheet)
    edited = dataclasses.replace(
        proposed, mapping={**proposed.mapping, "Ref": "invoice_id", "Paid on": "payment_date"}
    )
    m = adopt(proposed, sheet, user=edited, overrides={"Ref": "ignore"})
    assert m.mapping["Ref"] == "invoice_id"
    assert m.kind == "ledger"


def test_user_kind_is_kept_when_changed():
    sheet = raw("Invoice No,Customer,Date,Amount\n")
    proposed = propose(sheet)
    m = adopt(proposed, sheet, user=dataclasses.replace(proposed, kind="open_items"))
    assert m.kind == "open_items"


def test_user_header_row_rereads_headers():
    sheet = raw("Invoice No,Amount\nRef,Value\nA,1\n")
    proposed = propose(sheet)
    user = dataclasses.replace(
        proposed, header_row=2, mapping={"Ref": "invoice_id", "Value": "amount"}
    )
    m = adopt(proposed, sheet, user=user)
    assert (m.header_row, m.headers, m.n_rows) == (2, ["Ref", "Value"], 1)
    assert m.fields == {"invoice_id": "Ref", "amount": "Value"}


def test_unknown_field_is_an_invalid_argument():
    sheet = raw("a,b\n")
    with pytest.raises(InvalidArgument, match="^--map 'a' maps to unknown field 'invoice_number'"):
        adopt(propose(sheet), sheet, overrides={"a": "invoice_number"})
    proposed = propose(sheet)
    edited = dataclasses.replace(proposed, mapping={"a": "invoice_number", "b": None})
    with pytest.raises(InvalidArgument, match="^Column 'a' maps to unknown field 'invoice_number'"):
        adopt(proposed, sheet, user=edited)


def test_propose_mappings_skips_empty_sheets_and_unreadable_files(xlsx):
    data = xlsx({"Invoices": [["Invoice No", "Amount"], ["A", 1]], "Empty": []})
    found = propose_mappings([Source("a.xlsx", data), Source("b.csv", b"\x00\x01")])
    assert [(m.file, m.sheet, m.kind) for m in found] == [("a.xlsx", "Invoices", "invoices")]
    assert isinstance(found[0], SheetMapping)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Amount in LC", "amount"),
        ("Amount in doc. curr.", "amount"),
        ("Local Currency", "currency"),
        ("原币金额", "amount"),
        ("未收款金额", "open_amount"),
        ("实收金额", "paid_amount"),
        ("结算日期", "payment_date"),
        ("结清日期", "payment_date"),
    ],
)
def test_erp_export_headers(header, field):
    m = propose(raw(f"Invoice No,{header}\nA,1\n"))
    assert m.mapping[header] == field


def test_table_away_from_cell_a1(xlsx):
    data = xlsx({"S": [[], [], [None, None, "Invoice No", "Amount"], [None, None, "A", 1]]})
    [m] = propose_mappings([Source("a.xlsx", data)])
    assert (m.header_row, m.headers) == (3, ["(column A)", "(column B)", "Invoice No", "Amount"])
    assert m.fields == {"invoice_id": "Invoice No", "amount": "Amount"}
