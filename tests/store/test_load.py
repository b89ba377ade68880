"""Loading the stored ledger: amounts at their transaction rates, balances at the as-of rate."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.aging import aging_totals, exchange_differences
from creditdash.errors import InvalidArgument
from creditdash.importing import import_sources
from creditdash.ingest import Source
from creditdash.kpis import kpis
from creditdash.store import load_ledger
from creditdash.store.load import to_reporting

USD_INVOICE = """Invoice No,Customer ID,Invoice Date,Due Date,Amount,Currency
U1,C1,2025-05-01,2025-05-31,100.00,USD
C1,C2,2025-06-10,2025-07-10,290.00,CNY
"""
RATES = "currency, date, rate\nUSD,2025-05-01,7.10\nUSD,2025-06-30,7.20\n"


def _csv(text: str, name: str) -> Source:
    return Source(name=name, data=text.encode("utf-8"))


def test_an_imported_rates_file_translates_the_open_dollars_at_the_as_of_rate(engine):
    # The rates file is headed `currency, date, rate`, as the README describes it.
    import_sources(engine, [_csv(USD_INVOICE, "usd.csv"), _csv(RATES, "rates.csv")])
    ledger = load_ledger(engine, "CNY")
    assert aging_totals(ledger, "2025-06-30")["total"].tolist() == [72_000 + 29_000]
    assert aging_totals(ledger, "2025-06-29")["total"].tolist() == [71_000 + 29_000]
    [row] = exchange_differences(ledger, "2025-06-30").to_dict("records")
    assert (row["customer_id"], row["exchange_difference"]) == ("C1", 1_000)
    figures = kpis(ledger, "2025-06-30")
    assert (figures.total_ar, figures.credit_sales) == (1_010.0, 1_000.0)


def _frames(payments: list[tuple], customer_currency: str = "USD"):
    invoices = pd.DataFrame(
        {
            "invoice_id": ["U1", "C1"],
            "customer_id": ["A", "A"],
            "invoice_date": pd.to_datetime(["2025-05-01", "2025-05-02"]),
            "due_date": pd.to_datetime(["2025-05-31", "2025-06-01"]),
            "amount_cents": [10_000, 50_000],
            "currency": ["USD", None],
        }
    )
    pay = pd.DataFrame(
        payments,
        columns=["payment_id", "customer_id", "invoice_id", "payment_date", "amount_cents"],
    )
    pay["payment_date"] = pd.to_datetime(pay["payment_date"])
    customers = pd.DataFrame({"customer_id": ["A"], "currency": [customer_currency]})
    rates = pd.DataFrame(
        {
            "currency": ["USD", "USD"],
            "rate_date": pd.to_datetime(["2025-05-01", "2025-06-01"]),
            "rate": [7.10, 7.15],
        }
    )
    return invoices, pay, customers, rates


def test_payments_settle_in_their_invoice_currency():
    invoices, payments, customers, rates = _frames(
        [
            ("P1", "A", "U1", "2025-06-01", 4_000),  # USD 40.00 on the dollar invoice
            ("P2", "A", "C1", "2025-06-01", 20_000),  # ¥200.00 on the yuan invoice
            ("P3", "A", None, "2025-06-02", 1_000),  # USD 10.00 of the customer's, unapplied
        ]
    )
    inv, pay = to_reporting(invoices, payments, customers, rates, "CNY")
    assert inv["amount_cents"].tolist() == [71_000, 50_000]
    assert inv["original_cents"].tolist() == [10_000, 50_000]
    assert pay["currency"].tolist() == ["USD", "CNY", "USD"]
    # applied: at the invoice's rate (7.10); unapplied: at its own date's rate (7.15)
    assert pay["amount_cents"].tolist() == [28_400, 20_000, 7_150]
    assert pay["original_cents"].tolist() == [4_000, 20_000, 1_000]


def test_unapplied_cash_in_a_currency_without_rates_is_refused():
    invoices, payments, customers, rates = _frames(
        [("P1", "A", None, "2025-06-02", 1_000)], customer_currency="EUR"
    )
    with pytest.raises(InvalidArgument, match="for currency EUR"):
        to_reporting(invoices, payments, customers, rates, "CNY")


def test_a_ledger_all_in_the_reporting_currency_is_left_as_it_is():
    invoices, payments, customers, rates = _frames(
        [("P2", "A", "C1", "2025-06-01", 20_000)], customer_currency="CNY"
    )
    invoices = invoices.assign(currency="CNY")
    inv, pay = to_reporting(invoices, payments, customers, rates, "CNY")
    assert inv is invoices and pay is payments
