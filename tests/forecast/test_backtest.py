"""Back-test: no look-ahead, baselines and WAPE by hand, result shape, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditdash.errors import InsufficientHistory, InvalidArgument
from creditdash.forecast.backtest import (
    baseline_avg_delay,
    baseline_due_date,
    collections_backtest,
    coverage,
    recent_backtest,
    wape,
)
from creditdash.forecast.collections import CollectionsForecast, open_invoices
from creditdash.ledger import Ledger, day_number
from tests.forecast.conftest import regular_ledger


def _cut(ledger: Ledger, origin: str) -> Ledger:
    """The ledger as it was known at origin: nothing dated after it."""
    d = pd.Timestamp(origin)
    inv = ledger.invoices[ledger.invoices["invoice_date"] <= d]
    pay = ledger.payments[ledger.payments["payment_date"] <= d]
    return Ledger.from_frames(ledger.customers, inv, pay)


def test_forecast_at_an_origin_uses_no_data_after_it(ledger):
    origin = "2023-03-31"
    full = CollectionsForecast(n_sims=300, seed=4).fit(ledger, origin).weekly_
    known = CollectionsForecast(n_sims=300, seed=4).fit(_cut(ledger, origin), origin).weekly_
    pd.testing.assert_frame_equal(full, known)


def test_backtest_actuals_are_the_payments_after_the_origin(ledger):
    result = collections_backtest(ledger, "2023-03-31", "2023-03-31", horizon_weeks=4)
    weeks = result.weeks
    d = day_number("2023-03-31")
    items = open_invoices(ledger, "2023-03-31")
    open_ids = set(ledger.invoices.iloc[np.argsort(ledger.invoices["invoice_date"].to_numpy(),
                                                   kind="stable")[items.position]]["invoice_id"])  # fmt: skip
    pay = ledger.payments[ledger.payments["invoice_id"].isin(open_ids)]
    days = (pay["payment_date"] - pd.Timestamp("1970-01-01")).dt.days
    for k in range(4):
        in_week = (days > d + 7 * k) & (days <= d + 7 * (k + 1))
        assert weeks["actual_cents"].iloc[k] == pay.loc[in_week, "amount_cents"].sum()


def test_wape_by_hand():
    assert wape(np.array([100, 200, 100]), np.array([110, 150, 100])) == pytest.approx(15.0)
    assert wape(np.array([0, 0]), np.array([5, 5])) is None


def test_baselines_by_hand():
    ledger = regular_ledger("2024-06-30", days_late=10)
    origin = day_number("2024-06-30")
    items = open_invoices(ledger, "2024-06-30")
    due = baseline_due_date(items, origin, 13)
    # open at 06-30: invoices of 06-29 .. 05-25, due 07-29 .. 06-24 (paid 10 days after due).
    # Week k = days 7(k-1)+1 .. 7k after 06-30.
    assert due.sum() == items.outstanding.sum()
    assert due[0] == 200_000  # due 06-24 (overdue: week 1) and 07-01 (day 1)
    late = baseline_avg_delay(ledger, items, origin, 13)
    assert late[0] == 100_000  # 06-24 + 10 = 07-04, day 4
    assert late[1] == 100_000  # 07-01 + 10 = 07-11, day 11


def test_backtest_reports_model_and_baselines(ledger):
    result = collections_backtest(
        ledger, "2023-01-06", "2023-06-30", step_days=28, horizon_weeks=13
    )
    assert len(result.origins) == 7
    assert set(result.summary) >= {
        "wape", "coverage_p10_p90", "baseline_due_date", "baseline_avg_delay", "approximate_weeks",
    }  # fmt: skip
    assert result.summary["wape"] < result.summary["baseline_due_date"]
    assert 0 <= result.summary["coverage_p10_p90"] <= 100


def test_recent_backtest_and_errors(ledger):
    assert len(recent_backtest(ledger, "2023-12-31", origins=3).origins) == 3
    with pytest.raises(InvalidArgument, match="`end` must not be before `start`"):
        collections_backtest(ledger, "2023-05-01", "2023-04-01")
    with pytest.raises(InvalidArgument, match="`step_days` must be a whole number >= 1"):
        collections_backtest(ledger, "2023-04-01", "2023-05-01", step_days=0)
    with pytest.raises(InvalidArgument, match="`start` must be after the first invoice"):
        collections_backtest(ledger, "2021-01-01", "2023-05-01")
    with pytest.raises(InsufficientHistory, match="A back-test needs at least 271 days"):
        recent_backtest(ledger, "2022-03-01")
    with pytest.raises(InsufficientHistory, match="The ledger is empty"):
        collections_backtest(Ledger.from_frames(), "2023-01-01", "2023-02-01")
    with pytest.raises(InsufficientHistory, match="The ledger is empty"):
        recent_backtest(Ledger.from_frames(), "2023-01-01")


def test_coverage_counts_only_weeks_with_money_forecast_or_collected():
    weeks = pd.DataFrame({
        "p10_cents": [10, 10, 0, 0, 0],
        "p90_cents": [20, 20, 5, 0, 0],
        "actual_cents": [15, 30, 0, 0, 7],
    })  # fmt: skip
    # live weeks: 1 (inside), 2 (above), 3 (inside: P90 > 0), 5 (collected, nothing forecast)
    assert coverage(weeks) == pytest.approx(50.0)
    assert coverage(weeks.iloc[[3]]) is None


def test_backtest_with_and_without_the_risk_model(ledger):
    # no defaults in this history: no PD model, so both runs take each customer's own curve
    with_risk = collections_backtest(
        ledger, "2023-03-31", "2023-04-28", step_days=14, horizon_weeks=4
    )
    without = collections_backtest(
        ledger, "2023-03-31", "2023-04-28", step_days=14, horizon_weeks=4, risk=False
    )
    pd.testing.assert_frame_equal(with_risk.weeks, without.weeks)
