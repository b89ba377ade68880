"""The 13-week receipts difference against the yearly cash released: cases worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from creditdash.forecast.collections import week_bounds
from creditdash.simulate import (
    Baseline,
    CollectionsBasis,
    Scenario,
    cash_reconciliation,
    collections_shift,
    simulate,
)

AS_OF = "2026-03-31"
SALES = 36_500.0  # a year: 100.00 a day


def chosen(dso: float = 10.0, terms_days: float = 10.0) -> Baseline:
    """The chosen customers sell 36,500.00 a year, pay 10 days after the invoice date on 10-day
    terms: AR = 36,500 x 10 / 365 = 1,000.00."""
    return Baseline(
        as_of=AS_OF, selection="All customers", customers=1, credit_sales=SALES,
        ar=SALES * dso / 365, overdue_ar=0.0, dso=dso, terms_days=terms_days, days_late=0.0,
        days_to_pay=dso, bad_debt_rate=0.0, bad_debt_cohort=1.0,
    )  # fmt: skip


@pytest.fixture
def basis() -> CollectionsBasis:
    """Two weeks; the chosen customers are the whole book and invoice 100.00 a day; every
    invoice is paid 10 days after its date.

    Base receipts of the new invoices: those of days 0..3 land by day 13, 4 x 100 = 400.00.
    """
    curve = np.zeros(60)
    curve[10] = 1.0
    weeks = week_bounds(AS_OF, 2).assign(base_cents=[5_000_000, 5_000_000])
    return CollectionsBasis(weeks, np.array([70_000.0, 70_000.0]), curve, book_sales=SALES)


def reconcile(basis: CollectionsBasis, scenario: Scenario):
    return cash_reconciliation(basis, simulate(chosen(), scenario))


def test_nothing_changes_nothing_to_reconcile(basis):
    cash = reconcile(basis, Scenario())
    assert (cash.weeks_total, cash.receivables, cash.cash_released) == (0.0, 0.0, 0.0)
    assert (cash.extra_invoicing, cash.discounts) == (0.0, 0.0)
    assert cash.share_realised is None


def test_shorter_terms_free_the_same_cash_in_13_weeks_as_in_the_steady_state(basis):
    """Net 10 -> 5: invoices of days 0..8 paid by day 13 instead of 0..3, 500.00 sooner.

    Steady state: DSO 10 -> 5, AR 1,000 -> 500: 500.00 released. Every payment
    falls within the horizon, so the 13 weeks see all of it.
    """
    cash = reconcile(basis, Scenario(net_days=5.0))
    assert cash.weeks_total == pytest.approx(500.0)
    assert cash.receivables == pytest.approx(500.0)
    assert cash.cash_released == pytest.approx(500.0)
    assert cash.share_realised == pytest.approx(1.0)


def test_a_discount_splits_into_receivables_and_discounts(basis):
    """Half the customers take 2% for paying on the invoice date (2/0 net 10).

    Receipts: takers 0.5 x 0.98 x 14 x 100 = 686, the others 0.5 x 400 = 200;
    886 - 400 = 486.00 more. Discounts 0.5 x 0.02 x 1,400 = 14.00. Receivables:
    owed at day 13 falls from 1,000 to the others' 700 - 200 = 500: 500.00 freed
    = 486 + 14. Steady state: DSO 0.5 x 0 + 0.5 x 10 = 5, the same 500.00.
    """
    scenario = Scenario(discount=0.02, discount_days=0.0, take_up=0.5)
    cash = reconcile(basis, scenario)
    assert cash.weeks_total == pytest.approx(486.0)
    assert cash.discounts == pytest.approx(14.0)
    assert cash.receivables == pytest.approx(500.0)
    assert cash.cash_released == pytest.approx(500.0)
    assert cash.weeks_total == pytest.approx(
        cash.receivables + cash.extra_invoicing - cash.discounts
    )


def test_extra_sales_bring_receipts_but_tie_up_receivables(basis):
    """Sales +10%: 140.00 more invoiced, 40.00 more received (10% of 400), so receivables
    grow by 100.00. Steady state: AR 1,000 -> 1,100, 100.00 absorbed."""
    cash = reconcile(basis, Scenario(sales_change=0.10))
    assert cash.extra_invoicing == pytest.approx(140.0)
    assert cash.weeks_total == pytest.approx(40.0)
    assert cash.receivables == pytest.approx(-100.0)
    assert cash.cash_released == pytest.approx(-100.0)


def test_slow_payers_release_only_part_of_the_steady_state_in_13_weeks():
    """Paid 60 days after the invoice date; terms 30 -> 20 days move the payments to day 50,
    still beyond the horizon (two weeks here): none of the steady state's 1,000.00 (DSO
    60 -> 50) comes through."""
    curve = np.zeros(120)
    curve[60] = 1.0
    weeks = week_bounds(AS_OF, 2).assign(base_cents=[0, 0])
    basis = CollectionsBasis(weeks, np.array([70_000.0, 70_000.0]), curve, book_sales=SALES)
    result = simulate(chosen(dso=60.0, terms_days=30.0), Scenario(net_days=20.0))
    cash = cash_reconciliation(basis, result)
    assert cash.cash_released == pytest.approx(1_000.0)
    assert cash.weeks_total == 0.0 and cash.receivables == 0.0  # 50 days is beyond 14
    assert cash.share_realised == 0.0


def test_the_13_week_total_is_the_shift_to_the_cent():
    rng = np.random.default_rng(11)
    curve = rng.dirichlet(np.ones(200)) * 0.98
    weeks = week_bounds(AS_OF, 13).assign(base_cents=rng.integers(0, 10**8, 13))
    basis = CollectionsBasis(weeks, rng.uniform(0, 1e7, 13), curve, book_sales=2e6)
    base = chosen(dso=47.0, terms_days=33.0)
    scenario = Scenario(net_days=45.0, discount=0.01, discount_days=10.0, take_up=0.3,
                        sales_change=0.04)  # fmt: skip
    cash = cash_reconciliation(basis, simulate(base, scenario))
    shift = collections_shift(basis, base, scenario)
    assert cash.weeks_total == shift["shift_cents"].sum() / 100
    assert cash.weeks_total == pytest.approx(
        cash.receivables + cash.extra_invoicing - cash.discounts, abs=0.005
    )
    table = cash.frame()
    assert table["figure"].tolist() == ["receivables", "extra_invoicing", "discounts", "receipts"]
    assert table["weeks_13"].iloc[:3].sum() == pytest.approx(table["weeks_13"].iloc[3], abs=0.005)
    assert table["steady_state"].iloc[0] == cash.cash_released
    assert table["steady_state"].iloc[1:].isna().all()
