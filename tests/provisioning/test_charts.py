"""Provision charts are pure: assert on their data and titles, in both languages."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.provisioning.charts import roll_rate_chart, trend_chart


@pytest.mark.parametrize(
    ("lang", "title", "names", "y_title"),
    [
        ("en", "Provision at recent month-ends",
         ["Collective (matrix)", "Individual (单项计提)", "Coverage % (right)"], "Provision (CNY)"),
        ("zh", "近几个月末的坏账准备", ["组合计提（矩阵）", "单项计提", "计提比例 %（右轴）"],
         "坏账准备（CNY）"),
    ],
)  # fmt: skip
def test_trend_stacks_the_parts_and_draws_coverage_on_the_right(lang, title, names, y_title):
    trend = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-31", "2025-02-28"]),
            "collective": [700.0, 776.0],
            "individual": [0.0, 150.0],
            "coverage": [0.4, 0.5],
        }
    )
    fig = trend_chart(trend, lang=lang)
    assert [t.name for t in fig.data] == names
    assert [list(t.y) for t in fig.data] == [[700.0, 776.0], [0.0, 150.0], [40.0, 50.0]]
    assert list(fig.data[0].x) == ["2025-01-31", "2025-02-28"] and fig.data[2].yaxis == "y2"
    assert fig.layout.title.text == title and fig.layout.yaxis.title.text == y_title


@pytest.mark.parametrize(
    ("lang", "title", "names"),
    [
        ("en", "Roll rate by bucket, month by month", ["Current", "1-30"]),
        ("zh", "各账龄区间逐月迁徙率", ["未到期", "1-30"]),
    ],
)
def test_roll_rates_one_line_per_bucket_named_for_the_reader(lang, title, names):
    monthly = pd.DataFrame(
        {"month_end": pd.to_datetime(["2025-02-28", "2025-03-31"]), "current": [0.5, 0.4],
         "1-30": [0.2, float("nan")]}
    )  # fmt: skip
    fig = roll_rate_chart(monthly, lang=lang)
    assert [t.name for t in fig.data] == names
    assert list(fig.data[0].y) == [50.0, 40.0] and list(fig.data[0].x) == ["2025-02", "2025-03"]
    assert fig.layout.title.text == title
