"""Scorecard points worked by hand; grades, caps and the explanation."""

from __future__ import annotations

import numpy as np
import pytest

from creditdash.errors import NotFound
from creditdash.risk.features import features_at
from creditdash.risk.policy import default_policy
from creditdash.risk.scorecard import band_shares, explain, grade_of, score_customers
from tests.risk.conftest import AS_OF


def test_band_shares_higher_and_lower_is_worse():
    spec = {"weight": 10, "bands": [[5, 0.2], [15, 0.5], [30, 1.0]]}
    got = band_shares(np.array([np.nan, 0, 5, 14.9, 15, 100]), spec)
    assert list(got) == [0, 0, 0.2, 0.2, 0.5, 1.0]
    lower = {"weight": 5, "lower_is_worse": True, "bands": [[365, 0.5], [180, 1.0]]}
    assert list(band_shares(np.array([100, 180, 364, 365, np.nan]), lower)) == [1, 0.5, 0.5, 0, 0]


def test_scores_worked_by_hand(tiny):
    scored = score_customers(features_at(tiny, AS_OF), default_policy()).set_index("customer_id")
    # C1 loses 9 (days late 24.3: 45% of 20) + 10 (all paid late) + 1.5 (30 dpd: 10% of 15)
    # + 10 (all overdue) + 2.5 (tenure 180 < 365: half of 5) + 5 (62.5% of AR) = 38
    assert scored.loc["C1", "score"] == 62.0 and scored.loc["C1", "grade"] == "C"
    assert scored.loc["C1", "lost_days_late_recent"] == pytest.approx(9.0)
    # C2 loses 5 (tenure 29 days) + 5 (37.5% of AR)
    assert scored.loc["C2", "score"] == 90.0 and scored.loc["C2", "grade"] == "A"


def test_grade_bands_and_caps(tiny):
    policy = default_policy()
    assert list(grade_of(np.array([100, 80, 79.9, 50, 0]), policy)) == ["A", "A", "B", "C", "E"]
    features = features_at(tiny, AS_OF).assign(legal_events=[2.0, np.nan])
    scored = score_customers(features, policy).set_index("customer_id")
    assert scored.loc["C1", "grade"] == "C"  # already C: the cap at C changes nothing
    features = features.assign(worst_dpd_open=[0, 120])
    scored = score_customers(features, policy).set_index("customer_id")
    assert scored.loc["C2", "grade"] == "D"
    assert "at best D" in scored.loc["C2", "capped_by"]


def test_explanation_lists_costliest_first(tiny):
    table = explain(features_at(tiny, AS_OF), default_policy(), "C1")
    assert table["points_lost"].sum() == pytest.approx(38.0)
    assert table.iloc[0]["points_lost"] == 10.0
    bureau = table.set_index("feature").loc["bureau_score"]
    assert bureau["band"] == "no data: no points lost"
    tenure = table.set_index("feature").loc["tenure_days"]
    assert tenure["band"] == "< 365: loses 50% of the weight"


def test_explaining_an_unknown_customer(tiny):
    with pytest.raises(NotFound, match="'C9' has no invoices on or before"):
        explain(features_at(tiny, AS_OF), default_policy(), "C9")
