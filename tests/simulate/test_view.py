"""The Credit terms page's view: one scenario worked out by hand, its sentences in both
languages, saved scenarios run one at a time."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from creditdash.errors import InvalidArgument
from creditdash.forecast.collections import week_bounds
from creditdash.simulate import Baseline, CollectionsBasis, Scenario, Selection, scenario_inputs
from creditdash.simulate.view import LEVELS, saved_results, terms_view

BASE = Baseline(
    as_of="2026-03-31", selection="All customers", customers=3, credit_sales=1_000_000.0,
    ar=150_000.0, overdue_ar=20_000.0, dso=54.75, terms_days=30.0, days_late=10.0,
    days_to_pay=40.0, bad_debt_rate=0.01, bad_debt_cohort=500_000.0,
)  # fmt: skip
# 2/10 net 60 (today net 30), half the sales take the discount, k 8%, v 70%
TWO_TEN_NET_60 = Scenario(net_days=60.0, discount=0.02, discount_days=10.0, take_up=0.5)


def test_a_discount_and_longer_terms_worked_by_hand():
    view = terms_view(BASE, TWO_TEN_NET_60)
    # DSO1 = t x D + (1 - t) x (DSO0 + N1 - N0) = 0.5 x 10 + 0.5 x (54.75 + 60 - 30) = 47.375
    assert view.levels.loc["dso", "scenario"] == pytest.approx(47.375)
    ar_new = 1_000_000 * 47.375 / 365  # 129,794.52
    assert view.levels.loc["ar", "change"] == pytest.approx(ar_new - 150_000)
    assert view.result.cash_released == pytest.approx(150_000 - ar_new)  # 20,205.48
    amounts = view.components.set_index("component")["amount"]
    assert amounts["discount_cost"] == pytest.approx(-0.02 * 0.5 * 1_000_000)  # -10,000
    assert amounts["carrying_cost"] == pytest.approx(0.08 * 0.7 * (150_000 - ar_new))  # +1,131.51
    assert amounts["net"] == pytest.approx(-10_000 + 0.056 * (150_000 - ar_new))  # -8,868.49
    assert set(LEVELS) <= set(view.levels.index)
    # sales response +-5 points moves the net by 0.1 x 272,731, more than any other assumption
    slope = 1_000_000 * (0.3 - 0.01 - 0.01 - 0.056 * 47.375 / 365)
    assert view.spread["assumption"].iloc[0] == "sales_change"
    assert view.spread["swing"].iloc[0] == pytest.approx(0.1 * slope)


def test_break_even_values_by_hand():
    evens = terms_view(BASE, TWO_TEN_NET_60).break_evens
    # net(x) = net(0) + x x S0 x (1 - v - b0 - d t - k v DSO1 / 365): linear in the sales response
    slope = 1_000_000 * (0.3 - 0.01 - 0.01 - 0.056 * 47.375 / 365)
    net = -10_000 + 0.056 * (150_000 - 1_000_000 * 47.375 / 365)
    assert evens["sales_change"] == pytest.approx(-net / slope)  # +3.25%
    # take-up 0: net -4,602.74; take-up 1: net -13,134.25 -> zero at -0.5395
    assert evens["take_up"] == pytest.approx(-0.5395, abs=1e-4)
    assert evens["forgo"] == pytest.approx(0.02 / 0.98 * 365 / 50)  # 14.90% a year
    assert evens["default"] == pytest.approx(1 - 0.98 * (1 + 0.08 * 50 / 365))  # 0.93%


def test_notes_in_english_and_chinese():
    view = terms_view(BASE, TWO_TEN_NET_60)
    assert view.notes("en") == [
        "break-even sales response: **+3.25%**",
        "break-even discount take-up: **-53.95%** (outside 0-100%)",
        "cost to a customer of forgoing the discount: **14.90%** a year",
        "break-even default rate of the discount: **0.93%**",
    ]
    assert view.notes("zh") == [
        "销售额变动盈亏平衡点：**+3.25%**",
        "折扣享受比例盈亏平衡点：**-53.95%**（超出 0-100% 范围）",
        "客户放弃折扣的年化成本：**14.90%**",
        "现金折扣的盈亏平衡违约率：**0.93%**",
    ]


def test_no_discount_no_take_up_no_weeks():
    view = terms_view(BASE, Scenario(net_days=45.0))
    assert set(view.break_evens) == {"sales_change"}
    assert view.weekly is None and view.cash is None and view.weeks_total("base") is None
    assert list(view.sheets()) == ["Scenario", "Components", "Tornado"]


def test_saved_scenarios_run_until_one_fails():
    good = scenario_inputs(Selection(), TWO_TEN_NET_60)
    saved = pd.DataFrame({"name": ["a", "broken", "c"], "inputs": [good, {"x": 1}, good]})
    seen: list[Selection] = []

    def measure(selection: Selection) -> Baseline:
        seen.append(selection)
        return BASE

    assert [n for n, _ in saved_results(saved, ["a", "c"], measure)] == ["a", "c"]
    assert seen == [Selection(), Selection()]
    results: dict = {}
    with pytest.raises(InvalidArgument, match="malformed"):
        results.update(saved_results(saved, ["a", "broken", "c"], measure))
    assert list(results) == ["a"]
    assert results["a"].net == pytest.approx(terms_view(BASE, TWO_TEN_NET_60).result.net)


@pytest.mark.parametrize(
    ("selection", "en", "zh"),
    [
        (Selection(), "All customers", "全部客户"),
        (Selection("segment", ("SME",)), "Segment: SME", "客户分类：SME"),
        (Selection("customers", ("C1", "C2", "C3", "C4")), "Customers: C1, C2, C3 …",
         "客户：C1, C2, C3 …"),
    ],
)  # fmt: skip
def test_a_selection_in_words(selection, en, zh):
    assert selection.in_words("en") == en == selection.label()
    assert selection.in_words("zh") == zh


def test_the_13_weeks_with_a_basis():
    # the two weeks of tests/simulate/test_collections.py: the book invoices 100 then 200 cents
    # a day, every invoice paid 7 days after its date; the chosen customers sell half of it
    curve = np.zeros(40)
    curve[7] = 1.0
    weeks = week_bounds("2026-03-31", 2).assign(base_cents=[10_000, 20_000])
    basis = CollectionsBasis(weeks, np.array([700.0, 1_400.0]), curve, book_sales=10.0)
    chosen = replace(BASE, credit_sales=5.0, dso=45.0)
    # paid 3 days later: week 2 loses 3 days x 50 cents of week 1's invoices
    view = terms_view(chosen, Scenario(net_days=33.0), basis)
    assert (view.weeks_total("base"), view.weeks_total("scenario")) == (300.0, 298.5)
    assert view.cash is not None and view.cash.weeks_total == -1.5
    assert list(view.sheets()) == ["Scenario", "Components", "Tornado", "13 weeks"]
    assert list(view.sheets()["13 weeks"]["shift"]) == [0.0, -1.5]
