"""The never-paid chance from the risk model's PD: bands by hand, no look-ahead, fallback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditdash.forecast.collections import OpenInvoices
from creditdash.forecast.nonpayment import DefaultRisk, never_paid_chance
from creditdash.forecast.weekly import cash_forecast
from creditdash.ledger import Ledger, ledger_arrays


class _Curves:
    """Stand-in for fitted payment curves: customer code i leaves `shares[i]` unpaid."""

    def __init__(self, shares):
        self.shares = np.asarray(shares, dtype=float)
        self.customer_curve_ = np.arange(len(shares))

    def unpaid_share(self, curve):
        return self.shares[curve]


def _items(customer, outstanding, disputed) -> OpenInvoices:
    n = len(customer)
    zeros = np.zeros(n, dtype=np.int64)
    return OpenInvoices(
        position=np.arange(n),
        customer=np.asarray(customer),
        outstanding=np.asarray(outstanding, dtype=float),
        due_day=zeros,
        invoice_day=zeros,
        disputed=np.asarray(disputed, dtype=bool),
    )


def test_each_pd_band_gets_its_customers_amount_weighted_unpaid_share(ledger):
    ids = ledger_arrays(ledger).customers["customer_id"].to_numpy()  # 12 customers
    pd_ = pd.Series(np.linspace(0.01, 0.12, 12), index=ids)
    pd_.iloc[11] = np.nan  # no PD for the last customer
    shares = np.linspace(0.0, 0.11, 12)
    # open, undisputed money: customers 0-3 (low PD) and 8-11 (high PD); customer 2 only disputed
    items = _items(
        customer=[0, 1, 2, 3, 8, 9, 10, 11],
        outstanding=[100, 300, 500, 100, 200, 200, 600, 50],
        disputed=[False, False, True, False, False, False, False, False],
    )
    chance = never_paid_chance(ledger, pd_, _Curves(shares), items, bands=2)
    # customers with money and a PD: 0, 1, 3, 8, 9, 10; the median of their PDs splits them
    low = (100 * 0.00 + 300 * 0.01 + 100 * 0.03) / 500
    high = (200 * 0.08 + 200 * 0.09 + 600 * 0.10) / 1000
    assert chance.iloc[[0, 1, 2, 3, 4, 5]].to_numpy() == pytest.approx([low] * 6)
    assert chance.iloc[[6, 7, 8, 9, 10]].to_numpy() == pytest.approx([high] * 5)
    assert np.isnan(chance.iloc[11])


def test_without_a_pd_model_the_book_keeps_its_own_curves(ledger):
    risk = DefaultRisk(ledger)
    assert risk.at("2023-06-30") is None
    assert "The PD model needs" in risk.note_
    result = cash_forecast(ledger, "2023-06-30", new_sales=False, n_sims=200)
    assert result.never_paid_from == "history"
    assert result.collections.never_paid_ is None


@pytest.fixture(scope="module")
def demo():
    from creditdash.demo import generate_demo

    return generate_demo()


def test_pd_at_an_origin_uses_no_data_after_it(demo):
    origin = pd.Timestamp("2025-12-31")
    full = Ledger.from_frames(demo.customers, demo.invoices, demo.payments)
    inv = demo.invoices[demo.invoices["invoice_date"] <= origin]
    pay = demo.payments[demo.payments["payment_date"] <= origin]
    known = Ledger.from_frames(demo.customers, inv, pay)
    seen = DefaultRisk(known).at(origin)
    assert seen is not None and seen.between(0, 1).all()
    pd.testing.assert_series_equal(DefaultRisk(full).at(origin), seen)


def test_forecast_takes_the_never_paid_chance_from_the_pd(demo):
    ledger = Ledger.from_frames(demo.customers, demo.invoices, demo.payments)
    result = cash_forecast(ledger, "2025-12-31", new_sales=False, n_sims=200)
    assert result.never_paid_from == "risk"
    chance = result.collections.never_paid_
    assert chance.notna().sum() > 100 and chance.max() < 1
