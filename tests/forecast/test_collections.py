"""Weekly collections: exact expectation, honest simulated bands, week bounds."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from creditdash.errors import InvalidArgument, NotFitted
from creditdash.forecast.collections import CollectionsForecast, simulate_weeks, week_bounds


def _exact_quantile(values: np.ndarray, probs: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    cdf = np.cumsum(probs[order])
    return float(values[order][np.searchsorted(cdf, q - 1e-12)])


def test_simulated_bands_contain_the_exact_distribution_quantiles():
    amounts = np.array([100.0, 200.0, 400.0, 50.0])
    p1 = np.array([0.5, 0.3, 0.8, 0.6])
    probs = np.column_stack([p1, 1 - p1])  # one week, then "later"
    values, weights = [], []
    for outcome in itertools.product([0, 1], repeat=4):
        o = np.array(outcome)
        values.append(float((amounts * o).sum()))
        weights.append(float(np.prod(np.where(o == 1, p1, 1 - p1))))
    values, weights = np.array(values), np.array(weights)
    sims = simulate_weeks(
        probs, amounts, np.arange(4), n_sims=40_000, correlation=0.0, max_simulated=10, seed=1
    )[:, 0]
    for q in (0.1, 0.5, 0.9):
        lo = _exact_quantile(values, weights, q - 0.02)
        hi = _exact_quantile(values, weights, q + 0.02)
        assert lo <= np.quantile(sims, q) <= hi
    assert sims.mean() == pytest.approx((amounts * p1).sum(), rel=0.02)


def test_normal_part_matches_mean_and_widens_with_correlation():
    rng = np.random.default_rng(0)
    amounts = rng.uniform(1, 10, 5000)
    p = rng.uniform(0.1, 0.9, 5000)
    probs = np.column_stack([p, 1 - p])
    customer = np.arange(5000) // 50
    kw = {"n_sims": 4000, "max_simulated": 0, "seed": 2}
    independent = simulate_weeks(probs, amounts, customer, correlation=0.0, **kw)[:, 0]
    correlated = simulate_weeks(probs, amounts, customer, correlation=0.8, **kw)[:, 0]
    assert independent.mean() == pytest.approx((amounts * p).sum(), rel=0.01)
    assert independent.std() == pytest.approx(np.sqrt((amounts**2 * p * (1 - p)).sum()), rel=0.1)
    assert correlated.std() > 2 * independent.std()


def test_week_bounds_follow_the_metric_definition():
    weeks = week_bounds("2025-03-20", 2)
    assert list(weeks["start"]) == [pd.Timestamp("2025-03-21"), pd.Timestamp("2025-03-28")]
    assert list(weeks["end"]) == [pd.Timestamp("2025-03-27"), pd.Timestamp("2025-04-03")]


def test_forecast_frame_shape_and_consistency(ledger):
    fc = CollectionsForecast(weeks=13, n_sims=300).fit(ledger, "2023-06-30")
    weekly = fc.weekly_
    assert list(weekly.columns) == [
        "week", "start", "end", "expected_cents", "p10_cents", "p50_cents", "p90_cents",
    ]  # fmt: skip
    assert len(weekly) == 13
    assert (weekly["p10_cents"] <= weekly["p90_cents"]).all()
    detail = fc.invoices_
    assert detail["w1"].sum() == pytest.approx(weekly["expected_cents"].iloc[0], abs=20)
    assert (detail["expected_in_horizon_cents"] <= detail["outstanding_cents"] + 1).all()


def test_never_paid_scales_a_customer_down(ledger):
    base = CollectionsForecast(n_sims=200).fit(ledger, "2023-06-30")
    everyone = pd.Series(1.0, index=[f"C{i}" for i in range(12)])
    none = CollectionsForecast(n_sims=200).fit(ledger, "2023-06-30", never_paid=everyone)
    assert base.weekly_["expected_cents"].sum() > 0
    assert none.weekly_["expected_cents"].sum() == 0


def test_errors():
    with pytest.raises(InvalidArgument, match="`weeks` must be a whole number from 1 to 52"):
        CollectionsForecast(weeks=0)
    with pytest.raises(InvalidArgument, match="`correlation` must be between 0 and 1"):
        CollectionsForecast(correlation=1.5)
    with pytest.raises(InvalidArgument, match="`n_sims` must be at least 100"):
        CollectionsForecast(n_sims=10)
    with pytest.raises(NotFitted, match="CollectionsForecast is not fitted"):
        _ = CollectionsForecast().invoices_
