"""The DSO family and other collection KPIs (definitions: spec/metrics.md).

The pure functions take plain numbers in any one unit, so they can be
checked against published examples; each returns None where its
denominator is zero. `kpis` computes them all from a ledger at an as-of
date D over the window (D - P, D], P = `window_days`.

This module is the one home of DSO: `credit_sales` sums a window's sales
and `dso_at` gives the simple and best possible DSO of a ledger (or of some
of its customers) over any window. The 90-day tiles, the 365-day DSO of
working capital and the terms simulator's baseline all read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from numbers import Integral

import numpy as np

from creditdash.aging import ar_summary
from creditdash.errors import InvalidArgument
from creditdash.ledger import (
    DateLike,
    Ledger,
    LedgerArrays,
    day_number,
    day_to_timestamp,
    ledger_arrays,
)

MAX_COUNTBACK_MONTHS = 24

Number = int | float


def dso_simple(total_ar: Number, credit_sales: Number, days: Number) -> float | None:
    """Days sales outstanding: total AR / credit sales in the period x its days."""
    return _ratio(total_ar * days, credit_sales)


def best_possible_dso(current_ar: Number, credit_sales: Number, days: Number) -> float | None:
    """Best possible DSO: current (not yet due) AR / credit sales x days."""
    return _ratio(current_ar * days, credit_sales)


def add(dso: float | None, bpdso: float | None) -> float | None:
    """Average days delinquent: DSO - best possible DSO."""
    return None if dso is None or bpdso is None else dso - bpdso


average_days_delinquent = add


@dataclass(frozen=True)
class CountbackResult:
    """Countback DSO in days; `capped` when AR outlasted every month walked (at most 24)."""

    days: float
    capped: bool


def countback(
    total_ar: Number, monthly_sales: Sequence[Number], month_days: Sequence[int]
) -> CountbackResult:
    """Countback DSO, newest month first (the first month counts only the days up to D).

    While AR left >= the month's sales, the month counts whole and its sales
    are subtracted (months with zero or negative sales always count whole);
    then the month that absorbs the rest counts (AR left / its sales) x its
    days and the walk stops. AR <= 0 gives 0 days. The walk stops after
    `MAX_COUNTBACK_MONTHS` months; `capped` says AR was left over.
    """
    if len(month_days) != len(monthly_sales):
        raise InvalidArgument.coded(
            "error.kpis.month_days",
            "`month_days` must have one entry per month of `monthly_sales` ({months}). Got {got}.",
            months=len(monthly_sales),
            got=len(month_days),
        )
    left, days = total_ar, 0.0
    for sales, length in list(zip(monthly_sales, month_days, strict=True))[:MAX_COUNTBACK_MONTHS]:
        if left <= 0:
            break
        if sales > 0 and left < sales:
            return CountbackResult(days + left * length / sales, capped=False)
        days += length
        left -= sales
    return CountbackResult(float(days), capped=left > 0)


def dso_countback(
    total_ar: Number, monthly_sales: Sequence[Number], month_days: Sequence[int]
) -> float:
    """Countback DSO in days (see `countback`, which also says whether it was capped)."""
    return countback(total_ar, monthly_sales, month_days).days


def cei(
    beginning_ar: Number,
    credit_sales: Number,
    ending_total_ar: Number,
    ending_current_ar: Number,
    months: Number = 1,
) -> float | None:
    """Collection effectiveness index: (B + S/N - E) / (B + S/N - Ec) x 100."""
    if months == 0:
        return None
    # Multiplied through by N so that whole-number inputs divide only once.
    collectable = beginning_ar * months + credit_sales
    return _ratio(
        (collectable - ending_total_ar * months) * 100, collectable - ending_current_ar * months
    )


def turnover(
    credit_sales: Number, days: Number, beginning_ar: Number, ending_ar: Number
) -> float | None:
    """Receivables turnover a year: credit sales x 365 / days / mean(beginning AR, ending AR)."""
    return _ratio(credit_sales * 365 * 2, days * (beginning_ar + ending_ar))


def overdue_pct(overdue_ar: Number, total_ar: Number) -> float | None:
    """Overdue AR (dpd > 0) as a percentage of total AR."""
    return _ratio(overdue_ar * 100, total_ar)


@dataclass(frozen=True)
class DSOFigures:
    """Simple and best possible DSO at `as_of` over the `window_days` days up to it.

    Money in int cents: AR at as_of (foreign balances at its rate), credit
    sales in the window (each invoice at its own date's rate). `dso` and
    `bpdso` are unrounded days, None without credit sales.
    """

    as_of: str
    window_days: int
    total_ar: int
    current_ar: int
    overdue_ar: int
    credit_sales: int
    dso: float | None
    bpdso: float | None


def credit_sales(
    ledger: Ledger, as_of: DateLike, window_days: int = 90, customers: np.ndarray | None = None
) -> int:
    """Signed sum of invoice amounts dated in (as_of - window_days, as_of], in cents.

    Each invoice counts at its own date's rate (a flow, not a balance);
    `customers`, a bool per row of `ledger_arrays(ledger).customers`, limits
    the sum to those customers.
    """
    window = _checked_window(window_days)
    day = day_number(as_of)
    arrays = ledger_arrays(ledger)
    start, stop = arrays.invoices_until(day - window), arrays.invoices_until(day)
    if customers is None:
        cumsum = arrays.invoice_amount_cumsum
        return int(cumsum[stop] - cumsum[start])
    chosen = customers[arrays.invoice_customer[start:stop]]
    return int(arrays.invoice_amount[start:stop][chosen].sum())


def dso_at(
    ledger: Ledger, as_of: DateLike, window_days: int = 90, customers: np.ndarray | None = None
) -> DSOFigures:
    """Simple DSO and best possible DSO at as_of over the window (see `dso_simple`).

    `customers` limits AR and sales to those customers (a bool per row of
    `ledger_arrays(ledger).customers`); None takes every customer.
    """
    window = _checked_window(window_days)
    day = day_number(as_of)
    now = ar_summary(ledger, day_to_timestamp(day), customers)
    sales = credit_sales(ledger, day_to_timestamp(day), window, customers)
    return DSOFigures(
        as_of=day_to_timestamp(day).date().isoformat(),
        window_days=window,
        total_ar=now.total,
        current_ar=now.current,
        overdue_ar=now.overdue,
        credit_sales=sales,
        dso=dso_simple(now.total, sales, window),
        bpdso=best_possible_dso(now.current, sales, window),
    )


def _checked_window(window_days: object) -> int:
    if isinstance(window_days, bool) or not isinstance(window_days, Integral) or window_days < 1:
        raise InvalidArgument.coded(
            "error.kpis.window_days",
            "`window_days` must be a whole number of days >= 1. Got {days!r}.",
            days=window_days,
        )
    return int(window_days)


KPI_KEYS = (
    "total_ar",
    "current_ar",
    "overdue_ar",
    "overdue_pct",
    "credit_sales",
    "dso_simple",
    "dso_countback",
    "bpdso",
    "add",
    "cei",
    "avg_days_to_pay",
    "avg_days_late",
    "turnover",
    "window_days",
    "as_of",
    "countback_capped",
)


@dataclass(frozen=True)
class Kpis:
    """Every KPI at `as_of` over the window (as_of - window_days, as_of] (`kpis` computes it).

    Money as float currency units (cents / 100, exact to the cent); days,
    percentages, CEI and turnover rounded to 2 decimals; None where a
    denominator is zero; `as_of` an ISO date string. `kpi_definitions` says
    what each figure means; the fields are `KPI_KEYS`, in that order.
    """

    total_ar: float
    current_ar: float
    overdue_ar: float
    overdue_pct: float | None
    credit_sales: float
    dso_simple: float | None
    dso_countback: float | None
    bpdso: float | None
    add: float | None
    cei: float | None
    avg_days_to_pay: float | None
    avg_days_late: float | None
    turnover: float | None
    window_days: int
    as_of: str
    countback_capped: bool

    def as_dict(self) -> dict[str, object]:
        """The figures by name in `KPI_KEYS` order, as plain JSON values."""
        return asdict(self)


kpi_definitions: dict[str, str] = {
    "total_ar": "Outstanding of every invoice dated on or before the as-of date, net of unapplied cash.",
    "current_ar": "Outstanding of invoices not yet past their due date at the as-of date.",
    "overdue_ar": "Outstanding of invoices past their due date (days past due > 0) at the as-of date.",
    "overdue_pct": "Overdue % = AR past its due date / total AR x 100.",
    "credit_sales": "Signed sum of invoices dated in the window (credit notes net off).",
    "dso_simple": "Days sales outstanding = total AR / credit sales in the window x window days.",
    "dso_countback": "Countback DSO: walking back month by month from the as-of month, the days of sales it takes to add up to total AR (whole months while AR left >= the month's sales, then the fraction of the next; at most 24 months).",
    "bpdso": "Best possible DSO = current (not yet due) AR / credit sales in the window x window days: the DSO if every customer paid on time.",
    "add": "Average days delinquent = DSO - best possible DSO: the days that late payment adds.",
    "cei": "Collection effectiveness index = (B + S/N - E) / (B + S/N - Ec) x 100, with B the AR at the window's start, S the window's credit sales, N its months (days / 30), E the total and Ec the current AR now: the share of collectible AR that was collected.",
    "avg_days_to_pay": "Amount-weighted mean days from invoice date to payment, over payments applied to invoices in the window.",
    "avg_days_late": "Amount-weighted mean days from due date to payment (early is negative), same payments.",
    "turnover": "Times a year receivables turn over: annualised window credit sales divided by mean AR at the window's start and end.",
    "window_days": "Length in days of the window ending at the as-of date that sales and payments are taken from.",
    "as_of": "The date the figures look from: later invoices and payments are ignored.",
    "countback_capped": "True when the countback DSO stopped at 24 months with AR left over.",
}


def kpis(ledger: Ledger, as_of: DateLike, window_days: int = 90) -> Kpis:
    """Every KPI at as_of over the window (as_of - window_days, as_of] (see `Kpis`)."""
    window = _checked_window(window_days)
    day = day_number(as_of)
    arrays = ledger_arrays(ledger)
    now = dso_at(ledger, day_to_timestamp(day), window)
    before = ar_summary(ledger, day_to_timestamp(day - window))
    total, current, sales = now.total_ar, now.current_ar, now.credit_sales
    back = countback(total, *_countback_months(arrays, day))
    to_pay, late = _payment_delays(arrays, day, window)
    return Kpis(
        total_ar=total / 100,
        current_ar=current / 100,
        overdue_ar=now.overdue_ar / 100,
        overdue_pct=_round(overdue_pct(now.overdue_ar, total)),
        credit_sales=sales / 100,
        dso_simple=_round(now.dso),
        dso_countback=_round(back.days),
        bpdso=_round(now.bpdso),
        add=_round(add(now.dso, now.bpdso)),
        cei=_round(cei(before.total, sales, total, current, window / 30)),
        avg_days_to_pay=_round(to_pay),
        avg_days_late=_round(late),
        turnover=_round(turnover(sales, window, before.total, total)),
        window_days=window,
        as_of=day_to_timestamp(day).date().isoformat(),
        countback_capped=back.capped,
    )


def _countback_months(arrays: LedgerArrays, day: int) -> tuple[list[int], list[int]]:
    """Sales and day counts of the 24 calendar months back from day's month (that one up to day)."""
    today: dt.date = day_to_timestamp(day).date()
    month = np.datetime64(today, "M") - np.arange(MAX_COUNTBACK_MONTHS)
    first = month.astype("datetime64[D]").astype(np.int64)
    last = (month + 1).astype("datetime64[D]").astype(np.int64) - 1
    last[0] = day
    cumsum = arrays.invoice_amount_cumsum
    upto = np.searchsorted(arrays.invoice_day, last, side="right")
    before = np.searchsorted(arrays.invoice_day, first - 1, side="right")
    return (cumsum[upto] - cumsum[before]).tolist(), (last - first + 1).tolist()


def _payment_delays(
    arrays: LedgerArrays, day: int, window: int
) -> tuple[float | None, float | None]:
    """Amount-weighted mean days (invoice date -> payment, due date -> payment) in the window.

    Payments dated in (day - window, day] that apply to an invoice existing at day.
    """
    start, stop = arrays.payments_until(day - window), arrays.payments_until(day)
    target = arrays.payment_invoice[start:stop]
    applied = target.view(np.uintp) < arrays.invoices_until(day)
    invoice = target[applied]
    amount = arrays.payment_amount[start:stop][applied]
    paid_on = arrays.payment_day[start:stop][applied]
    return (
        _weighted_mean(amount, paid_on - arrays.invoice_day[invoice]),
        _weighted_mean(amount, paid_on - arrays.due_day[invoice]),
    )


def _weighted_mean(weights: np.ndarray, values: np.ndarray) -> float | None:
    """sum(w * v) / sum(w) from exact integer sums; None when the weights sum to 0."""
    if not len(weights):
        return None
    weight_bound = float(np.abs(weights).sum(dtype=np.float64))
    if weight_bound * max(1.0, float(np.abs(values).max())) < 2.0**62:
        numerator, denominator = int(np.dot(weights, values)), int(weights.sum())
    else:  # beyond int64: Python ints, slower but exact
        pairs = zip(weights.tolist(), values.tolist(), strict=True)
        numerator = sum(w * v for w, v in pairs)
        denominator = sum(weights.tolist())
    return _ratio(numerator, denominator)


def _ratio(numerator: Number, denominator: Number) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
