"""The PD model's numerics against statsmodels and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditdash.risk.pd_fit import platt, ridge_logit, screen_inputs, sigmoid


def _sample(seed: int = 3, n: int = 2000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(10, 3, n), rng.uniform(0, 1, n)])
    y = (rng.uniform(size=n) < sigmoid(-4 + 0.25 * x[:, 0] + 1.5 * x[:, 1])).astype(float)
    groups = np.arange(n) // 4  # four rows per customer
    return x, y, groups


def test_without_penalty_the_fit_is_statsmodels_logit_with_clustered_errors():
    import statsmodels.api as sm

    x, y, groups = _sample()
    ours = ridge_logit(x, y, groups, penalty=0.0)
    theirs = sm.Logit(y, sm.add_constant(x)).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False}
    )
    assert ours.coef == pytest.approx(theirs.params, abs=1e-6)
    k = groups.max() + 1
    assert np.sqrt(np.diag(ours.cov)) == pytest.approx(np.sqrt(k / (k - 1)) * theirs.bse, rel=1e-4)


def test_the_penalty_pulls_slopes_towards_zero_and_keeps_a_separated_fit_finite():
    x, y, groups = _sample()
    free, held = ridge_logit(x, y, groups, 0.0), ridge_logit(x, y, groups, 200.0)
    assert np.all(np.abs(held.coef[1:]) < np.abs(free.coef[1:]))
    separated = np.r_[np.zeros(50), np.ones(50)]
    fit = ridge_logit(np.arange(100.0)[:, None], separated, np.arange(100), 1.0)
    assert np.isfinite(fit.coef).all() and fit.coef[1] > 0


def test_platt_recovers_a_known_map():
    rng = np.random.default_rng(5)
    score = rng.normal(0, 2, 20_000)
    y = (rng.uniform(size=score.size) < sigmoid(-1.0 + 0.5 * score)).astype(float)
    a, b = platt(score, y)
    assert a == pytest.approx(-1.0, abs=0.06) and b == pytest.approx(0.5, abs=0.03)


def test_screening_names_why_each_column_is_left_out():
    rng = np.random.default_rng(1)
    n = 200
    base = rng.normal(size=n)
    raw = pd.DataFrame(
        {
            "days_late_recent": base,
            "mostly_missing": np.where(np.arange(n) < 40, 1.0, np.nan),
            "flat": np.full(n, 2.5),
            "overdue_share": rng.uniform(size=n),
            "twice": 2 * base + 3,
        }
    )
    raw["mix"] = raw["days_late_recent"] - 4 * raw["overdue_share"]
    screened = screen_inputs(raw, {"mostly_missing": 0.0})
    assert screened.kept == ["days_late_recent", "overdue_share"]
    why = {name: (text.code, text.params) for name, text in screened.dropped}
    assert why["mostly_missing"] == ("risk.pd.dropped.missing", {"present": 40, "rows": 200})
    assert why["flat"] == ("risk.pd.dropped.constant", {"value": "2.5"})
    assert why["twice"][0] == "risk.pd.dropped.collinear"
    assert why["twice"][1]["other"].code == "risk.var.days_late_recent"
    assert why["mix"][0] == "risk.pd.dropped.collinear"  # a combination of two kept columns
    assert screened.fills == {"days_late_recent": pytest.approx(np.median(base)),
                              "overdue_share": pytest.approx(np.median(raw["overdue_share"]))}  # fmt: skip
