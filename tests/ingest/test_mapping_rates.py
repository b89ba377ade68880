"""A rates file headed as the README writes it (currency, date, rate) is read as rates."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.ingest.mapping import detect_kind
from tests.ingest.conftest import build_xlsx, run


@pytest.mark.parametrize(
    "header",
    ["currency, date, rate", "Currency,Date,Rate", "币种,日期,汇率", "Currency,Date,Exchange rate"],
)
def test_a_rates_csv_with_a_plain_date_column(header):
    batch = run("fx.csv", f"{header}\nUSD,2025-05-01,7.10\nUSD,2025-06-30,7.20\n")
    assert batch.errors == []
    [mapping] = batch.mappings
    assert mapping.kind == "rates"
    assert sorted(f for f in mapping.mapping.values() if f) == ["currency", "rate", "rate_date"]
    assert batch.rates.to_dict("list") == {
        "currency": ["USD", "USD"],
        "rate_date": [pd.Timestamp("2025-05-01"), pd.Timestamp("2025-06-30")],
        "rate": [7.10, 7.20],
    }
    assert batch.invoices.empty


def test_a_rates_sheet_in_a_workbook():
    book = build_xlsx(
        {"FX": [["Exchange rates"], ["Currency", "Date", "Rate"], ["EUR", "2025-06-30", 7.9]]}
    )
    batch = run("fx.xlsx", book)
    assert batch.errors == [] and batch.mappings[0].kind == "rates"
    assert batch.rates["rate_date"].tolist() == [pd.Timestamp("2025-06-30")]


def test_an_invoice_sheet_with_a_rate_column_stays_an_invoice_sheet():
    assert detect_kind({"invoice_id", "invoice_date", "amount", "currency", "rate"}) == "invoices"
    assert detect_kind({"currency", "invoice_date", "rate"}) == "rates"
