"""Charts of the credit-term simulator: what they draw when the terms change and when not, and
their words in English and Chinese."""

from __future__ import annotations

import pytest

from creditdash.simulate import Baseline, Scenario, simulate, tornado
from creditdash.simulate.charts import tornado_chart, waterfall

BASE = Baseline(
    as_of="2026-03-31", selection="All customers", customers=3, credit_sales=1_000_000.0,
    ar=150_000.0, overdue_ar=20_000.0, dso=54.75, terms_days=30.0, days_late=10.0,
    days_to_pay=40.0, bad_debt_rate=0.01, bad_debt_cohort=500_000.0,
)  # fmt: skip
NAMES = ["Contribution", "Bad debt", "Discounts", "Carrying cost", "Late interest", "Net effect"]
NAMES_ZH = ["边际贡献", "坏账损失", "现金折扣", "资金占用成本", "逾期利息", "净影响"]


def test_unchanged_terms_draw_every_component_at_zero_and_say_so():
    fig = waterfall(simulate(BASE, Scenario()).components())
    (bars,) = fig.data
    assert list(bars.x) == NAMES
    assert list(bars.y) == [0.0] * 6
    assert list(bars.measure) == ["relative"] * 5 + ["total"]
    assert fig.layout.title.text == "Net annual effect, component by component"
    assert fig.layout.yaxis.title.text == "A year (CNY)"
    assert [a.text for a in fig.layout.annotations] == [
        "No change: the new terms leave every component at 0"
    ]
    assert tuple(fig.layout.yaxis.range) == (-1, 1)  # the zero line in the middle, not a blank


def test_the_waterfall_in_chinese():
    fig = waterfall(simulate(BASE, Scenario(net_days=30.0)).components(), "CNY", "zh")
    assert list(fig.data[0].x) == NAMES_ZH
    assert fig.layout.title.text == "年度净影响（按构成分解）"
    assert fig.layout.yaxis.title.text == "全年金额（CNY）"
    assert [a.text for a in fig.layout.annotations] == ["没有变化：新信用条件下各项均为 0"]


def test_changed_terms_draw_the_components_without_the_note():
    result = simulate(BASE, Scenario(net_days=60.0, sales_change=0.05))
    fig = waterfall(result.components())
    (bars,) = fig.data
    assert list(bars.x)[-1] == "Net effect"
    assert bars.y[-1] == result.net
    assert sum(bars.y[:-1]) == pytest.approx(result.net)
    assert not fig.layout.annotations
    assert fig.layout.yaxis.range is None


@pytest.mark.parametrize(
    ("lang", "title", "axis", "legend", "first"),
    [
        ("en", "Sensitivity of the net effect (tornado)", "Net annual effect (CNY)",
         ["Low value", "High value"], "Sales response"),
        ("zh", "净影响敏感性分析（龙卷风图）", "年度净影响（CNY）", ["取低值", "取高值"], "销售额变动"),
    ],
)  # fmt: skip
def test_the_tornado_in_both_languages(lang, title, axis, legend, first):
    scenario = Scenario(net_days=60.0, discount=0.02, discount_days=10.0, take_up=0.5)
    spread = tornado(BASE, scenario)
    result = simulate(BASE, scenario)
    fig = tornado_chart(spread, result.net, "CNY", lang)
    assert fig.layout.title.text == title and fig.layout.xaxis.title.text == axis
    assert [bars.name for bars in fig.data] == legend
    low, high = fig.data
    assert low.y[-1].startswith(first + " (")  # widest swing drawn on top
    assert list(low.x + low.base) == pytest.approx(list(spread["net_low"][::-1]))
    assert list(high.x + high.base) == pytest.approx(list(spread["net_high"][::-1]))
