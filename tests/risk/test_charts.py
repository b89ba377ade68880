"""Risk charts are pure: assert on their data, bands and titles."""

from __future__ import annotations

import pandas as pd

from creditdash.risk.charts import grade_distribution, score_history_chart
from creditdash.risk.policy import DEFAULT_POLICY

GRADES = DEFAULT_POLICY["grades"]


def test_score_history_shades_one_band_per_grade_between_its_scores():
    history = pd.DataFrame(
        {"as_of": pd.date_range("2025-01-31", periods=3, freq="ME"), "score": [70.0, 64.5, 51.0]}
    )
    fig = score_history_chart(history, GRADES, title="Score")
    bands = [(s.y0, s.y1) for s in fig.layout.shapes]
    floors = [g["min_score"] for g in GRADES]
    assert bands == list(zip(floors, [100.0, *floors[:-1]], strict=True))
    assert [a.text for a in fig.layout.annotations] == [g["grade"] for g in GRADES]
    assert list(fig.data[0].y) == [70.0, 64.5, 51.0]
    assert fig.layout.title.text == "Score"


def test_grade_distribution_counts_and_exposure_per_grade():
    summary = pd.DataFrame({"grade": ["A", "B"], "customers": [3, 1], "exposure": [1000.0, 250.0]})
    fig = grade_distribution(summary, title="Grades")
    assert [list(t.y) for t in fig.data] == [[3, 1], [1000.0, 250.0]]
    assert fig.layout.title.text == "Grades"
