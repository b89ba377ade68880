"""The 13-week collections shift: what new terms do to the weekly receipts of the base forecast.

The base is the weekly cash-in forecast of `creditdash.forecast.cash_forecast`:
collections of the invoices open at the as-of date plus those of the
forecast new sales. Invoices already issued keep the terms they were issued
on, so only the chosen customers' new invoices move. With

    s(k)    the book's forecast invoicing on day k after the as-of date
            (each week's forecast spread evenly over its 7 days), in cents
    σ       the chosen customers' share of the book's credit sales over the
            365 days to the as-of date (S0 / book sales)
    p(d)    the book's payment curve: P(an invoice is paid d days after its date)
    t, D, d take-up, discount days and discount (t = 0 without a discount)
    ΔN      new net days - today's measured terms (N1 - N0)
    g       sales response

the chosen customers' new invoices bring on day x after the as-of date

    base      C0(x) = Σ_k σ s(k) p(x - k)
    scenario  C1(x) = (1 + g) Σ_k σ s(k) q(x - k)
    q(e)      = (1 - t) p_ΔN(e) + t (1 - d) [e = D]

where p_ΔN is the curve moved ΔN days later (earlier when ΔN < 0; a payment
moved before the invoice date lands on it; a fractional ΔN splits each day
between its two neighbours): takers pay the discounted price on the
discount day, the others keep their habits under the new net days, as in
the simulator's DSO1 = t D + (1 - t)(DSO0 + N1 - N0). The weekly shift is
the week's sum of C1 - C0; the scenario's receipts are the base's plus the
shift. The change in bad debt is left out: money lost is money that would
have come after 180 days, beyond the 13 weeks. No change in terms, take-up
or sales gives a zero shift.

`cash_reconciliation` sets the 13 weeks' total against the simulator's yearly
cash released (AR0 - AR1) for the same customers: the 13 weeks count receipts
of invoices issued after the as-of date, so they see the extra invoicing, the
discounts and only the part of the change in receivables that happens by week
13; cash released is that change once every invoice is on the new terms.

The base forecast and the payment curve are fitted once per as-of date
(`collections_basis`, `book_payment_curve`); `collections_shift` is then
a few small array operations, fast enough for every slider move.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from creditdash.errors import InvalidArgument
from creditdash.ledger import DateLike, Ledger, day_number, ledger_arrays
from creditdash.simulate.baseline import YEAR_DAYS, Baseline
from creditdash.simulate.simulator import Scenario, SimulationResult

if TYPE_CHECKING:
    from creditdash.forecast import CashForecast

WEEKS = 13
CURVE_DAYS = 7 * WEEKS + 2 * YEAR_DAYS  # room for terms up to two years shorter
SHIFT_COLUMNS = [
    "week",
    "start",
    "end",
    "base_cents",
    "scenario_cents",
    "shift_cents",
    "cumulative_shift_cents",
]


@dataclass(frozen=True)
class PaymentCurve:
    """The book's payment curve at the as-of date and its credit sales over the year to it.

    `daily[d]` = P(an invoice is paid d days after its date), d = 0, 1, ...;
    `book_sales` in currency units.
    """

    daily: np.ndarray
    book_sales: float


@dataclass(frozen=True, eq=False)
class CollectionsBasis:
    """What the shift starts from.

    weeks            one row per forecast week: week, start, end, base_cents (the
                     base forecast's expected receipts, open invoices and new sales)
    new_sales_cents  the book's forecast invoicing per week (cents), same length
    pay_daily        `PaymentCurve.daily`
    book_sales       the book's credit sales over the 365 days to the as-of date
                     (currency units)
    """

    weeks: pd.DataFrame
    new_sales_cents: np.ndarray
    pay_daily: np.ndarray
    book_sales: float

    def __post_init__(self) -> None:
        if len(self.new_sales_cents) != len(self.weeks):
            raise InvalidArgument.coded(
                "terms.err.basis_weeks",
                "`new_sales_cents` must hold one figure per week ({weeks}). Got {value}.",
                weeks=len(self.weeks),
                value=len(self.new_sales_cents),
            )


def book_payment_curve(ledger: Ledger, as_of: DateLike, days: int = CURVE_DAYS) -> PaymentCurve:
    """The whole book's payment curve from invoice date (creditdash.forecast.PaymentTiming)."""
    from creditdash.forecast import PaymentTiming

    timing = PaymentTiming(reference="invoice").fit(ledger, as_of)
    arrays = ledger_arrays(ledger)
    day = day_number(as_of)
    cumsum = arrays.invoice_amount_cumsum
    sales = cumsum[arrays.invoices_until(day)] - cumsum[arrays.invoices_until(day - YEAR_DAYS)]
    return PaymentCurve(timing.daily_probabilities(timing.book_curve_, days), int(sales) / 100)


def collections_basis(forecast: CashForecast, curve: PaymentCurve) -> CollectionsBasis:
    """The basis of the shift from a fitted `cash_forecast` and the book's payment curve.

    A forecast without its new-sales layer has no new invoices to move: the
    shift is then zero.
    """
    weekly = forecast.weekly
    weeks = weekly[["week", "start", "end"]].assign(
        base_cents=weekly["total_expected_cents"].to_numpy(dtype=np.int64)
    )
    if forecast.sales is None:
        new_sales = np.zeros(len(weeks))
    else:
        new_sales = forecast.sales.forecast_["sales_cents"].to_numpy(dtype=np.float64)
    return CollectionsBasis(weeks, new_sales, np.asarray(curve.daily, float), curve.book_sales)


def collections_shift(
    basis: CollectionsBasis, baseline: Baseline, scenario: Scenario
) -> pd.DataFrame:
    """Base and scenario receipts week by week, the shift and its running total (model above).

    Columns (money int64 cents): week, start, end, base_cents, scenario_cents,
    shift_cents (scenario - base), cumulative_shift_cents.
    """
    weeks = len(basis.weeks)
    horizon = 7 * weeks
    daily_sales = _chosen_daily_sales(basis, baseline)
    t = scenario.effective_take_up
    net_days = baseline.terms_days if scenario.net_days is None else scenario.net_days
    curve = np.asarray(basis.pay_daily, float)
    new_curve = (1 - t) * _moved(curve, net_days - baseline.terms_days, horizon)
    new_curve += t * (1 - scenario.discount) * _moved(np.ones(1), scenario.discount_days, horizon)
    before = _weekly(daily_sales, _moved(curve, 0.0, horizon), weeks)
    after = (1 + scenario.sales_change) * _weekly(daily_sales, new_curve, weeks)
    shift = np.rint(after - before).astype(np.int64)
    frame = basis.weeks[["week", "start", "end", "base_cents"]].reset_index(drop=True)
    frame["base_cents"] = frame["base_cents"].astype(np.int64)
    frame["scenario_cents"] = frame["base_cents"] + shift
    frame["shift_cents"] = shift
    frame["cumulative_shift_cents"] = np.cumsum(shift)
    return frame[SHIFT_COLUMNS]


@dataclass(frozen=True)
class CashReconciliation:
    """The chosen customers' cash over the 13 weeks against the steady state (currency units).

    The 13-week receipts difference is what the new invoices bring in: extra
    invoicing, less the growth of what the customers owe, less the discounts
    they deduct, so

        weeks_total = receivables + extra_invoicing - discounts

    receivables      cash freed by the change in their receivables by the end of
                     week 13 (positive: they owe less than under today's terms)
    extra_invoicing  invoices the sales response adds over the 13 weeks
    discounts        discounts deducted by takers paying within the 13 weeks
    cash_released    AR0 - AR1: the whole change in receivables once every
                     invoice is on the new terms (the simulator's steady state)

    `receivables` approaches `cash_released` as the horizon grows past the
    slowest payments: the 13 weeks see only invoices issued after the as-of
    date, which keep moving through the ledger for months.
    """

    weeks_total: float
    receivables: float
    extra_invoicing: float
    discounts: float
    cash_released: float

    @property
    def share_realised(self) -> float | None:
        """receivables / cash_released: how much of the steady-state change the 13 weeks see."""
        if abs(self.cash_released) < 0.005:
            return None
        return self.receivables / self.cash_released

    def frame(self) -> pd.DataFrame:
        """One row per figure: figure, weeks_13 (the 13 weeks), steady_state (NaN where the
        steady state has no such figure); the last row is the receipts difference."""
        nan = float("nan")
        rows = [
            ("receivables", self.receivables, self.cash_released),
            ("extra_invoicing", self.extra_invoicing, nan),
            ("discounts", -self.discounts, nan),
            ("receipts", self.weeks_total, nan),
        ]
        return pd.DataFrame(rows, columns=["figure", "weeks_13", "steady_state"])


def cash_reconciliation(basis: CollectionsBasis, result: SimulationResult) -> CashReconciliation:
    """The 13-week receipts difference of `collections_shift` split against the steady state's
    cash released, both for the chosen customers of `result` (model in `CashReconciliation`).

    `weeks_total` is the shift's 13-week total to the cent; its parts come from the
    same model, the rounding of the weekly figures falling in `receivables`.
    """
    baseline, scenario = result.baseline, result.scenario
    weeks = len(basis.weeks)
    total_cents = int(collections_shift(basis, baseline, scenario)["shift_cents"].sum())
    daily_sales = _chosen_daily_sales(basis, baseline)
    extra_cents = scenario.sales_change * daily_sales.sum()
    taker = scenario.effective_take_up * (1 + scenario.sales_change) * scenario.discount
    paid_on_time = _moved(np.ones(1), scenario.discount_days, 7 * weeks)
    discount_cents = taker * _weekly(daily_sales, paid_on_time, weeks).sum()
    return CashReconciliation(
        weeks_total=total_cents / 100,
        receivables=(total_cents - extra_cents + discount_cents) / 100,
        extra_invoicing=extra_cents / 100,
        discounts=discount_cents / 100,
        cash_released=result.cash_released,
    )


def _chosen_daily_sales(basis: CollectionsBasis, baseline: Baseline) -> np.ndarray:
    """The chosen customers' forecast invoicing per day (cents): the book's, each week's spread
    over its 7 days, times their share of the book's credit sales."""
    share = baseline.credit_sales / basis.book_sales if basis.book_sales > 0 else 0.0
    return np.repeat(np.asarray(basis.new_sales_cents, float) / 7, 7) * min(share, 1.0)


def _moved(curve: np.ndarray, days: float, length: int) -> np.ndarray:
    """`curve` over days 0..length-1 with every point moved `days` later (clipped at day 0).

    A fractional move splits each point between the two neighbouring days.
    """
    whole = math.floor(days)
    part = days - whole
    out = np.zeros(length)
    source = np.arange(len(curve))
    for step, weight in ((whole, 1.0 - part), (whole + 1, part)):
        if weight == 0:
            continue
        target = np.maximum(source + step, 0)
        inside = target < length
        out += np.bincount(target[inside], weights=weight * curve[inside], minlength=length)
    return out


def _weekly(daily_sales: np.ndarray, curve: np.ndarray, weeks: int) -> np.ndarray:
    """Collections per week of sales made on days 1..7*weeks, paid after `curve` (same days)."""
    horizon = 7 * weeks
    by_day = np.convolve(daily_sales, curve[:horizon])[:horizon]
    return by_day.reshape(weeks, 7).sum(axis=1)
