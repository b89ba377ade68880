"""Scorecard points worked by hand; grades, caps and the explanation."""

from __future__ import annotations

import numpy as np
import pandas as pd
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


def catastrophic_report(customer: str, report_date: str) -> pd.DataFrame:
    """One third-party report: score 3 of 100, rating E, four legal events."""
    return pd.DataFrame(
        {
            "customer_id": [customer],
            "provider": ["x"],
            "report_date": pd.to_datetime([report_date]).astype("datetime64[us]"),
            "imported_at": pd.to_datetime([report_date]),
            "score_normalised": [3.0],
            "rating": ["E"],
            "recommended_limit_cents": pd.array([None], dtype="Int64"),
            "insured_limit_cents": pd.array([None], dtype="Int64"),
            "net_worth_cents": pd.array([None], dtype="Int64"),
            "working_capital_cents": pd.array([None], dtype="Int64"),
            "pd": [0.6],
            "legal_events": pd.array([4], dtype="Int64"),
        }
    )


def clean_a(features: pd.DataFrame, customer: str) -> pd.DataFrame:
    """`features` with `customer` made spotless: nothing late, long tenure, a small share."""
    out = features.copy()
    row = out["customer_id"] == customer
    clean = {"days_late_recent": 0.0, "days_late_trend": 0.0, "share_paid_late": 0.0,
             "worst_dpd_open": 0, "overdue_share": 0.0, "utilisation": 0.2,
             "disputed_share": 0.0, "tenure_days": 2000, "concentration": 0.01}  # fmt: skip
    for column, value in clean.items():
        out.loc[row, column] = value
    return out


def test_a_catastrophic_report_caps_a_grade_a_customer_at_e(tiny):
    plain = clean_a(features_at(tiny, AS_OF), "C2")
    before = score_customers(plain, default_policy(), AS_OF).set_index("customer_id")
    assert before.loc["C2", "score"] == 100.0 and before.loc["C2", "grade"] == "A"
    reported = clean_a(features_at(tiny, AS_OF, catastrophic_report("C2", "2025-05-15")), "C2")
    after = score_customers(reported, default_policy(), AS_OF).set_index("customer_id")
    assert after.loc["C2", "score"] == 90.0  # the score alone loses its 10 points ...
    assert after.loc["C2", "grade"] == "E"  # ... but the report caps the grade
    assert after.loc["C2", "capped_by"] == "Third-party score (0-100) < 20: at best E"
    # the caps the policy had before: one legal event at C was all there was
    old = default_policy()
    old["caps"] = old["caps"][:2]
    assert score_customers(reported, old, AS_OF).set_index("customer_id").loc["C2", "grade"] == "C"


@pytest.mark.parametrize(
    ("edit", "grade", "capped_by"),
    [
        ({"bureau_score": 55.0}, "E", "Third-party rating is D / SD / RD / E / default / 违约: at best E"),
        ({"bureau_score": 55.0, "bureau_rating": " e "}, "E", "at best E"),
        ({"bureau_score": 55.0, "bureau_rating": "违约"}, "E", "at best E"),
        ({"bureau_score": 55.0, "bureau_rating": "B"}, "D", "Legal / enforcement events (third party) >= 3 within 12 months: at best D"),
        ({"bureau_score": 55.0, "bureau_rating": "B", "legal_events": 2.0}, "C", "Legal / enforcement events (third party) >= 1: at best C"),
        ({"bureau_score": 19.9, "bureau_rating": "B", "legal_events": 0.0}, "E", "< 20: at best E"),
        ({"bureau_score": 20.0, "bureau_rating": "B", "legal_events": 0.0}, "A", ""),
    ],
)  # fmt: skip
def test_each_third_party_cap_on_its_own(tiny, edit, grade, capped_by):
    reported = clean_a(features_at(tiny, AS_OF, catastrophic_report("C2", "2025-05-15")), "C2")
    for column, value in edit.items():
        reported.loc[reported["customer_id"] == "C2", column] = value
    got = score_customers(reported, default_policy(), AS_OF).set_index("customer_id").loc["C2"]
    assert got["grade"] == grade and capped_by in got["capped_by"]


def test_legal_events_in_an_old_report_only_count_for_the_unwindowed_cap(tiny):
    old = catastrophic_report("C2", "2024-03-31").assign(score_normalised=80.0, rating="B")
    reported = clean_a(features_at(tiny, AS_OF, old), "C2")
    got = score_customers(reported, default_policy(), AS_OF).set_index("customer_id").loc["C2"]
    assert got["grade"] == "C"  # 4 events, but 15 months old: the 12-month cap at D passes
    recent = score_customers(reported, default_policy(), "2025-03-30").set_index("customer_id")
    assert recent.loc["C2", "grade"] == "D"
    rows = reported.assign(as_of=pd.Timestamp("2025-03-30"))  # a back-test's rows carry their date
    assert (
        score_customers(rows, default_policy()).set_index("customer_id").loc["C2", "grade"] == "D"
    )


def test_the_risk_table_grades_with_the_report(tiny):
    from creditdash.risk.assess import risk_table

    table = risk_table(tiny, AS_OF, default_policy(), catastrophic_report("C2", "2025-05-15"))
    c2 = table.set_index("customer_id").loc["C2"]
    assert c2["grade"] == "E" and c2["capped_by"].endswith("at best E")
