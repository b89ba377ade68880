"""The PD model: time-consistent design, back-test on the demo company, thin history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditdash.errors import InsufficientHistory, NotFitted
from creditdash.risk.assess import assess
from creditdash.risk.features import features_at
from creditdash.risk.outcomes import defaults_within, training_dates
from creditdash.risk.pd_model import (
    MODEL_INPUTS,
    PD_CEILING,
    PD_FLOOR,
    SIGNS,
    PDModel,
    fit_pd_model,
    training_design,
)
from creditdash.risk.policy import default_policy
from creditdash.risk.validation import auc, ks, pd_backtest
from tests.risk.conftest import tiny_frames, truncated
from tests.risk.ledgers import plain_ledger


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
    result = pd_backtest(demo_ledger, demo.as_of, default_policy())
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


def test_a_design_without_variation_has_no_input_and_says_so():
    n = 60
    design = pd.DataFrame({name: np.zeros(n) for name in MODEL_INPUTS})
    design["tenure_days"] = 400
    design["customer_id"] = [f"C{i}" for i in range(n)]
    design["as_of"] = [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-29")] * (n // 2)
    design["defaulted"] = [i % 4 == 0 for i in range(n)]
    with pytest.raises(InsufficientHistory, match=r"no usable input .*days_late_recent \(the same"):
        PDModel().fit(design)


def test_an_ordinary_ledger_without_limits_or_reports_fits_and_every_customer_gets_a_pd():
    ledger = plain_ledger()
    model = fit_pd_model(ledger, "2024-12-31")
    reasons = dict(model.dropped_features_)
    for name in ("utilisation", "bureau_score", "legal_events"):
        assert reasons[name].code == "risk.pd.dropped.missing"
        assert reasons[name].params["present"] == 0
    assert reasons["disputed_share"].code == "risk.pd.dropped.constant"  # nothing disputed
    features = features_at(ledger, "2024-12-31")
    pd_ = model.predict(features)
    assert len(pd_) == 80 and pd_.notna().all()
    live = features["worst_dpd_open"] < 90
    assert pd_[live].between(PD_FLOOR, PD_CEILING).all() and (pd_[~live] == 1.0).all()
    result = assess(ledger, "2024-12-31", default_policy(), with_pd=True)
    assert result["pd_error"] is None and result["table"]["pd"].notna().all()
    said = [str(n) for n in result["pd_notes"]]
    assert "Left out of the PD model: utilisation: too few values (0 of 400 rows)." in said


def test_a_constant_and_a_repeated_input_are_reported_as_left_out():
    ledger = plain_ledger()
    design = training_design(ledger, training_dates(ledger, "2024-12-31"))
    design["days_late_trend"] = 3.0
    design["disputed_share"] = design["overdue_share"]
    model = PDModel().fit(design)
    reasons = dict(model.dropped_features_)
    assert reasons["days_late_trend"].code == "risk.pd.dropped.constant"
    assert str(reasons["days_late_trend"]) == "the same value (3) in every row"
    assert reasons["disputed_share"].code == "risk.pd.dropped.collinear"
    assert str(reasons["disputed_share"]) == "collinear with Overdue share"
    assert str(reasons["disputed_share"].render("zh")) == "与逾期金额占比共线"
    used = set(model.coef_["feature"])
    assert "overdue_share" in used and not used & {"days_late_trend", "disputed_share"}


def test_risk_rising_with_the_overdue_share_gets_a_positive_coefficient():
    for seed in (7, 8, 9):
        model = fit_pd_model(plain_ledger(seed), "2024-12-31")
        coef = model.coef_.set_index("feature")["coef"]
        assert coef["overdue_share"] > 0, seed
        for name, sign in SIGNS.items():
            if name in coef and sign:
                assert np.sign(coef[name]) == sign, (seed, name)


def test_a_coefficient_against_its_business_direction_is_left_out_and_refitted():
    ledger = plain_ledger()
    design = training_design(ledger, training_dates(ledger, "2024-12-31"))
    # a made-up tenure that is longest for the customers who default
    design["tenure_days"] = np.where(design["defaulted"], 900, 300) + np.arange(len(design)) % 7
    model = PDModel().fit(design)
    reasons = dict(model.dropped_features_)
    assert reasons["log_tenure_months"].code == "risk.pd.dropped.against"
    assert str(reasons["log_tenure_months"]).endswith("but risk falls with it")
    assert "log_tenure_months" not in set(model.coef_["feature"])


def test_pds_are_calibrated_on_the_later_training_dates(demo, demo_ledger):
    model = fit_pd_model(demo_ledger, demo.as_of)
    cal = model.calibration_
    assert cal is not None and cal["b"] > 0
    assert cal["from"] > model.dates_[0] and cal["rows"] < model.n_rows_
    assert model.fit_rows_ + cal["rows"] == model.n_rows_
    # a grade's mean PD and its default rate out of time stay close (the back-test's check)
    result = pd_backtest(demo_ledger, demo.as_of, default_policy())
    table = result.calibration.set_index("grade")
    print(f"\nCalibration by grade (out of time):\n{result.calibration.round(3)}")
    for grade in ("A", "B", "C"):
        assert abs(table.loc[grade, "predicted"] - table.loc[grade, "observed"]) < 0.1


def test_without_later_defaults_the_pds_are_left_uncalibrated_and_say_so():
    ledger = plain_ledger()
    design = training_design(ledger, training_dates(ledger, "2024-12-31"))
    model = PDModel(calibration_share=0.1).fit(design)
    assert model.calibration_ is None
    assert model.calibration_note_.code == "risk.pd.calibration.dates"
    assert str(model.notes()[-1]).startswith("PDs not calibrated: 7 training dates")


def test_the_coefficient_table_has_cluster_robust_intervals(demo_ledger, demo):
    model = fit_pd_model(demo_ledger, demo.as_of)
    coef = model.coef_.set_index("feature")
    assert list(model.coef_.columns) == [
        "feature", "coef", "std_err", "ci_low", "ci_high", "p_value", "odds_ratio",
    ]  # fmt: skip
    assert np.allclose(coef["ci_high"] - coef["coef"], 1.959964 * coef["std_err"])
    assert (coef["std_err"] > 0).all() and coef["p_value"].between(0, 1).all()
    assert coef.loc["worst_dpd_open", "ci_low"] > 0


def test_a_backtest_on_thin_history_says_how_many_dates_it_has():
    from creditdash.ledger import Ledger

    with pytest.raises(InsufficientHistory, match="at least 3 month ends .* up to 2025-06-30 "):
        pd_backtest(Ledger.from_frames(*tiny_frames()), "2025-06-30", default_policy())
