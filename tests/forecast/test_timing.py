"""PaymentTiming: known answers on tiny ledgers, censoring, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditdash.errors import InsufficientHistory, InvalidArgument, NotFitted
from creditdash.forecast.collections import CollectionsForecast
from creditdash.forecast.timing import PaymentTiming
from tests.forecast.conftest import regular_ledger


def test_customer_always_ten_days_late_puts_all_mass_in_the_right_week():
    # as_of 2024-06-30; the invoice of 2024-06-22 is due 07-22 (day 22), paid day 32 = week 5
    ledger = regular_ledger("2024-06-30", days_late=10)
    fc = CollectionsForecast(n_sims=200).fit(ledger, "2024-06-30")
    inv = fc.invoices_.set_index("invoice_id")
    row = inv.loc[inv["due_date"] == pd.Timestamp("2024-07-22")].iloc[0]
    assert row["w5"] == pytest.approx(100_000, rel=0.01)
    assert row["expected_in_horizon_cents"] == pytest.approx(100_000, rel=0.01)


def test_without_smoothing_the_mass_is_on_the_exact_day():
    ledger = regular_ledger("2024-06-30", days_late=10)
    timing = PaymentTiming(smooth_days=0).fit(ledger, "2024-06-30")
    curve = timing.curve_of(np.array([0]))
    # fresh invoice at delay -30 (invoice date): survival drops to ~0 exactly at delay 10
    log_s = timing.log_survival(curve, np.array([9, 10]))
    assert np.exp(log_s[0]) > 0.99
    assert np.exp(log_s[1]) < 0.01


def test_overdue_invoice_is_conditioned_on_not_being_paid_yet():
    ledger = regular_ledger("2024-06-30", days_late=10)
    timing = PaymentTiming().fit(ledger, "2024-06-30")
    probs = timing.weekly_probabilities(timing.curve_of(np.array([0])), np.array([60]), 13)
    assert probs.sum() == pytest.approx(1.0)
    assert probs[0, :13].sum() < probs[0, 13] + 1  # well-formed; now check it is not "certain"
    assert probs[0, 13] > 0  # past every observed delay: some mass stays beyond the horizon


def test_open_invoices_are_censored_not_ignored():
    # pays 40 days late; at as_of the recent invoices are open. Ignoring them would not bias
    # here, but the hazard before delay 40 must stay ~0 although many invoices are at risk.
    ledger = regular_ledger("2024-06-30", days_late=40)
    timing = PaymentTiming(smooth_days=0).fit(ledger, "2024-06-30")
    curve = timing.curve_of(np.array([0]))
    assert np.exp(timing.log_survival(curve, np.array([39])))[0] > 0.99


def test_customer_with_little_history_follows_its_segment():
    ledger = regular_ledger("2024-06-30", days_late=10, customers=3)
    timing = PaymentTiming(prior_invoices=3).fit(ledger, "2024-06-30")
    assert timing.segments_ == ["Key account", "SME"]
    assert (timing.segment_curve_ >= timing.n_customers_).all()


def test_errors():
    ledger = regular_ledger()
    with pytest.raises(NotFitted, match="call fit"):
        PaymentTiming().curve_of(np.array([0]))
    with pytest.raises(InsufficientHistory, match="No invoices dated on or before 2020-01-01"):
        PaymentTiming().fit(ledger, "2020-01-01")
    with pytest.raises(InvalidArgument, match="`half_life_days` must be positive"):
        PaymentTiming(half_life_days=0)
    with pytest.raises(InvalidArgument, match="`reference` must be"):
        PaymentTiming(reference="paid")
    with pytest.raises(InvalidArgument, match="`prior_invoices` must be >= 0"):
        PaymentTiming(prior_invoices=-1)
    with pytest.raises(InvalidArgument, match="`min_delay` must be below"):
        PaymentTiming(min_delay=5, max_delay=5)
