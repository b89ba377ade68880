"""The review's charts: data per series, and titles and names as the caller gives them."""

from __future__ import annotations

import pytest

from creditdash.review import build_review, charts, week_figures
from tests.review.conftest import small_ledger


@pytest.fixture(scope="module")
def review():
    """The small ledger's review without the optional sections (other domains' tables)."""
    ledger = small_ledger()
    return build_review(
        ledger, "2026-11-20", compute=lambda week, _: week_figures(ledger, week, optional=False)
    )


def test_english_defaults(review):
    fig = charts.ar_trend_chart(review.trends)
    assert fig.layout.title.text == "Total and overdue AR, week by week"
    assert [s.name for s in fig.data] == ["Total AR", "Overdue AR"]
    assert fig.layout.yaxis.title.text == "AR (CNY)"
    fig = charts.scorecard_chart(review.scorecards["region"], "Region")
    assert fig.layout.title.text == "Collection effectiveness by region (best on top)"
    assert fig.data[0].hovertemplate.startswith("CEI %{x:.1f}<br>overdue ")


def test_titles_names_and_buckets_as_given(review):
    fig = charts.aging_change_chart(review.aging, title="账龄", names=("本周", "一周前", "四周前"),
                                    y_title="未收余额", bucket_names={"current": "未到期"})  # fmt: skip
    assert fig.layout.title.text == "账龄"
    assert [s.name for s in fig.data] == ["本周", "一周前", "四周前"]
    assert fig.layout.yaxis.title.text == "未收余额 (CNY)"
    assert fig.data[0].x[0] == "未到期" and "total" not in fig.data[0].x
    assert list(fig.data[0].y) == list(review.aging["now"][:-1])
    fig = charts.scorecard_chart(review.scorecards["salesperson"], title="评分",
                                 x_title="回款有效指数 (%)", colour_title="逾期占比 %",
                                 hover_names=("回款有效指数", "逾期占比", "排名"))  # fmt: skip
    assert fig.layout.title.text == "评分" and fig.layout.xaxis.title.text == "回款有效指数 (%)"
    assert fig.data[0].marker.colorbar.title.text == "逾期占比 %"
    assert "排名 %{customdata[1]}" in fig.data[0].hovertemplate
    fig = charts.movers_chart(review.movers_up, review.movers_down, title="变动",
                              x_title="逾期变动")  # fmt: skip
    assert fig.layout.title.text == "变动" and fig.layout.xaxis.title.text == "逾期变动 (CNY)"
