"""Risk charts are pure: assert on their data, bands and titles, in both languages."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.risk.charts import (
    calibration_chart,
    grade_distribution,
    payment_behaviour,
    risk_map,
    score_history_chart,
)
from creditdash.risk.policy import DEFAULT_POLICY

GRADES = DEFAULT_POLICY["grades"]


@pytest.mark.parametrize(
    ("lang", "title", "y_title"),
    [("en", "Score history (month ends)", "Score"), ("zh", "历史评分（各月末）", "评分")],
)
def test_score_history_shades_one_band_per_grade_between_its_scores(lang, title, y_title):
    history = pd.DataFrame(
        {"as_of": pd.date_range("2025-01-31", periods=3, freq="ME"), "score": [70.0, 64.5, 51.0]}
    )
    fig = score_history_chart(history, GRADES, lang=lang)
    bands = [(s.y0, s.y1) for s in fig.layout.shapes]
    floors = [g["min_score"] for g in GRADES]
    assert bands == list(zip(floors, [100.0, *floors[:-1]], strict=True))
    assert [a.text for a in fig.layout.annotations] == [g["grade"] for g in GRADES]
    assert list(fig.data[0].y) == [70.0, 64.5, 51.0]
    assert fig.layout.title.text == title and fig.layout.yaxis.title.text == y_title


@pytest.mark.parametrize(
    ("lang", "title", "panels"),
    [
        ("en", "Grade distribution and exposure by grade", ("Customers", "Exposure (CNY)")),
        ("zh", "等级分布及各等级风险敞口", ("客户数", "风险敞口 (CNY)")),
    ],
)
def test_grade_distribution_counts_and_exposure_per_grade(lang, title, panels):
    summary = pd.DataFrame(
        {"grade": ["A", "B"], "customers": [3, 1], "exposure_cents": [100_000, 25_050]}
    )
    fig = grade_distribution(summary, lang=lang)
    assert [list(t.y) for t in fig.data] == [[3, 1], [1000.0, 250.5]]  # exposure in yuan
    assert fig.layout.title.text == title
    assert tuple(a.text for a in fig.layout.annotations) == panels
    assert fig.data[0].hovertemplate.startswith("Grade %{x}" if lang == "en" else "%{x} 级")


@pytest.mark.parametrize(
    ("lang", "title", "series"),
    [
        ("en", "Risk map: score against exposure (bubble size = overdue)", ["Grade A", "Grade C"]),
        ("zh", "风险地图：评分与风险敞口（气泡大小 = 逾期金额）", ["A 级", "C 级"]),
    ],
)
def test_risk_map_one_series_per_grade_with_customers(lang, title, series):
    table = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "customer_name": ["Alpha", "Beta", "Gamma"],
            "score": [90.0, 55.0, 85.0],
            "grade": ["A", "C", "A"],
            "exposure_cents": [100_000, 50_000, 20_000],
            "overdue_cents": [0, 40_000, 0],
        }
    )
    fig = risk_map(table, ["A", "B", "C"], lang=lang)  # B has nobody: no series
    assert [t.name for t in fig.data] == series
    assert list(fig.data[0].x) == [90.0, 85.0] and list(fig.data[0].y) == [1000.0, 200.0]
    assert [list(row) for row in fig.data[1].customdata] == [["C2 Beta", 400.0]]
    assert fig.layout.title.text == title


@pytest.mark.parametrize(
    ("lang", "title", "names"),
    [
        ("en", "Payment behaviour (bubble size = amount, CNY)", ["On time or early", "Late"]),
        ("zh", "回款行为（气泡大小 = 金额，CNY）", ["按时或提前", "逾期"]),
    ],
)
def test_payment_behaviour_splits_on_time_and_late(lang, title, names):
    payments = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3"],
            "payment_date": pd.to_datetime(["2025-02-10", "2025-03-01", "2025-04-30"]),
            "amount_cents": [100_000, 20_000, 200_000],
            "days_late": [10, -3, 30],
        }
    )
    fig = payment_behaviour(payments, lang=lang)
    assert [t.name for t in fig.data] == names
    assert list(fig.data[0].y) == [-3] and list(fig.data[1].y) == [10, 30]
    assert [row[1] for row in fig.data[1].customdata] == [1000.0, 2000.0]
    assert fig.layout.title.text == title


@pytest.mark.parametrize(
    ("lang", "title", "names"),
    [
        ("en", "Calibration by grade (later dates the model never saw)",
         ["Predicted (mean PD)", "Observed default rate"]),
        ("zh", "分等级校准（模型未见过的较晚日期）", ["预测值（平均违约概率）", "实际违约率"]),
    ],
)  # fmt: skip
def test_calibration_predicted_against_observed(lang, title, names):
    calibration = pd.DataFrame(
        {"grade": ["A", "B"], "predicted": [0.01, 0.05], "observed": [0.0, 0.08]}
    )
    fig = calibration_chart(calibration, lang=lang)
    assert [t.name for t in fig.data] == names
    assert [list(t.y) for t in fig.data] == [[0.01, 0.05], [0.0, 0.08]]
    assert fig.layout.title.text == title
