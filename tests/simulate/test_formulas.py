"""Textbook credit-term formulas against published examples and examples worked by hand."""

from __future__ import annotations

import re

import pytest

from creditdash.errors import InvalidArgument
from creditdash.simulate import (
    annual_incremental,
    break_even_default_rate,
    cash_per_dso_day,
    cost_of_forgoing_discount,
    receivables,
    switch_npv,
)


def test_switch_npv_metrics_example():
    # P 80, v 50, Q 200, Q' 230, R 1.5% a month: -(16,000 + 1,500) + 30 x 30 / 0.015
    assert switch_npv(80, 50, 200, 230, 0.015) == pytest.approx(42_500)


def test_switch_npv_textbook_locust_software():
    # Ross, Westerfield & Jordan, "Locust Software": P 49, v 36, Q 100, Q' 110, R 2%:
    # -(49 x 100 + 36 x 10) + (49 - 36) x 10 / 0.02 = -5,260 + 6,500 = 1,240
    assert switch_npv(49, 36, 100, 110, 0.02) == pytest.approx(1_240)


def test_annual_incremental_metrics_example():
    effect = annual_incremental(
        sales=12_000_000,
        sales_new=12_960_000,
        variable_cost_ratio=0.7,
        dso=45,
        dso_new=60,
        bad_debt_rate=0.010,
        bad_debt_rate_new=0.014,
        cost_of_capital=0.08,
    )
    assert effect.contribution == pytest.approx(288_000)
    assert effect.bad_debt == pytest.approx(61_440)
    assert effect.carrying_cost == pytest.approx(36_453.70, abs=0.005)
    assert effect.discount_cost == 0
    assert effect.net == pytest.approx(190_106.30, abs=0.005)


def test_annual_incremental_with_a_discount_by_hand():
    # S 1,000,000 -> 1,050,000, v 0.6, DSO 40 -> 25, bad debt 2% -> 1.5%, 2% taken on half, k 10%:
    # contribution 0.4 x 50,000 = 20,000; bad debt 15,750 - 20,000 = -4,250;
    # discount 0.02 x 0.5 x 1,050,000 = 10,500;
    # AR 109,589.04 -> 71,917.81, carrying 0.1 x 0.6 x -37,671.23 = -2,260.27;
    # net 20,000 + 4,250 - 10,500 + 2,260.27 = 16,010.27
    effect = annual_incremental(1_000_000, 1_050_000, 0.6, 40, 25, 0.02, 0.015, 0.10, 0.02, 0.5)
    assert effect.bad_debt == pytest.approx(-4_250)
    assert effect.discount_cost == pytest.approx(10_500)
    assert effect.ar_before == pytest.approx(109_589.04, abs=0.005)
    assert effect.ar_after == pytest.approx(71_917.81, abs=0.005)
    assert effect.carrying_cost == pytest.approx(-2_260.27, abs=0.005)
    assert effect.net == pytest.approx(16_010.27, abs=0.005)


def test_no_change_is_no_effect():
    effect = annual_incremental(5e6, 5e6, 0.7, 50, 50, 0.01, 0.01, 0.08)
    assert effect.net == 0 and effect.carrying_cost == 0


@pytest.mark.parametrize(
    ("d", "discount_days", "net_days", "expected"),
    [
        (0.01, 10, 45, 0.1053),  # metrics.md
        (0.02, 10, 30, 0.3724),  # Brigham & Houston: 2/10 net 30 costs 37.24% a year
        (0.03, 15, 45, 0.3763),  # 0.03 / 0.97 x 365 / 30, by hand
    ],
)
def test_cost_of_forgoing_discount(d, discount_days, net_days, expected):
    assert cost_of_forgoing_discount(d, discount_days, net_days) == pytest.approx(
        expected, abs=5e-5
    )


def test_break_even_default_rate_by_hand():
    # 2/10 net 30 at 10% a year: R = 0.1 x 20 / 365 = 0.0054795; 1 - 0.98 x 1.0054795 = 0.014630
    assert break_even_default_rate(0.02, 10, 30, 0.10) == pytest.approx(0.014630, abs=1e-6)
    # no interest: the discount pays for itself once defaults exceed the discount itself
    assert break_even_default_rate(0.02, 10, 30, 0.0) == pytest.approx(0.02)


def test_receivables_and_cash_per_day():
    assert receivables(3_650_000, 40) == pytest.approx(400_000)
    assert cash_per_dso_day(3_650_000) == pytest.approx(10_000)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: switch_npv(80, 50, 200, 230, 0), "`rate` must be > 0"),
        (lambda: cost_of_forgoing_discount(1.0, 10, 30), "`d` must be a share in [0, 1)"),
        (lambda: cost_of_forgoing_discount(0.02, -1, 30), "`discount_days` must be >= 0"),
        (lambda: cost_of_forgoing_discount(0.02, 30, 30), "`net_days` must be later"),
        (lambda: break_even_default_rate(0.02, 10, 30, -0.1), "`annual_rate` must be >= 0"),
        (
            lambda: annual_incremental(1, 1, 1.5, 1, 1, 0, 0, 0.1),
            "`variable_cost_ratio` must be a share",
        ),
        (lambda: annual_incremental(1, 1, 0.5, 1, 1, 0, 0, 0.1, 1.2), "`discount` must be a share"),
        (
            lambda: annual_incremental(1, 1, 0.5, 1, 1, 0, 0, 0.1, 0.02, -0.1),
            "`take_up` must be a share",
        ),
    ],
)
def test_formula_errors(call, message):
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        call()
