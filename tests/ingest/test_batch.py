"""The public entry points on the real sample, on UI-edited mappings, and at scale."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from creditdash import frames
from creditdash.ingest import ParsedBatch, Source, parse_sources, propose_mappings


def test_ibm_sample_parses_as_a_ledger_without_errors(sample):
    batch = parse_sources([Source.from_path(sample)])
    assert isinstance(batch, ParsedBatch)
    assert batch.errors == []
    [mapping] = batch.mappings
    assert (mapping.kind, mapping.header_row, mapping.n_rows) == ("ledger", 1, 2466)
    assert mapping.fields == {
        "region": "countryCode",
        "customer_id": "customerID",
        "invoice_id": "invoiceNumber",
        "invoice_date": "InvoiceDate",
        "due_date": "DueDate",
        "amount": "InvoiceAmount",
        "disputed": "Disputed",
        "payment_date": "SettledDate",
    }
    inv, pay = batch.invoices, batch.payments
    assert len(inv) == 2466
    assert int(inv["amount_cents"].sum()) == 14_770_318
    assert len(pay) == 2466
    assert int(pay["amount_cents"].sum()) == 14_770_318
    assert int(inv["disputed"].sum()) == 561
    assert len(batch.customers) == 100
    assert inv.loc[0, "invoice_id"] == "0000611365"
    assert inv.loc[0, "invoice_date"] == pd.Timestamp("2013-01-02")  # 1/2/2013 is month-first
    assert ((inv["due_date"] - inv["invoice_date"]).dt.days == 30).all()
    assert set(inv["currency"]) == {"CNY"}
    # the only warnings: each M/D/YYYY column says how its order was decided
    assert {p.column for p in batch.warnings} == {"InvoiceDate", "DueDate", "SettledDate"}


def test_ibm_sample_ledger_payments_match_days_to_settle(sample):
    batch = parse_sources([Source.from_path(sample)])
    raw = pd.read_csv(sample, dtype=str)
    merged = batch.payments.merge(batch.invoices, on="invoice_id")
    days = (merged["payment_date"] - merged["invoice_date"]).dt.days
    expected = raw.set_index("invoiceNumber")["DaysToSettle"].astype(int)
    assert (days.to_numpy() == expected.loc[merged["invoice_id"]].to_numpy()).all()


def test_row_source_points_at_the_excel_row(xlsx):
    data = xlsx(
        {
            "Invoices": [
                ["Title"],
                ["Invoice No", "Customer", "Invoice Date", "Amount", "Settled Date"],
                ["I1", "c", "2024-01-01", 5, None],
                ["I2", "d", "2024-01-02", 6, "2024-01-09"],
            ]
        }
    )
    batch = parse_sources([Source("a.xlsx", data)])
    assert batch.row_source[("invoices", "I2")] == ("a.xlsx", "Invoices", 4)
    assert batch.row_source[("payments", "I2/settled")] == ("a.xlsx", "Invoices", 4)
    assert batch.row_source[("customers", "d")] == ("a.xlsx", "Invoices", 4)
    assert batch.row_source.get(("invoices", "nope")) is None
    assert len(batch.row_source) == 2 + 1 + 2


def test_mappings_edited_in_the_ui_take_precedence():
    source = Source("a.csv", b"Ref,Client,When,Value\nI1,c,2024-01-01,5\n")
    [proposed] = propose_mappings([source])
    assert (proposed.kind, proposed.mapping["Ref"]) == ("customers", None)
    edited = dataclasses.replace(
        proposed,
        mapping={
            "Ref": "invoice_id",
            "Client": "customer_name",
            "When": "invoice_date",
            "Value": "amount",
        },
    )
    batch = parse_sources([source], mappings=[edited], overrides={"Value": "ignore"})
    assert batch.errors == []
    assert batch.mappings[0].kind == "invoices"
    assert batch.invoices[["invoice_id", "amount_cents"]].values.tolist() == [["I1", 500]]


def test_overrides_apply_to_every_sheet(xlsx):
    rows = [["Ref", "Customer", "Invoice Date", "Amount"], ["I1", "c", "2024-01-01", 1]]
    data = xlsx({"A": rows, "B": [rows[0], ["I2", "c", "2024-01-01", 2]]})
    batch = parse_sources([Source("a.xlsx", data)], overrides={"Ref": "invoice_id"})
    assert batch.errors == []
    assert batch.invoices["invoice_id"].tolist() == ["I1", "I2"]


def test_empty_batch_has_canonical_empty_frames():
    batch = parse_sources([])
    assert batch.problems == [] and batch.snapshots == []
    assert list(batch.invoices.columns) == frames.INVOICE_COLUMNS
    assert list(batch.payments.columns) == frames.PAYMENT_COLUMNS
    assert list(batch.customers.columns) == frames.CUSTOMER_COLUMNS
    assert list(batch.rates.columns) == frames.RATE_COLUMNS


def test_canonical_dtypes(parse):
    batch = parse(
        "a.csv",
        "Invoice No,Customer,Invoice Date,Amount,Settled Date\nI1,c,2024-01-01,1,2024-01-02\n",
    )
    assert batch.invoices.dtypes.astype(str).to_dict() == {
        "invoice_id": "str",
        "customer_id": "str",
        "invoice_date": "datetime64[us]",
        "due_date": "datetime64[us]",
        "amount_cents": "int64",
        "currency": "str",
        "disputed": "bool",
        "source": "str",
        "document_id": "str",
        "part": "str",
    }
    assert str(batch.payments["payment_date"].dtype) == "datetime64[us]"
    assert str(batch.customers["credit_limit_cents"].dtype) == "Int64"


def test_large_ledger_parses_whole():
    n = 200_000
    rng = np.random.default_rng(7)
    day = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D")
    cents = rng.integers(100, 10_000_000, n)
    frame = pd.DataFrame(
        {
            "invoiceNumber": [f"{i:010d}" for i in range(n)],
            "customerID": [f"C{i % 997:04d}" for i in range(n)],
            "InvoiceDate": day.strftime("%m/%d/%Y"),
            "InvoiceAmount": [f"{c / 100:.2f}" for c in cents],
            "SettledDate": (day + pd.Timedelta(days=20)).strftime("%m/%d/%Y"),
        }
    )
    data = frame.to_csv(index=False).encode()
    batch = parse_sources([Source("big.csv", data)])
    assert batch.errors == []
    assert len(batch.invoices) == n and len(batch.payments) == n
    assert int(batch.invoices["amount_cents"].sum()) == int(cents.sum())
