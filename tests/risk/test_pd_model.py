"""The PD model: time-consistent design, back-test on the demo company, thin history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditdash.errors import InsufficientHistory, NotFitted
from creditdash.risk.features import features_at
from creditdash.risk.outcomes import defaults_within, training_dates
from creditdash.risk.pd_model import PDModel, fit_pd_model, training_design
from creditdash.risk.policy import default_policy
from creditdash.risk.validation import auc, backtest, ks
from tests.risk.conftest import tiny_frames, truncated


def test_auc_and_ks_by_hand():
    y = np.array([1, 1, 0, 0, 0], dtype=bool)
    assert auc(y, np.array([0.9, 0.4, 0.5, 0.1, 0.2])) == pytest.approx(5 / 6)
    assert auc(y, np.array([0.5, 0.5, 0.5, 0.5, 0.5])) == pytest.approx(0.5)
    assert ks(y, np.array([0.9, 0.8, 0.1, 0.2, 0.3])) == pytest.approx(1.0)
    assert auc(np.zeros(3, dtype=bool), np.ones(3)) is None


def test_training_rows_use_nothing_after_their_date(demo, demo_ledger):
    dates = [pd.Timestamp("2025-01-31"), pd.Timestamp("2025-06-30")]
    design = training_design(demo_ledger, dates)
    for date in dates:
        rows = design[design["as_of"] == date].drop(columns=["as_of", "defaulted"])
        cut = features_at(truncated(demo, date), date)
        cut = cut[cut["customer_id"].isin(rows["customer_id"])]
        pd.testing.assert_frame_equal(rows.reset_index(drop=True), cut.reset_index(drop=True))
    assert (design["worst_dpd_open"] < 90).all()  # already in default: left out


def test_outcome_is_an_invoice_reaching_90_dpd_unpaid():
    from creditdash.ledger import Ledger

    customers, invoices, payments = tiny_frames()
    ledger = Ledger.from_frames(customers, invoices, payments)
    # I3 (due 2025-05-31) is never paid: 90 dpd on 2025-08-29, 60 days after T
    out = defaults_within(ledger, "2025-06-30", 365).set_index("customer_id")
    assert out.loc["C1", "defaulted"] and out.loc["C1", "default_day_offset"] == 60
    # I4 (due 2025-07-01) unpaid too: 90 dpd on 2025-09-29, 91 days after T
    assert out.loc["C2", "default_day_offset"] == 91
    assert (
        not defaults_within(ledger, "2025-06-30", 59)
        .set_index("customer_id")
        .loc["C1", "defaulted"]
    )
    paid = pd.concat(
        [
            payments,
            pd.DataFrame(
                {
                    "payment_id": ["P4"],
                    "customer_id": ["C2"],
                    "invoice_id": ["I4"],
                    "payment_date": [pd.Timestamp("2025-09-28")],
                    "amount_cents": [29_000],  # within 5% of the invoice: settled
                }
            ),
        ]
    )
    later = defaults_within(Ledger.from_frames(customers, invoices, paid), "2025-06-30", 365)
    assert not later.set_index("customer_id").loc["C2", "defaulted"]


def test_backtest_on_the_demo_company_ranks_risk(demo, demo_ledger):
    result = backtest(demo_ledger, demo.as_of, default_policy())
    print(
        f"\nPD back-test (demo, out of time): AUC {result.auc:.3f}, KS {result.ks:.3f}, "
        f"scorecard AUC {result.scorecard_auc:.3f}, "
        f"{len(result.train_dates)} training dates, {len(result.test_dates)} test dates"
    )
    assert result.auc > 0.72 and result.ks > 0.3
    assert min(result.test_dates) > max(result.train_dates)
    cal = result.calibration.set_index("grade")
    assert cal.loc["A", "observed"] < cal.loc["C", "observed"] < cal.loc["D", "observed"]
    coef = result.model.coef_.set_index("feature")
    assert (coef["ci_low"] < coef["coef"]).all() and (coef["coef"] < coef["ci_high"]).all()
    assert coef.loc["worst_dpd_open", "ci_low"] > 0  # older open items: more defaults


def test_pd_at_as_of_agrees_with_the_generators_truth(demo, demo_ledger):
    model = fit_pd_model(demo_ledger, demo.as_of)
    features = features_at(demo_ledger, demo.as_of)
    joined = features.assign(pd=model.predict(features).to_numpy()).merge(demo.truth)
    bad = joined["behaviour"].isin(["defaulted", "deteriorating"]).to_numpy()
    score = auc(bad, joined["pd"].to_numpy())
    print(
        f"\nPD at {demo.as_of:%Y-%m-%d} vs the generator's truth (bad = defaulted or "
        f"deteriorating): AUC {score:.3f}"
    )
    assert score > 0.85
    assert max(model.dates_) <= demo.as_of - pd.Timedelta(days=365)


def test_thin_history_says_so(demo):
    short = truncated(demo, "2024-09-30")
    assert training_dates(short, "2024-09-30") == []
    with pytest.raises(
        InsufficientHistory, match="at least 2 training dates.*scorecard is used alone"
    ):
        fit_pd_model(short, "2024-09-30")


def test_too_few_defaults_says_so(demo_ledger):
    design = training_design(demo_ledger, [pd.Timestamp("2025-01-31"), pd.Timestamp("2025-02-28")])
    quiet = design.assign(defaulted=False)
    with pytest.raises(InsufficientHistory, match="at least 10 defaults.*has 0"):
        PDModel().fit(quiet)
    with pytest.raises(InsufficientHistory, match="at least 5000 customer-dates"):
        PDModel(min_rows=5000).fit(design)


def test_predict_before_fit():
    with pytest.raises(NotFitted, match="must be fitted before `predict`"):
        PDModel().predict(pd.DataFrame())


def test_a_design_without_variation_cannot_be_fitted_and_says_so():
    from creditdash.risk.pd_model import MODEL_INPUTS

    n = 60
    design = pd.DataFrame({name: np.zeros(n) for name in MODEL_INPUTS})
    design["tenure_days"] = 400
    design["customer_id"] = [f"C{i}" for i in range(n)]
    design["as_of"] = [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-29")] * (n // 2)
    design["defaulted"] = [i % 4 == 0 for i in range(n)]
    with pytest.raises(InsufficientHistory, match=r"cannot be fitted on this history \(Singular"):
        PDModel().fit(design)


def test_a_backtest_on_thin_history_says_how_many_dates_it_has():
    from creditdash.ledger import Ledger

    with pytest.raises(InsufficientHistory, match="at least 3 month ends .* up to 2025-06-30 "):
        backtest(Ledger.from_frames(*tiny_frames()), "2025-06-30", default_policy())
