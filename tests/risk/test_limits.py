"""Recommended limits by method, the binding one, utilisation and over-limit exposure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditdash.risk.assess import risk_table
from creditdash.risk.features import features_at
from creditdash.risk.limits import limit_methods, recommended_limits
from creditdash.risk.policy import default_policy
from tests.risk.conftest import AS_OF


def policy_in_yuan():
    policy = default_policy()
    policy["limits"]["round_to"] = 1
    return policy


def test_needs_based_limit_by_hand(tiny):
    f = features_at(tiny, AS_OF)
    limits = recommended_limits(f, np.array(["C", "A"]), policy_in_yuan()).set_index("customer_id")
    # C1: 3,500 sold in 180 days = 5.91 months -> 591.84 a month; x (30 + 15) / 30 x 0.75 (grade C)
    assert limits.loc["C1", "limit_needs_cents"] == pytest.approx(
        350_000 * 30.4375 / 180 * 1.125, abs=1
    )
    assert limits.loc["C1", "recommended_limit_cents"] == 66_500
    assert limits.loc["C1", "binding"] == "needs"
    # C2: one month of tenure (at least 1): 300 x 1.5 x 1.25 (grade A) = 562.50
    assert limits.loc["C2", "recommended_limit_cents"] == 56_200


def test_outside_limits_bind_when_smaller(tiny):
    f = features_at(tiny, AS_OF).assign(
        bureau_recommended_limit_cents=pd.array([40_000, None], dtype="Int64"),
        bureau_insured_limit_cents=pd.array([None, 10_000], dtype="Int64"),
        bureau_net_worth_cents=pd.array([1_000_000, None], dtype="Int64"),
    )
    limits = recommended_limits(f, np.array(["C", "A"]), policy_in_yuan())
    by_id = limits.set_index("customer_id")
    assert by_id.loc["C1", "binding"] == "third_party"  # 400 x 0.75 = 300 < 10% of 10,000 x 0.75
    assert by_id.loc["C1", "recommended_limit_cents"] == 30_000
    assert by_id.loc["C2", "binding"] == "insured"  # not scaled by the grade
    assert by_id.loc["C2", "recommended_limit_cents"] == 10_000
    methods = limit_methods(limits, "C1").set_index("method")
    assert methods.loc["third_party", "binding"] and not methods.loc["needs", "binding"]
    assert np.isnan(methods.loc["working_capital", "figure_cents"])


def test_grade_e_gets_no_credit(tiny):
    f = features_at(tiny, AS_OF)
    limits = recommended_limits(f, np.array(["E", "E"]), default_policy())
    assert (limits["recommended_limit_cents"] == 0).all()


def test_utilisation_and_over_limit_with_an_approved_limit(tiny):
    table = risk_table(tiny, AS_OF, default_policy()).set_index("customer_id")
    assert table.loc["C1", "over_limit_cents"] == 0 and table.loc["C1", "utilisation"] == 0.5
    table = risk_table(tiny, AS_OF, default_policy(), limits={"C1": 20_000}).set_index(
        "customer_id"
    )
    assert table.loc["C1", "credit_limit_cents"] == 20_000
    assert table.loc["C1", "over_limit_cents"] == 30_000
    assert table.loc["C1", "utilisation"] == pytest.approx(2.5)
    assert table.loc["C2", "over_limit_cents"] == 0  # no limit: nothing is over it
