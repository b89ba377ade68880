"""The review's charts: data per series, and their words in English and Chinese."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.review import build_review, charts, week_figures
from tests.review.conftest import small_ledger


@pytest.fixture(scope="module")
def review():
    """The small ledger's review without the sections of other domains."""
    ledger = small_ledger()
    return build_review(
        ledger, "2026-11-20", compute=lambda week, _: week_figures(ledger, week, optional=False)
    )


@pytest.mark.parametrize(
    ("lang", "title", "names", "axis"),
    [
        ("en", "Total and overdue AR, week by week", ["Total AR", "Overdue AR"], "AR (CNY)"),
        ("zh", "应收总额与逾期应收（逐周）", ["应收总额", "逾期应收"], "应收账款 (CNY)"),
    ],
)
def test_ar_trend(review, lang, title, names, axis):
    fig = charts.ar_trend_chart(review.trends, "CNY", lang)
    assert fig.layout.title.text == title and fig.layout.yaxis.title.text == axis
    assert [s.name for s in fig.data] == names
    total, overdue = fig.data
    assert list(total.y) == [2500.0] * 5 + [3500.0, 3800.0, 3800.0]  # C3's 300 on 11-10
    assert list(overdue.y)[-1] == 2500.0 and total.x[-1] == "2026-11-20"


@pytest.mark.parametrize(
    ("lang", "title", "names", "first", "axis"),
    [
        ("en", "AR by aging bucket: now, a week and 4 weeks ago",
         ["Now", "A week ago", "4 weeks ago"], "Current", "Outstanding (CNY)"),
        ("zh", "各账龄区间应收：本周、一周前与四周前", ["本周", "一周前", "四周前"], "未到期",
         "未收余额 (CNY)"),
    ],
)  # fmt: skip
def test_aging_change(review, lang, title, names, first, axis):
    fig = charts.aging_change_chart(review.aging, "CNY", lang)
    assert fig.layout.title.text == title and fig.layout.yaxis.title.text == axis
    assert [s.name for s in fig.data] == names
    assert fig.data[0].x[0] == first and len(fig.data[0].x) == 8  # no total
    assert list(fig.data[0].y) == [1300.0, 500.0, 0.0, 0.0, 2000.0, 0.0, 0.0, 0.0]
    assert list(fig.data[2].y)[:5] == [500.0, 0.0, 0.0, 2000.0, 0.0]  # 4 weeks ago: C2 at 61-90


@pytest.mark.parametrize(
    ("lang", "title", "axis", "colour", "hover"),
    [
        ("en", "Collection effectiveness by salesperson (best on top)", "CEI (%)", "Overdue %",
         "CEI %{x:.1f}<br>overdue %{customdata[0]:.1f}%<br>rank %{customdata[1]}"),
        ("zh", "各业务员回款有效指数（最好的在上）", "回款有效指数 (%)", "逾期占比 %",
         "回款有效指数 %{x:.1f}<br>逾期占比 %{customdata[0]:.1f}%<br>排名 %{customdata[1]}"),
    ],
)  # fmt: skip
def test_scorecard(review, lang, title, axis, colour, hover):
    fig = charts.scorecard_chart(review.scorecards["salesperson"], "salesperson", lang)
    assert fig.layout.title.text == title and fig.layout.xaxis.title.text == axis
    assert fig.data[0].marker.colorbar.title.text == colour
    assert fig.data[0].hovertemplate.startswith(hover)
    assert list(fig.data[0].y) == ["张伟", "Li"]  # best (rank 1) drawn on top
    assert list(fig.data[0].x) == [-66.67, 100.0]
    region = charts.scorecard_chart(review.scorecards["region"], "region", lang)
    assert region.layout.title.text != title


@pytest.mark.parametrize(
    ("lang", "title", "axis"),
    [
        ("en", "Biggest movers: change in overdue AR this week", "Change in overdue (CNY)"),
        ("zh", "变动最大的客户：本周逾期应收的变动", "逾期变动 (CNY)"),
    ],
)
def test_movers(lang, title, axis):
    up = pd.DataFrame({"customer_name": ["Grew"], "change": [300.0]})
    down = pd.DataFrame({"customer_name": ["Shrank"], "change": [-100.0]})
    fig = charts.movers_chart(up, down, "CNY", lang)
    assert fig.layout.title.text == title and fig.layout.xaxis.title.text == axis
    assert list(fig.data[0].x) == [-100.0, 300.0] and list(fig.data[0].y) == ["Shrank", "Grew"]
    assert list(fig.data[0].marker.color) == [charts.GOOD, charts.BAD]
