"""What the weekly review records of the forecast: weekly totals and each invoice's week."""

from __future__ import annotations

import pandas as pd

from creditdash.forecast import invoice_forecast, weekly_forecast
from tests.forecast.conftest import regular_ledger


def test_each_open_invoice_is_expected_in_the_week_it_falls_due_plus_ten_days():
    ledger = regular_ledger("2024-06-30", days_late=10)
    frame = invoice_forecast(ledger, "2024-06-30").set_index("invoice_id")
    invoices = ledger.invoices.set_index("invoice_id")
    as_of = pd.Timestamp("2024-06-30")
    for invoice_id, row in frame.iterrows():
        paid = invoices.loc[invoice_id, "due_date"] + pd.Timedelta(days=10)
        week = (paid - as_of).days // 7 + (1 if (paid - as_of).days % 7 else 0)
        assert row["expected_date"] == as_of + pd.Timedelta(days=7 * week), invoice_id
    assert frame["outstanding_cents"].eq(100_000).all()


def test_weekly_forecast_totals_match_the_invoices():
    ledger = regular_ledger("2024-06-30", days_late=10)
    weekly = weekly_forecast(ledger, "2024-06-30")
    assert list(weekly["week"]) == list(range(1, 14))
    open_total = invoice_forecast(ledger, "2024-06-30")["outstanding_cents"].sum()
    assert weekly["expected_cents"].sum() == open_total
