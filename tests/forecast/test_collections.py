"""Weekly collections: exact expectation, honest simulated bands, week bounds."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from creditdash.errors import InvalidArgument, NotFitted
from creditdash.forecast.collections import (
    CollectionsForecast,
    never_paid_factor,
    simulate_weeks,
    week_bounds,
)
from creditdash.ledger import Ledger
from tests.forecast.conftest import regular_ledger, run_ledger


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


class _Curve:
    """A stand-in for a fitted PaymentTiming: survival 0.5 at the invoice's delay, 0.2 at the end."""

    max_delay = 400

    def unpaid_share(self, curve):
        return np.full(len(curve), 0.2)

    def log_survival(self, curve, delay):
        return np.log(np.full(len(curve), 0.5))


def test_never_paid_factor_by_hand():
    # S(e) = 0.5, curve's own never-paid share q0 = 0.2, new chance q = 0.4:
    # payers' curve S*(e) = (0.5 - 0.2) / 0.8 = 0.375; new S'(e) = 0.4 + 0.6 * 0.375 = 0.625.
    # A week with dS = 0.1 had P = 0.1 / 0.5 = 0.2; now 0.6 * (0.1 / 0.8) / 0.625 = 0.12.
    factor = never_paid_factor(
        _Curve(), np.zeros(4, dtype=np.intp), np.array([10, 10, 10, 500]),
        np.array([0.4, 0.2, np.nan, 0.4]),
    )  # fmt: skip
    assert factor == pytest.approx([0.6, 1.0, 1.0, 1.0])  # same chance, no chance, past the grid


def test_never_paid_chance_replaces_the_curves_own(ledger):
    base = CollectionsForecast(n_sims=200).fit(ledger, "2023-06-30")
    own = base.timing_.unpaid_share(base.timing_.customer_curve_)
    ids = [f"C{i}" for i in range(12)]
    same = CollectionsForecast(n_sims=200).fit(
        ledger, "2023-06-30", never_paid=pd.Series(own, index=ids), timing=base.timing_
    )
    np.testing.assert_allclose(same.probabilities_, base.probabilities_, atol=1e-12)
    never = CollectionsForecast(n_sims=200).fit(
        ledger, "2023-06-30", never_paid=pd.Series(1.0, index=ids), timing=base.timing_
    )
    disputed = never.items_.disputed
    assert disputed.any() and (~disputed).any()
    assert never.probabilities_[~disputed, :13].sum() == 0  # undisputed: never paid
    np.testing.assert_allclose(  # disputed invoices keep their own curve
        never.probabilities_[disputed], base.probabilities_[disputed], atol=1e-12
    )
    detail = never.invoices_
    assert never.weekly_["expected_cents"].sum() == pytest.approx(
        detail.loc[detail["disputed"], "expected_in_horizon_cents"].sum(), abs=13
    )


def test_payment_run_customer_is_expected_on_its_run_day():
    # pays on the first 25th on or after the due date. At 2024-06-30 the invoices due
    # 06-26 .. 07-25 come on 07-25 (week 4) and those due 07-26 .. 07-30 on 08-25 (week 8).
    ledger = run_ledger("2024-06-30")
    fc = CollectionsForecast(n_sims=200).fit(ledger, "2024-06-30")
    assert fc.timing_.run_day_[0] == 25
    weekly = fc.weekly_.set_index("week")["expected_cents"]
    assert weekly.sum() == pytest.approx(1_100_000, abs=20)
    assert weekly[[4, 8]].sum() == pytest.approx(1_100_000, abs=20)  # only on run days
    # the curve already holds the wait for the run: it is not added a second time
    assert weekly[4] > 850_000


def test_a_partly_paid_invoice_is_forecast_at_what_remains():
    ledger = regular_ledger("2024-06-30", days_late=10)
    inv = ledger.invoices
    target = inv.loc[inv["due_date"] == pd.Timestamp("2024-07-22"), "invoice_id"].iloc[0]
    part = pd.DataFrame({
        "payment_id": ["PART"], "customer_id": ["C0"], "invoice_id": [target],
        "payment_date": [pd.Timestamp("2024-06-28")], "amount_cents": [40_000],
    })  # fmt: skip
    partly = Ledger.from_frames(
        ledger.customers, inv, pd.concat([ledger.payments, part], ignore_index=True)
    )
    fc = CollectionsForecast(n_sims=300).fit(partly, "2024-06-30")
    row = fc.invoices_.set_index("invoice_id").loc[target]
    assert row["outstanding_cents"] == 60_000
    assert row["expected_in_horizon_cents"] == pytest.approx(60_000, abs=1)
    remaining = fc.invoices_["outstanding_cents"].sum()
    assert remaining == 5 * 100_000 + 60_000  # due 06-24 (paid 07-04) .. 07-22 open
    assert fc.weekly_["expected_cents"].sum() == pytest.approx(remaining, abs=13)
    assert fc.samples_.sum(axis=1).max() <= remaining + 1  # no draw collects the full amount


def test_errors():
    with pytest.raises(InvalidArgument, match="`weeks` must be a whole number from 1 to 52"):
        CollectionsForecast(weeks=0)
    with pytest.raises(InvalidArgument, match="`correlation` must be between 0 and 1"):
        CollectionsForecast(correlation=1.5)
    with pytest.raises(InvalidArgument, match="`n_sims` must be at least 100"):
        CollectionsForecast(n_sims=10)
    with pytest.raises(NotFitted, match="CollectionsForecast is not fitted"):
        _ = CollectionsForecast().invoices_
