"""KPIs: the published worked examples, a hand-worked ledger, random ledgers against a plain loop."""

from __future__ import annotations

import datetime as dt
from dataclasses import FrozenInstanceError, fields
from fractions import Fraction
from pathlib import Path

import pytest

from creditdash.aging import aging
from creditdash.errors import InvalidArgument
from creditdash.kpis import (
    KPI_KEYS,
    MAX_COUNTBACK_MONTHS,
    CountbackResult,
    Kpis,
    add,
    average_days_delinquent,
    best_possible_dso,
    cei,
    countback,
    credit_sales,
    dso_at,
    dso_countback,
    dso_simple,
    kpi_definitions,
    kpis,
    overdue_pct,
    turnover,
)
from creditdash.ledger import Ledger, ledger_arrays
from tests import reference
from tests.test_aging import USD_100, fx_ledger

# --- worked examples (spec/metrics.md) ----------------------------------------------


def test_dso_bpdso_add_worked_example():
    dso = dso_simple(480_000, 1_200_000, 90)
    bpdso = best_possible_dso(300_000, 1_200_000, 90)
    assert (dso, bpdso, add(dso, bpdso)) == (36.0, 22.5, 13.5)
    assert average_days_delinquent(dso, bpdso) == 13.5


def test_countback_worked_example():
    # D = 2025-03-20: March 1-20, February, January
    days = dso_countback(500_000, [200_000, 250_000, 180_000], [20, 28, 31])
    assert round(days, 2) == 56.61
    assert days == pytest.approx(20 + 28 + 50_000 / 180_000 * 31)
    result = countback(500_000, [200_000, 250_000, 180_000], [20, 28, 31])
    assert result == CountbackResult(days, capped=False)


def test_cei_worked_example():
    assert round(cei(800_000, 1_500_000, 750_000, 450_000, months=3), 2) == 64.71
    assert cei(800_000, 1_500_000, 750_000, 450_000, months=3) == pytest.approx(
        550_000 / 850_000 * 100
    )


# --- more hand-worked pure cases --------------------------------------------------


def test_countback_months_with_no_or_negative_sales_count_whole():
    # 150 - 100 (30 d) = 50; + 31 d (no sales); + 30 d (credit notes: AR left grows to
    # 100); then 100 / 200 x 30 = 15 d
    assert dso_countback(150, [100, 0, -50, 200], [30, 31, 30, 30]) == 30 + 31 + 30 + 15


def test_countback_stops_when_ar_is_used_up_exactly():
    assert countback(300, [100, 200, 0, 500], [30, 31, 30, 31]) == CountbackResult(61.0, False)


def test_countback_of_no_or_negative_ar_is_zero():
    assert countback(0, [100], [30]) == CountbackResult(0.0, False)
    assert countback(-50, [0, 100], [30, 31]) == CountbackResult(0.0, False)


def test_countback_stops_at_24_months_and_says_so():
    result = countback(10**9, [1] * 30, [30] * 30)
    assert result == CountbackResult(30.0 * MAX_COUNTBACK_MONTHS, capped=True)
    assert MAX_COUNTBACK_MONTHS == 24
    # fewer months than the AR needs: capped too
    assert countback(1000, [100, 100], [31, 30]) == CountbackResult(61.0, True)


def test_countback_month_lengths_must_match():
    with pytest.raises(InvalidArgument) as caught:
        dso_countback(100, [1, 2, 3], [30, 31])
    assert str(caught.value) == (
        "`month_days` must have one entry per month of `monthly_sales` (3). Got 2."
    )


def test_turnover_and_overdue_pct():
    # 1,200,000 x 365 / 90 / mean(400,000, 480,000)
    assert turnover(1_200_000, 90, 400_000, 480_000) == pytest.approx(11.0606060606)
    assert overdue_pct(180_000, 480_000) == 37.5


def test_zero_denominators_give_none():
    assert dso_simple(100, 0, 90) is None
    assert best_possible_dso(100, 0, 90) is None
    assert add(None, 10.0) is None and add(10.0, None) is None
    assert cei(0, 0, 0, 0) is None
    assert cei(100, 300, 50, 50, months=0) is None
    assert turnover(100, 0, 10, 10) is None
    assert turnover(100, 90, 10, -10) is None
    assert overdue_pct(0, 0) is None


# --- ledger level --------------------------------------------------------------------


def test_kpis_of_the_hand_ledger():
    # Worked by hand for as_of 2025-06-30, window (2025-04-01, 2025-06-30]:
    #   AR 308500 = current 112000 (A1, C2) + overdue 205000 - unapplied 8500.
    #   sales: A1 100000 + A2 50000 + B1 40000 + B2 -15000 + C2 12000 = 187000
    #   (C3, dated 2025-04-01, is just outside the window).
    #   AR at 2025-04-01: A3 80000 + B3 70000 + C1 25000 + C3..C6 20000 = 195000.
    #   countback: Jun 85000 (30 d), May 62000 (31), Apr 43000 (30), Mar 84000 (31),
    #   Feb 0 (28), Jan 10000 (31) -> AR left 24500 of Dec 31000 x 31 = 24.5 -> 205.5.
    #   paid in window on known invoices: A2 20000 on day 40 (10 late), B1 45000 on
    #   day 35 (5 late); A4's 5000 (invoice after as_of) and unapplied cash are out.
    got = kpis(reference.hand_ledger(), "2025-06-30")
    assert got.as_dict() == {
        "total_ar": 3085.0,
        "current_ar": 1120.0,
        "overdue_ar": 2050.0,
        "overdue_pct": 66.45,  # 205000 / 308500
        "credit_sales": 1870.0,
        "dso_simple": 148.48,  # 308500 x 90 / 187000
        "dso_countback": 205.5,
        "bpdso": 53.9,  # 112000 x 90 / 187000 = 53.904
        "add": 94.57,  # 148.476 - 53.904
        "cei": -35.21,  # (195000 + 187000/3 - 308500) / (195000 + 187000/3 - 112000)
        "avg_days_to_pay": 36.54,  # (20000 x 40 + 45000 x 35) / 65000
        "avg_days_late": 6.54,  # (20000 x 10 + 45000 x 5) / 65000
        "turnover": 3.01,  # 187000 x 365 / 90 / ((195000 + 308500) / 2)
        "window_days": 90,
        "as_of": "2025-06-30",
        "countback_capped": False,
    }


def test_kpis_keys_and_definitions():
    got = kpis(reference.hand_ledger(), dt.date(2025, 6, 30), window_days=30)
    assert tuple(got.as_dict()) == tuple(f.name for f in fields(Kpis)) == KPI_KEYS
    with pytest.raises(FrozenInstanceError):
        got.window_days = 90  # a result, not a record to edit
    assert set(kpi_definitions) == set(KPI_KEYS)
    assert all(text.endswith(".") for text in kpi_definitions.values())
    assert got.window_days == 30


def test_kpis_of_an_empty_ledger():
    got = kpis(Ledger.from_frames(), "2025-06-30")
    assert (got.total_ar, got.credit_sales, got.dso_countback) == (0.0, 0.0, 0.0)
    for key in ("overdue_pct", "dso_simple", "bpdso", "add", "cei", "turnover"):
        assert getattr(got, key) is None, key
    assert got.avg_days_to_pay is None and got.avg_days_late is None


@pytest.mark.parametrize("window", [0, -30, 7.5, True, "90"])
def test_bad_window_is_rejected(window):
    with pytest.raises(InvalidArgument) as caught:
        kpis(reference.hand_ledger(), "2025-06-30", window_days=window)
    assert (
        str(caught.value) == f"`window_days` must be a whole number of days >= 1. Got {window!r}."
    )


def test_bad_as_of_is_rejected():
    with pytest.raises(InvalidArgument, match=r"^`as_of` must be a date such as '2025-03-20'\."):
        kpis(reference.hand_ledger(), "yesterday-ish")


# --- random ledgers against the plain loop ----------------------------------------

MONEY = ("total_ar", "current_ar", "overdue_ar", "credit_sales")
ROUNDED = (
    "overdue_pct",
    "dso_simple",
    "bpdso",
    "add",
    "dso_countback",
    "cei",
    "turnover",
    "avg_days_to_pay",
    "avg_days_late",
)


def _assert_matches(got: Kpis, expected: dict[str, Fraction | int | None]) -> None:
    for key in MONEY:
        assert getattr(got, key) == expected[key] / 100, key  # exact to the cent
    for key in ROUNDED:
        if expected[key] is None:
            assert getattr(got, key) is None, key
        else:  # rounding to 2 decimals stays within half a cent of the exact value
            assert abs(Fraction(getattr(got, key)) - expected[key]) <= Fraction(5, 1000) + Fraction(
                1, 10**9
            ), (key, getattr(got, key), float(expected[key]))
    assert got.countback_capped == expected["countback_capped"]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("window", [30, 90])
def test_random_ledgers_match_a_plain_loop(seed, window):
    ledger = reference.random_ledger(seed)
    for as_of in ("2022-12-31", "2023-01-20", "2023-09-30", "2024-06-15", "2024-12-31"):
        day = dt.date.fromisoformat(as_of)
        got = kpis(ledger, as_of, window_days=window)
        _assert_matches(got, reference.kpis(ledger, day, window))
        assert got.as_of == as_of


def test_countback_capped_on_a_ledger():
    # Sales stop years before as_of while AR stays open: all 24 months count whole.
    ledger = reference.random_ledger(5)
    got = kpis(ledger, "2028-06-30")
    expected = reference.kpis(ledger, dt.date(2028, 6, 30), 90)
    assert expected["countback_capped"] and got.countback_capped
    _assert_matches(got, expected)


def test_amounts_beyond_float_precision_stay_exact():
    ledger = reference.random_ledger(11, scale=10**9)
    day = dt.date(2024, 6, 15)
    _assert_matches(kpis(ledger, day), reference.kpis(ledger, day, 90))


# --- one home of DSO -------------------------------------------------------------------


def test_dso_sales_stay_at_their_transaction_rates():
    # USD 100.00 invoiced 2025-05-01 at 7.10 and ¥290.00 on 2025-06-10; at 2025-06-30
    # (7.20) AR is ¥720.00 + ¥290.00, while the window's sales count the dollars at 7.10.
    ledger = fx_ledger(
        [USD_100, ("C1", "B", "2025-06-10", "2025-07-10", 29_000, "CNY")],
    )
    assert credit_sales(ledger, "2025-06-30", 90) == 71_000 + 29_000
    got = kpis(ledger, "2025-06-30")
    assert (got.total_ar, got.credit_sales) == (1_010.0, 1_000.0)
    assert got.dso_simple == 90.9  # 101000 x 90 / 100000
    assert got.bpdso == 26.1  # current ¥290.00: 29000 x 90 / 100000
    figures = dso_at(ledger, "2025-06-30", 90)
    assert (figures.total_ar, figures.current_ar, figures.credit_sales) == (
        101_000,
        29_000,
        100_000,
    )


def test_dso_at_is_what_the_kpis_show():
    ledger = reference.hand_ledger()
    for window in (30, 90, 365):
        got = kpis(ledger, "2025-06-30", window_days=window)
        figures = dso_at(ledger, "2025-06-30", window)
        assert figures.window_days == window
        assert got.dso_simple == round(figures.dso, 2)
        assert got.bpdso == round(figures.bpdso, 2)
        assert got.credit_sales * 100 == figures.credit_sales
        assert got.total_ar * 100 == figures.total_ar


def test_credit_sales_and_dso_of_some_customers():
    ledger = reference.hand_ledger()
    customers = ledger_arrays(ledger).customers["customer_id"]
    only_a = (customers == "A").to_numpy()
    # A's invoices in (2025-04-01, 2025-06-30]: A1 100000 + A2 50000 (hand ledger).
    assert credit_sales(ledger, "2025-06-30", 90, only_a) == 150_000
    every = credit_sales(ledger, "2025-06-30", 90, customers.notna().to_numpy())
    assert every == credit_sales(ledger, "2025-06-30", 90) == 187_000
    figures = dso_at(ledger, "2025-06-30", 90, only_a)
    table = aging(ledger, "2025-06-30").set_index("customer_id")
    assert figures.total_ar == table.loc["A", "total"]
    assert figures.dso == dso_simple(int(table.loc["A", "total"]), 150_000, 90)


def test_working_capital_and_the_terms_baseline_use_the_dso_of_kpis():
    from creditdash.simulate.baseline import Selection, measure_baseline
    from creditdash.working_capital import working_capital

    ledger = reference.random_ledger(4)
    as_of = "2024-06-30"
    year = dso_at(ledger, as_of, 365)
    capital = working_capital(ledger, as_of)
    assert (capital["dso"], capital["ar"]) == (year.dso, year.total_ar / 100)
    assert capital["credit_sales"] == year.credit_sales / 100
    baseline = measure_baseline(ledger, as_of)
    assert (baseline.dso, baseline.ar, baseline.overdue_ar) == (
        year.dso,
        year.total_ar / 100,
        year.overdue_ar / 100,
    )
    segment = sorted(ledger_arrays(ledger).attributes["segment"].unique())[0]
    chosen = (ledger_arrays(ledger).attributes["segment"] == segment).to_numpy()
    some = measure_baseline(ledger, as_of, Selection("segment", (segment,)))
    assert some.dso == dso_at(ledger, as_of, 365, chosen).dso
    assert some.credit_sales == credit_sales(ledger, as_of, 365, chosen) / 100


def test_dso_is_computed_in_kpis_only():
    root = Path(__file__).resolve().parents[1] / "creditdash"
    for module in ("working_capital.py", "simulate/baseline.py"):
        source = (root / module).read_text(encoding="utf-8")
        assert "dso_at(" in source, module
        # no second credit-sales sum or DSO formula of its own
        assert "invoice_amount_cumsum" not in source, module
        assert "/ sales" not in source and "days_of(ar" not in source, module
