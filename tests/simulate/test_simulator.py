"""The simulator on a small ledger measured by hand: baseline, identities, sensitivity, errors."""

from __future__ import annotations

import random
import re

import pandas as pd
import pytest

from creditdash.errors import InsufficientHistory, InvalidArgument
from creditdash.ledger import Ledger
from creditdash.simulate import (
    Scenario,
    Selection,
    annual_incremental,
    break_even,
    compare,
    measure_baseline,
    parse_inputs,
    plausible_ranges,
    scenario_inputs,
    selection_options,
    simulate,
    tornado,
)

AS_OF = "2025-12-31"


@pytest.fixture
def ledger(two_customer_ledger) -> Ledger:
    return two_customer_ledger


def test_baseline_measured_by_hand(ledger):
    b = measure_baseline(ledger, AS_OF)
    assert b.customers == 2
    assert b.credit_sales == pytest.approx(6_000)  # I1 + I2 + I3 dated in the year
    assert b.ar == pytest.approx(2_500)  # I2 + I4
    assert b.overdue_ar == pytest.approx(2_500)
    assert b.dso == pytest.approx(2_500 / 6_000 * 365)
    assert b.terms_days == pytest.approx((1_000 * 30 + 2_000 * 30 + 3_000 * 60) / 6_000)  # 45
    assert b.days_late == pytest.approx((1_000 * 10 - 3_000 * 10) / 4_000)  # -5
    assert b.days_to_pay == pytest.approx((1_000 * 40 + 3_000 * 50) / 4_000)  # 47.5
    # cohort: due in (2024-07-04, 2025-07-04]: I1 (paid) and I4 (unpaid) -> 500 / 1,500
    assert b.bad_debt_rate == pytest.approx(1 / 3)
    assert b.bad_debt_cohort == pytest.approx(1_500)


def test_baseline_of_a_segment_a_region_and_a_list(ledger):
    a = measure_baseline(ledger, AS_OF, Selection("segment", ("A",)))
    assert (a.customers, a.credit_sales, a.ar, a.terms_days) == (1, 3_000, 2_000, 30)
    assert a.days_late == pytest.approx(10) and a.bad_debt_rate == 0
    y = measure_baseline(ledger, AS_OF, Selection("region", ("Y",)))
    assert y.credit_sales == pytest.approx(3_000) and y.ar == pytest.approx(500)
    listed = measure_baseline(ledger, AS_OF, Selection("customers", ("C1", "C2")))
    assert listed.ar == pytest.approx(2_500)
    graded = measure_baseline(
        ledger, AS_OF, Selection("grade", ("E",)), grades=pd.Series({"C1": "A", "C2": "E"})
    )
    assert graded.customers == 1 and graded.credit_sales == pytest.approx(3_000)
    assert selection_options(ledger, "segment") == ["A", "B"]
    assert selection_options(ledger, "customers") == ["C1", "C2"]


def test_no_change_gives_zero_effect(ledger):
    b = measure_baseline(ledger, AS_OF)
    for scenario in (Scenario(), Scenario(take_up=0.7), Scenario(net_days=b.terms_days)):
        r = simulate(b, scenario)
        assert r.dso_new == pytest.approx(b.dso)
        assert r.cash_released == pytest.approx(0, abs=1e-9)
        assert r.components()["amount"].abs().max() == pytest.approx(0, abs=1e-9)
        assert r.npv == pytest.approx(0, abs=1e-9)


def test_components_add_to_the_net(ledger):
    b = measure_baseline(ledger, AS_OF)
    rng = random.Random(7)
    for _ in range(50):
        scenario = Scenario(
            net_days=rng.uniform(10, 120),
            discount=rng.uniform(0, 0.05),
            discount_days=rng.uniform(0, 9),
            late_interest=rng.uniform(0, 0.2),
            take_up=rng.random(),
            sales_change=rng.uniform(-0.2, 0.3),
            bad_debt_change=rng.uniform(-0.1, 0.1),
            variable_cost_ratio=rng.random(),
            cost_of_capital=rng.uniform(0.01, 0.2),
        )
        r = simulate(b, scenario)
        parts = r.components().set_index("component")["amount"]
        assert parts.drop("net").sum() == pytest.approx(parts["net"])
        assert r.npv == pytest.approx(r.net / scenario.cost_of_capital)


def test_the_dso_model_and_the_textbook_analysis_agree(ledger):
    b = measure_baseline(ledger, AS_OF)
    s = Scenario(net_days=60, discount=0.02, discount_days=10, take_up=0.5, sales_change=0.1,
                 variable_cost_ratio=0.7, cost_of_capital=0.1)  # fmt: skip
    r = simulate(b, s)
    # DSO1 = 0.5 x 10 + 0.5 x (DSO0 + 60 - 45)
    assert r.dso_new == pytest.approx(0.5 * 10 + 0.5 * (b.dso + 15))
    assert r.ar_new == pytest.approx(6_600 * r.dso_new / 365)
    expected = annual_incremental(
        6_000, 6_600, 0.7, b.dso, r.dso_new, 1 / 3, 1 / 3, 0.1, discount=0.02, take_up=0.5
    )
    assert r.net == pytest.approx(expected.net)


def test_late_interest_by_hand(ledger):
    b = measure_baseline(ledger, AS_OF, Selection("segment", ("A",)))  # 10 days late, S 3,000
    r = simulate(b, Scenario(late_interest=0.12))
    assert r.effect.late_interest == pytest.approx(0.12 * 3_000 * 10 / 365)


def test_break_even_values_zero_the_net(ledger):
    b = measure_baseline(ledger, AS_OF)
    s = Scenario(net_days=60, discount=0.02, take_up=0.4, sales_change=0.05)
    from dataclasses import replace

    for name in ("sales_change", "take_up"):
        value = break_even(b, s, name)
        assert value is not None
        if name == "sales_change" or 0 <= value <= 1:
            assert simulate(b, replace(s, **{name: value})).net == pytest.approx(0, abs=1e-6)
    assert break_even(b, Scenario(net_days=60), "take_up") is None


def test_tornado_ranges_and_order(ledger):
    b = measure_baseline(ledger, AS_OF)
    s = Scenario(net_days=60, discount=0.02, take_up=0.4)
    table = tornado(b, s)
    assert set(table["assumption"]) == set(plausible_ranges(b, s))
    assert "take_up" in set(table["assumption"])
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    assert "take_up" not in set(tornado(b, Scenario(net_days=60))["assumption"])


def test_scenarios_round_trip_and_compare(ledger):
    selection, scenario = Selection("segment", ("A",)), Scenario(net_days=45, sales_change=0.02)
    assert parse_inputs(scenario_inputs(selection, scenario)) == (selection, scenario)
    b = measure_baseline(ledger, AS_OF, selection)
    table = compare({"one": simulate(b, scenario), "two": simulate(b, Scenario())})
    assert list(table.columns) == ["figure", "one", "two"]
    assert table.set_index("figure").loc["net", "two"] == pytest.approx(0)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Scenario(net_days=0), "`net_days` must be > 0 days"),
        (lambda: Scenario(discount=1.0), "`discount` must be a share in [0, 1)"),
        (lambda: Scenario(net_days=30, discount=0.02, discount_days=30), "`discount_days` must be"),
        (lambda: Scenario(take_up=1.5), "`take_up` must be a share"),
        (lambda: Scenario(variable_cost_ratio=-0.1), "`variable_cost_ratio` must be a share"),
        (lambda: Scenario(sales_change=-1), "`sales_change` must be > -1"),
        (lambda: Scenario(cost_of_capital=2), "`cost_of_capital` must be a yearly rate"),
        (lambda: Scenario(late_interest=-0.1), "`late_interest` must be a yearly rate"),
        (lambda: Scenario.from_dict({"net": 30}), "Unknown scenario input(s): net"),
        (lambda: Selection("city", ("x",)), "`kind` must be one of"),
        (lambda: Selection("segment"), "A selection by segment needs at least one value"),
        (lambda: parse_inputs({"selection": {}}), "Saved scenario inputs are malformed"),
    ],
)
def test_input_errors(make, message):
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        make()


def test_ledger_errors(ledger):
    with pytest.raises(
        InvalidArgument, match=re.escape("`segment` value(s) 'Z' match no customer")
    ):
        measure_baseline(ledger, AS_OF, Selection("segment", ("Z",)))
    with pytest.raises(InvalidArgument, match="needs customer risk grades"):
        measure_baseline(ledger, AS_OF, Selection("grade", ("A",)))
    with pytest.raises(InsufficientHistory, match="have no credit sales in the 365 days"):
        measure_baseline(ledger, "2024-01-31")
    with pytest.raises(InsufficientHistory, match="The ledger is empty"):
        measure_baseline(Ledger.from_frames(), AS_OF)
    with pytest.raises(InvalidArgument, match="`deep_days` must be >= 1"):
        measure_baseline(ledger, AS_OF, deep_days=0)
    with pytest.raises(InvalidArgument, match="`as_of` must be a date"):
        measure_baseline(ledger, "soon")
    b = measure_baseline(ledger, AS_OF)
    with pytest.raises(InvalidArgument, match="must keep the bad-debt rate within 0..1"):
        simulate(b, Scenario(bad_debt_change=-0.5))
    with pytest.raises(InvalidArgument, match="`ranges` keys must be among"):
        tornado(b, Scenario(), {"weather": (0, 1)})
    with pytest.raises(InvalidArgument, match="`assumption` must be 'sales_change' or 'take_up'"):
        break_even(b, Scenario(), "cost_of_capital")
