"""Charts of the credit-term simulator: what they draw when the terms change and when not."""

from __future__ import annotations

import pytest

from creditdash.simulate import Baseline, Scenario, simulate
from creditdash.simulate.charts import NO_CHANGE, waterfall

BASE = Baseline(
    as_of="2026-03-31", selection="All customers", customers=3, credit_sales=1_000_000.0,
    ar=150_000.0, overdue_ar=20_000.0, dso=54.75, terms_days=30.0, days_late=10.0,
    days_to_pay=40.0, bad_debt_rate=0.01, bad_debt_cohort=500_000.0,
)  # fmt: skip
NAMES = ["Contribution", "Bad debt", "Discounts", "Carrying cost", "Late interest", "Net effect"]


def test_unchanged_terms_draw_every_component_at_zero_and_say_so():
    fig = waterfall(simulate(BASE, Scenario()).components(), no_change="Keine Änderung")
    (bars,) = fig.data
    assert list(bars.x) == NAMES
    assert list(bars.y) == [0.0] * 6
    assert list(bars.measure) == ["relative"] * 5 + ["total"]
    assert [a.text for a in fig.layout.annotations] == ["Keine Änderung"]
    assert tuple(fig.layout.yaxis.range) == (-1, 1)  # the zero line in the middle, not a blank


def test_the_default_no_change_text_is_english():
    fig = waterfall(simulate(BASE, Scenario(net_days=30.0)).components())
    assert [a.text for a in fig.layout.annotations] == [NO_CHANGE]


def test_changed_terms_draw_the_components_without_the_note():
    result = simulate(BASE, Scenario(net_days=60.0, sales_change=0.05))
    fig = waterfall(result.components(), labels={"net": "Net"})
    (bars,) = fig.data
    assert list(bars.x)[-1] == "Net"
    assert bars.y[-1] == result.net
    assert sum(bars.y[:-1]) == pytest.approx(result.net)
    assert not fig.layout.annotations
    assert fig.layout.yaxis.range is None
