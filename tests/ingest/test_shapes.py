"""Each kind of sheet -> canonical frames, and the messy traits real exports have."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from creditdash import frames
from creditdash.ingest import Source, parse_sources

LEDGER = (
    "Invoice No,Customer ID,Customer Name,Region,Invoice Date,Due Date,Amount,Paid Amount,"
    "Settled Date,Disputed\n"
    "I1,C1,Acme,East,2024-01-01,2024-01-31,100.00,100.00,2024-01-20,No\n"
    "I2,C1,Acme,,2024-01-05,2024-02-04,50.00,20.00,2024-02-01,Yes\n"
    "I3,C2,Beta,West,2024-01-07,2024-02-06,30.00,,,no\n"
    "I4,C2,,West,2024-01-08,2024-02-07,40.00,,2024-02-07,\n"
)


def ts(value: str) -> pd.Timestamp:
    return pd.Timestamp(value)


def test_ledger_rows_become_invoices_and_payments(parse):
    batch = parse("ledger.csv", LEDGER)
    assert batch.problems == []
    assert batch.mappings[0].kind == "ledger"
    inv = batch.invoices
    assert list(inv.columns) == frames.INVOICE_COLUMNS
    assert inv["invoice_id"].tolist() == ["I1", "I2", "I3", "I4"]
    assert inv["amount_cents"].tolist() == [10000, 5000, 3000, 4000]
    assert inv["disputed"].tolist() == [False, True, False, False]
    assert set(inv["source"]) == {"ledger"}
    pay = batch.payments
    assert list(pay.columns) == frames.PAYMENT_COLUMNS
    assert pay["payment_id"].tolist() == ["I1/settled", "I2/settled", "I4/settled"]
    assert pay["amount_cents"].tolist() == [10000, 2000, 4000]  # paid amount, else the full amount
    assert pay["payment_date"].tolist() == [ts("2024-01-20"), ts("2024-02-01"), ts("2024-02-07")]
    assert set(pay["source"]) == {"ledger"}


def test_ledger_customers_first_non_null_wins(parse):
    cust = parse("ledger.csv", LEDGER).customers
    assert list(cust.columns) == frames.CUSTOMER_COLUMNS
    assert cust[["customer_id", "customer_name", "region"]].values.tolist() == [
        ["C1", "Acme", "East"],
        ["C2", "Beta", "West"],
    ]


PAID_UNDATED = (
    "Invoice No,Customer,Invoice Date,Amount,Paid Amount,Settled Date\n"
    "I1,c,2024-01-01,10,10,\n"
    "I2,c,2024-01-02,20,5,2024-01-20\n"
)


def test_paid_amount_without_settled_date_and_no_export_date_is_refused(parse, locate):
    batch = parse("l.csv", PAID_UNDATED)
    assert ("error", None, 2, "Paid Amount") in locate(batch)
    [error] = batch.errors
    assert "no settled date, and the file gives no export date" in error.message


def test_paid_amount_without_settled_date_is_paid_on_the_export_date(parse):
    batch = parse("l.csv", "导出日期：2024年6月30日\n" + PAID_UNDATED)
    assert batch.errors == []
    [note] = [p for p in batch.warnings if p.code == "ingest.paid_on_export_date"]
    assert "2024-06-30" in note.message and "导出日期" in note.message
    pay = batch.payments.set_index("invoice_id")
    assert pay.loc["I1", "payment_date"] == ts("2024-06-30")
    assert pay["amount_cents"].to_dict() == {"I1": 1000, "I2": 500}


def test_invoices_sheet(parse):
    batch = parse(
        "inv.csv",
        "Invoice No,Customer,Invoice Date,Due Date,Amount\nI1,c,2024-01-01,2024-01-31,5\n",
    )
    assert batch.problems == []
    assert batch.invoices["source"].tolist() == ["invoice"]
    assert batch.payments.empty


def test_payments_sheet_ids_are_deterministic(parse):
    text = (
        "Customer,Receipt Date,Amount,Invoice No\n"
        "c1,2024-02-01,5.00,I1\n"
        "c1,2024-02-01,5.00,I1\n"
        "c2,2024-02-02,7.50,\n"
    )
    batch = parse("pay.csv", text)
    assert batch.problems == []
    pay = batch.payments
    assert pay["payment_id"].tolist() == [
        "c1/2024-02-01/I1/500",
        "c1/2024-02-01/I1/500#2",
        "c2/2024-02-02//750",
    ]
    assert pay["invoice_id"].isna().tolist() == [False, False, True]  # unapplied cash
    assert set(pay["source"]) == {"payment"}
    again = parse("pay.csv", text).payments["payment_id"].tolist()
    assert again == pay["payment_id"].tolist()


def test_payment_id_column_and_customer_from_the_invoice(xlsx):
    data = xlsx(
        {
            "Invoices": [
                ["Invoice No", "Customer", "Invoice Date", "Amount"],
                ["I1", "c1", "2024-01-01", 9],
            ],
            "Payments": [
                ["Receipt No", "Invoice No", "Payment Date", "Amount"],
                ["R1", "I1", "2024-01-15", 9],
            ],
        }
    )
    batch = parse_sources([Source("book.xlsx", data)])
    assert batch.errors == []
    assert batch.payments[["payment_id", "customer_id", "invoice_id"]].values.tolist() == [
        ["R1", "c1", "I1"]
    ]


def test_open_items_snapshot_with_as_of_argument(parse):
    text = "Invoice No,Customer,Invoice Date,Amount,Open Amount\nI1,c,2024-01-01,10,4\nI2,c,2024-01-02,5,5\n"
    batch = parse("open.csv", text, as_of=dt.date(2024, 3, 31), complete=True)
    [snap] = batch.snapshots
    assert (snap.as_of, snap.complete, snap.file) == (ts("2024-03-31"), True, "open.csv")
    assert list(snap.items.columns) == [
        "invoice_id",
        "customer_id",
        "invoice_date",
        "due_date",
        "amount_cents",
        "open_cents",
        "currency",
        "document_id",
        "part",
    ]
    assert snap.items["open_cents"].tolist() == [400, 500]
    assert str(snap.items["open_cents"].dtype) == "int64"
    assert str(snap.items["amount_cents"].dtype) == "Int64"
    assert batch.invoices.empty
    assert batch.customers["customer_id"].tolist() == ["c"]


def test_open_items_as_of_from_a_title_line(parse):
    text = "截至2024年3月31日 应收账款明细\n发票号码,客户名称,余额\nI1,甲,1\n"
    [snap] = parse("open.csv", text).snapshots
    assert snap.as_of == ts("2024-03-31")
    assert snap.items["amount_cents"].isna().all()
    assert snap.items["due_date"].isna().all()


def test_open_items_as_of_from_a_column(parse):
    text = "Invoice No,Customer,Balance,Report Date\nI1,c,1,3/31/2024\nI2,c,2,3/31/2024\n"
    [snap] = parse("open.csv", text).snapshots
    assert snap.as_of == ts("2024-03-31")


def test_open_items_without_as_of_is_an_error(parse, locate):
    batch = parse("open.csv", "Invoice No,Customer,Balance\nI1,c,1\n")
    assert locate(batch) == [("error", None, None, None)]
    assert "--as-of" in batch.problems[0].message
    assert batch.snapshots == []


def test_customers_sheet_and_its_terms_set_due_dates(xlsx, locate):
    data = xlsx(
        {
            "Invoices": [
                ["发票号码", "客户编号", "开票日期", "金额"],
                ["I1", "C1", "2024-01-01", 1],
                ["I2", "C9", "2024-01-01", 1],
            ],
            "Customers": [
                ["客户编号", "客户名称", "信用额度", "账期", "统一社会信用代码", "币种"],
                ["C1", "甲公司", "1,000,000.00", "60天", "91310000MA1FL0000X", "cny"],
            ],
        }
    )
    batch = parse_sources([Source("book.xlsx", data)])
    cust = batch.customers.set_index("customer_id")
    assert cust.loc["C1", "credit_limit_cents"] == 100_000_000
    assert cust.loc["C1", "payment_terms_days"] == 60
    assert cust.loc["C1", "credit_code"] == "91310000MA1FL0000X"
    assert cust.loc["C1", "currency"] == "CNY"
    assert "C9" in cust.index
    assert batch.invoices["due_date"].tolist() == [ts("2024-03-01"), ts("2024-01-31")]
    assert locate(batch) == [("warning", "Invoices", None, None)]
    assert batch.problems[0].message.startswith("The due date was missing on 2 rows")


def test_due_date_terms_from_row_argument_then_default(parse):
    text = (
        "Invoice No,Customer,Invoice Date,Amount,Terms\n"
        "I1,a,2024-01-01,1,Net 10\nI2,b,2024-01-01,1,\nI3,c,2024-01-01,1,\n"
    )
    batch = parse("i.csv", text, terms_by_customer={"b": 20}, default_terms_days=45)
    assert batch.invoices["due_date"].tolist() == [
        ts("2024-01-11"),
        ts("2024-01-21"),
        ts("2024-02-15"),
    ]
    [warning] = batch.warnings
    assert "missing on 3 rows" in warning.message and "default 45 days" in warning.message


def test_rates_sheet(parse):
    batch = parse("fx.csv", "Currency,Rate,Rate Date\nusd,7.1,2024-03-31\nEUR,7.8,2024-03-31\n")
    assert batch.problems == []
    assert batch.rates.to_dict("list") == {
        "currency": ["USD", "EUR"],
        "rate_date": [ts("2024-03-31")] * 2,
        "rate": [7.1, 7.8],
    }


def test_customer_name_stands_in_for_a_missing_id(parse):
    batch = parse("i.csv", "Invoice No,客户,Invoice Date,Amount\nI1,上海甲公司,2024-01-01,1\n")
    assert batch.invoices["customer_id"].tolist() == ["上海甲公司"]
    assert batch.customers[["customer_id", "customer_name"]].values.tolist() == [["上海甲公司"] * 2]


def test_customer_names_take_the_ids_of_the_customer_master(xlsx):
    data = xlsx(
        {
            "Invoices": [
                ["发票号码", "客户名称", "开票日期", "金额"],
                ["I1", "甲公司", "2024-01-01", 1],
                ["I2", "乙公司", "2024-01-01", 2],
            ],
            "Customers": [["客户编号", "客户名称", "账期"], ["C1", "甲公司", 10]],
        }
    )
    batch = parse_sources([Source("book.xlsx", data)])
    assert batch.invoices["customer_id"].tolist() == ["C1", "乙公司"]
    assert batch.invoices["due_date"].tolist() == [ts("2024-01-11"), ts("2024-01-31")]
    assert batch.customers[["customer_id", "customer_name"]].values.tolist() == [
        ["C1", "甲公司"],
        ["乙公司", "乙公司"],
    ]


def test_currency_column_sign_and_default(parse):
    text = (
        "Invoice No,Customer,Invoice Date,Amount,Currency\n"
        "I1,c,2024-01-01,1,usd\nI2,c,2024-01-01,€5,\nI3,c,2024-01-01,7,\n"
    )
    assert parse("i.csv", text, default_currency="hkd").invoices["currency"].tolist() == [
        "USD",
        "EUR",
        "HKD",
    ]
    signs = "Invoice No,Customer,Invoice Date,Amount\nI1,c,2024-01-01,RMB 1\nI2,c,2024-01-01,$2\nI3,c,2024-01-01,3\n"
    assert parse("i.csv", signs).invoices["currency"].tolist() == ["CNY", "USD", "CNY"]


def test_messy_chinese_workbook_imports(xlsx, locate):
    data = xlsx(
        {
            "应收明细": [
                ["上海某某贸易有限公司"],
                ["应收账款明细表", None, None, None, None, None],
                ["　发票号码　", "客户名称", "开票日期", "金额", None, "到期日"],
                [None, None, None, "原币", "本币", None],
                [
                    "0000611365",
                    "北京甲公司",
                    dt.datetime(2024, 3, 5),
                    "¥1,234.50",
                    1234.5,
                    "2024年4月4日",
                ],
                [12345.0, "北京乙公司", "2024.03.06", "(100.00)", -100, 45392],
                ["合计", None, None, 1134.5, 1134.5, None],
            ]
        },
        {"应收明细": ["A1:F1", "D3:E3", "A3:A4", "B3:B4", "C3:C4", "F3:F4"]},
    )
    batch = parse_sources([Source("应收.xlsx", data)])
    credit_note = ("warning", "应收明细", 6, "金额 原币")  # (100.00) on row 6
    assert locate(batch) == [("warning", "应收明细", 7, None), credit_note]
    inv = batch.invoices
    assert inv["invoice_id"].tolist() == ["0000611365", "12345"]
    assert inv["invoice_date"].tolist() == [ts("2024-03-05"), ts("2024-03-06")]
    assert inv["due_date"].tolist() == [ts("2024-04-04"), ts("2024-04-10")]
    assert inv["amount_cents"].tolist() == [123450, -10000]


def test_english_csv_with_title_and_total(parse, locate):
    text = (
        "ACME Trading Ltd,,,\n"
        "Accounts receivable as of 3/31/2024,,,\n"
        "INVOICE NO,CUSTOMER,DATE,AMOUNT\n"
        'A-1,Foo,3/5/2024,"1,000.00"\n'
        'A-2,Bar,3/15/2024,"$2,000.00"\n'
        'Total,,,"3,000.00"\n'
    )
    batch = parse("ar.csv", text)
    assert locate(batch) == [
        ("warning", None, 6, None),
        ("warning", None, None, "DATE"),
        ("warning", None, None, None),
    ]
    assert batch.invoices["amount_cents"].tolist() == [100000, 200000]


def test_totals_row_found_by_its_sum(parse, locate):
    batch = parse(
        "i.csv",
        "Invoice No,Customer,Invoice Date,Amount\nI1,c,2024-01-01,1\nI2,c,2024-01-01,2\n,,,3\n",
    )
    assert locate(batch) == [("warning", None, 4, None), ("warning", None, None, None)]
    assert "1 subtotal and total rows were recognised" in batch.problems[0].message
    assert len(batch.invoices) == 2


def test_several_files_at_once(xlsx):
    book = xlsx(
        {
            "Invoices": [
                ["Invoice No", "Customer", "Invoice Date", "Amount"],
                ["I1", "c", "2024-01-01", 5],
            ]
        }
    )
    receipts = "Customer,Payment Date,Amount,Invoice No\nc,2024-01-09,5,I1\n".encode("gbk")
    fx = b"Currency,Rate\nUSD,7.1\n"
    batch = parse_sources(
        [Source("inv.xlsx", book), Source("pay.csv", receipts), Source("fx.csv", fx)],
        as_of=dt.date(2024, 3, 31),
    )
    assert batch.errors == []
    assert (len(batch.invoices), len(batch.payments), len(batch.rates)) == (1, 1, 1)
    assert batch.rates["rate_date"].tolist() == [ts("2024-03-31")]
    assert [m.file for m in batch.mappings] == ["inv.xlsx", "pay.csv", "fx.csv"]


def test_several_sheets_in_one_workbook(xlsx):
    data = xlsx(
        {
            "Invoices": [
                ["Invoice No", "Customer ID", "Invoice Date", "Amount"],
                ["I1", "C1", "2024-01-01", 5],
            ],
            "Payments": [["Customer ID", "Payment Date", "Amount"], ["C1", "2024-01-05", 5]],
            "Customers": [["Customer ID", "Customer Name", "Credit Limit"], ["C1", "Acme", 1000]],
            "Notes": [["Remarks"], ["Imported from ERP"]],
        }
    )
    batch = parse_sources([Source("book.xlsx", data)])
    assert batch.errors == []
    assert [(m.sheet, m.kind) for m in batch.mappings] == [
        ("Invoices", "invoices"),
        ("Payments", "payments"),
        ("Customers", "customers"),
        ("Notes", "unknown"),
    ]
    assert any(p.sheet == "Notes" and "skipped" in p.message for p in batch.warnings)
    assert batch.customers[
        ["customer_id", "customer_name", "credit_limit_cents"]
    ].values.tolist() == [["C1", "Acme", 100000]]


def test_ids_with_leading_zeros_and_float_ids(xlsx):
    data = xlsx(
        {
            "S": [
                ["Invoice No", "Customer ID", "Invoice Date", "Amount"],
                ["0001", 7.0, "2024-01-01", 1],
                [12345.0, "007", "2024-01-01", 2],
            ]
        }
    )
    inv = parse_sources([Source("a.xlsx", data)]).invoices
    assert inv[["invoice_id", "customer_id"]].values.tolist() == [["0001", "7"], ["12345", "007"]]


def test_gbk_and_utf8_bom_csv_import_alike(parse):
    text = "发票号码,客户名称,开票日期,金额\nI1,甲,2024年3月5日,1\n"
    for data in (text.encode("gbk"), text.encode("gb18030"), text.encode("utf-8-sig")):
        batch = parse("a.csv", data)
        assert batch.errors == []
        assert batch.invoices["customer_id"].tolist() == ["甲"]
