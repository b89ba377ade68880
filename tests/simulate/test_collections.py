"""The 13-week collections shift: small cases worked by hand, identities, the chart, the basis."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from creditdash.errors import InvalidArgument
from creditdash.forecast.collections import week_bounds
from creditdash.ledger import Ledger
from creditdash.simulate import (
    Baseline,
    CollectionsBasis,
    PaymentCurve,
    Scenario,
    book_payment_curve,
    collections_basis,
    collections_shift,
)
from creditdash.simulate.charts import collections_shift_chart

AS_OF = "2026-03-31"


def baseline(credit_sales: float = 5.0, terms_days: float = 30.0) -> Baseline:
    """The chosen customers: only their credit sales and today's terms matter to the shift."""
    return Baseline(
        as_of=AS_OF, selection="All customers", customers=1, credit_sales=credit_sales,
        ar=0.0, overdue_ar=0.0, dso=45.0, terms_days=terms_days, days_late=15.0,
        days_to_pay=45.0, bad_debt_rate=0.01, bad_debt_cohort=1.0,
    )  # fmt: skip


@pytest.fixture
def basis() -> CollectionsBasis:
    """Two weeks; the book invoices 700 then 1,400 cents (100 and 200 a day) and sells 10.00 a year.

    Every invoice is paid exactly 7 days after its date. The chosen customers
    sold 5.00 of the 10.00 (share 1/2): 50 cents a day in week 1, 100 in week 2.
    Base collections of their new invoices: week 1 nothing; week 2 the 7 x 50
    of week 1's invoices (week 2's fall in week 3, beyond the horizon).
    """
    curve = np.zeros(40)
    curve[7] = 1.0
    weeks = week_bounds(AS_OF, 2).assign(base_cents=[10_000, 20_000])
    return CollectionsBasis(weeks, np.array([700.0, 1_400.0]), curve, book_sales=10.0)


def shift_of(basis: CollectionsBasis, scenario: Scenario, **chosen) -> list[int]:
    return collections_shift(basis, baseline(**chosen), scenario)["shift_cents"].tolist()


@pytest.mark.parametrize(
    "scenario",
    [
        Scenario(),
        Scenario(net_days=30.0),
        Scenario(take_up=0.4),  # no discount offered: nobody takes it
        Scenario(variable_cost_ratio=0.5, cost_of_capital=0.12, bad_debt_change=0.01),
    ],
)
def test_no_change_in_terms_gives_a_zero_shift(basis, scenario):
    frame = collections_shift(basis, baseline(), scenario)
    assert frame["shift_cents"].tolist() == [0, 0]
    assert frame["cumulative_shift_cents"].tolist() == [0, 0]
    assert frame["scenario_cents"].tolist() == frame["base_cents"].tolist() == [10_000, 20_000]


def test_zero_shift_on_a_realistic_curve():
    rng = np.random.default_rng(7)
    curve = rng.dirichlet(np.ones(300)) * 0.97  # 3% never paid
    weeks = week_bounds(AS_OF, 13).assign(base_cents=rng.integers(0, 10**9, 13))
    real = CollectionsBasis(weeks, rng.uniform(0, 1e8, 13), curve, book_sales=5e6)
    shifted = collections_shift(real, baseline(credit_sales=1e6, terms_days=47.3), Scenario())
    assert (shifted["shift_cents"] == 0).all()
    assert (shifted["scenario_cents"] == weeks["base_cents"]).all()


def test_longer_terms_push_receipts_out_of_the_horizon(basis):
    # 3 days later: week 1's invoices are paid on days 11-17, four of them in week 2 (4 x 50)
    frame = collections_shift(basis, baseline(), Scenario(net_days=33))
    assert frame["shift_cents"].tolist() == [0, 200 - 350]
    assert frame["cumulative_shift_cents"].tolist() == [0, -150]
    assert frame["scenario_cents"].tolist() == [10_000, 20_000 - 150]
    assert frame.columns.tolist() == [
        "week", "start", "end", "base_cents", "scenario_cents", "shift_cents",
        "cumulative_shift_cents",
    ]  # fmt: skip
    # sales +10% on top: 220 instead of 200
    assert shift_of(basis, Scenario(net_days=33, sales_change=0.1)) == [0, 220 - 350]


def test_shorter_terms_bring_receipts_forward(basis):
    # 5 days sooner: paid 2 days after the invoice; week 1: days 3-7 of week 1's invoices
    # (5 x 50); week 2: days 8-9 of week 1's (2 x 50) and days 10-14 of week 2's (5 x 100)
    assert shift_of(basis, Scenario(net_days=25)) == [250, 600 - 350]
    # 10 days sooner would be before the invoice date: paid on it
    assert shift_of(basis, Scenario(net_days=20)) == [350, 700 - 350]


def test_half_a_day_splits_each_payment(basis):
    # half paid 7 days after (7 x 25 in week 2), half 8 days after (days 9-14: 6 x 25)
    assert shift_of(basis, Scenario(net_days=30.5)) == [0, 175 + 150 - 350]


def test_discount_takers_pay_less_on_the_discount_day(basis):
    # 4/2 net 30, half take it: takers pay 96% two days after the invoice date
    scenario = Scenario(discount=0.04, discount_days=2, take_up=0.5)
    # week 1: takers of week 1 (24 a day) on days 3-7           = 120
    # week 2: the others of week 1 (25 a day) on days 8-14      = 175
    #         takers of week 1 on days 8-9 (2 x 24)             =  48
    #         takers of week 2 (48 a day) on days 10-14         = 240
    assert shift_of(basis, scenario) == [120, 175 + 48 + 240 - 350]


def test_the_chosen_share_scales_the_shift(basis):
    assert shift_of(basis, Scenario(net_days=25), credit_sales=10.0) == [500, 500]
    empty_book = CollectionsBasis(basis.weeks, basis.new_sales_cents, basis.pay_daily, 0.0)
    assert shift_of(empty_book, Scenario(net_days=25)) == [0, 0]


def test_basis_needs_a_figure_per_week(basis):
    with pytest.raises(InvalidArgument, match=r"must hold one figure per week \(2\). Got 3."):
        CollectionsBasis(basis.weeks, np.ones(3), basis.pay_daily, 1.0)


def test_basis_from_a_forecast():
    weekly = week_bounds(AS_OF, 2).assign(total_expected_cents=[5, 6])
    sales = SimpleNamespace(forecast_=pd.DataFrame({"sales_cents": [700, 1_400]}))
    curve = PaymentCurve(np.array([0.5, 0.5]), 10.0)
    made = collections_basis(SimpleNamespace(weekly=weekly, sales=sales), curve)
    assert made.weeks["base_cents"].tolist() == [5, 6]
    assert made.new_sales_cents.tolist() == [700, 1_400]
    assert made.book_sales == 10.0
    without_sales = collections_basis(SimpleNamespace(weekly=weekly, sales=None), curve)
    assert without_sales.new_sales_cents.tolist() == [0, 0]


def test_book_payment_curve_and_sales():
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3"],
            "customer_id": ["C1", "C1", "C2"],
            "invoice_date": pd.to_datetime(["2025-03-01", "2025-11-01", "2024-05-01"]),
            "due_date": pd.to_datetime(["2025-03-31", "2025-12-01", "2024-08-01"]),
            "amount_cents": [100_000, 200_000, 50_000],
        }
    )
    payments = pd.DataFrame(
        {
            "payment_id": ["P1"],
            "customer_id": ["C1"],
            "invoice_id": ["I1"],
            "payment_date": pd.to_datetime(["2025-04-10"]),
            "amount_cents": [100_000],
        }
    )
    curve = book_payment_curve(
        Ledger.from_frames(invoices=invoices, payments=payments), "2025-12-31"
    )
    assert curve.book_sales == pytest.approx(3_000)  # I1 + I2: I3 is older than a year
    assert len(curve.daily) == 7 * 13 + 2 * 365 + 1
    assert (curve.daily >= 0).all() and curve.daily.sum() <= 1 + 1e-9


def test_chart_shows_base_scenario_and_the_running_difference(basis):
    frame = collections_shift(basis, baseline(), Scenario(net_days=33))
    fig = collections_shift_chart(frame, "CNY")
    assert fig.layout.title.text.startswith("Weekly receipts over the next 13 weeks")
    assert fig.layout.yaxis2.title.text == "Cumulative difference (CNY)"
    assert [t.name for t in fig.data] == [
        "Base forecast",
        "With the new terms",
        "Cumulative difference (right)",
    ]
    assert list(fig.data[0].y) == [100, 200]
    assert list(fig.data[1].y) == [100, 198.5]
    assert list(fig.data[2].y) == [0, -1.5] and fig.data[2].yaxis == "y2"
    assert list(fig.data[0].x) == ["W1 04-01", "W2 04-08"]


def test_chart_in_chinese(basis):
    frame = collections_shift(basis, baseline(), Scenario(net_days=33))
    fig = collections_shift_chart(frame, "CNY", "zh")
    assert fig.layout.title.text == "未来 13 周每周回款：基准预测与新信用条件"
    assert fig.layout.yaxis.title.text == "每周回款（CNY）"
    assert [t.name for t in fig.data] == ["基准预测", "新信用条件", "累计差额（右轴）"]
    assert list(fig.data[0].x) == ["第1周 04-01", "第2周 04-08"]
    assert list(fig.data[2].y) == [0, -1.5]
