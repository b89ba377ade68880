"""Stress scenarios move the forecast the right way."""

from __future__ import annotations

import pytest

from creditdash.errors import InvalidArgument
from creditdash.forecast.stress import Scenario, run_scenarios
from creditdash.forecast.weekly import cash_forecast


@pytest.fixture
def base(ledger):
    return cash_forecast(ledger, "2023-06-30", new_sales=False, n_sims=300)


def test_scenarios_lower_or_delay_collections(ledger, base):
    table = run_scenarios(
        ledger,
        base,
        [
            Scenario("late", "delay_all", days=21),
            Scenario("top", "delay_largest", days=30, top=2),
            Scenario("sme", "default", attribute="segment", value="SME"),
        ],
    )
    total = table.groupby("scenario")["total_expected_cents"].sum()
    first = table[table["week"] <= 3].groupby("scenario")["expected_cents"].sum()
    assert first["late"] < first["Base case"]
    assert total["late"] < total["Base case"]
    assert total["top"] < total["Base case"]
    assert total["sme"] < total["Base case"]
    assert len(table) == 4 * 13


def test_scenario_errors():
    with pytest.raises(InvalidArgument, match="`kind` must be one of"):
        Scenario("x", "panic")
    with pytest.raises(InvalidArgument, match="`days` must be from 0 to 365"):
        Scenario("x", "delay_all", days=-1)
    with pytest.raises(InvalidArgument, match="`top` must be at least 1"):
        Scenario("x", "delay_largest", days=5)
    with pytest.raises(InvalidArgument, match="`attribute` must be one of"):
        Scenario("x", "default", attribute="colour", value="red")


def test_each_stressed_scenario_gets_its_own_cash_plan(ledger, base):
    from creditdash.forecast.cashplan import CashPlan, scenario_plans

    stress = run_scenarios(ledger, base, [Scenario("late", "delay_all", days=21)])
    plans = scenario_plans(stress, CashPlan("p", 1_000_00, 0))
    assert list(plans) == ["late"]
    late = stress[stress["scenario"] == "late"]["total_expected_cents"].sum()
    closing = plans["late"].iloc[-1]
    assert [c for c in plans["late"].columns if "closing" in c]
    assert closing[[c for c in plans["late"].columns if "closing" in c][0]] == 1_000_00 + late
