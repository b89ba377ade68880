"""Back-test: how good the collections forecast was at past origins.

At each origin D (from `start` to `end` every `step_days`) the forecast is
fitted from what was known at D only (invoices and payments dated <= D; the
risk model's PD, when used, is fitted as of D too) and compared with what was actually collected on the invoices open at D: the
payments applied to them dated in each forecast week. Beside it, the two
baselines of spec/metrics.md:

    baseline_due_date    every open invoice paid in full on its due date
                         (already overdue: in week 1)
    baseline_avg_delay   paid on due date + the customer's amount-weighted
                         average delay of payments dated <= D (the book's
                         when the customer has none); already past: week 1

WAPE of an origin = sum |actual - forecast| / sum actual over its weeks;
`wape` overall is the mean over origins with any actual collections.
`coverage_p10_p90` = share of weeks whose actual lies in [P10, P90], over
the weeks where money was forecast (P90 > 0) or collected: a week with
nothing forecast and nothing collected says nothing about the band.
Weeks with snapshot-derived payments (source == "snapshot") are flagged
`approximate`: their payment dates are export dates, not bank dates.

Frames (money int64 cents):

weeks    origin, week, start, end, actual_cents, expected_cents, p10_cents,
         p50_cents, p90_cents, baseline_due_date_cents,
         baseline_avg_delay_cents, approximate
origins  origin, actual_cents, wape, coverage_p10_p90, baseline_due_date,
         baseline_avg_delay, approximate_weeks, sales_wape,
         sales_baseline_wape (new sales: invoicing forecast vs actual)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from creditdash.errors import InsufficientHistory, InvalidArgument
from creditdash.forecast.collections import (
    CollectionsForecast,
    OpenInvoices,
    check_weeks,
)
from creditdash.forecast.nonpayment import DefaultRisk, fit_collections
from creditdash.forecast.timing import PaymentTiming
from creditdash.ledger import DateLike, Ledger, day_number, day_to_timestamp, ledger_arrays


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """Per-week and per-origin frames (see module doc) and the overall `summary` dict."""

    weeks: pd.DataFrame
    origins: pd.DataFrame
    summary: dict = field(default_factory=dict)


def wape(actual: np.ndarray, forecast: np.ndarray) -> float | None:
    """sum |actual - forecast| / sum actual, in %; None when nothing was collected."""
    total = float(np.sum(actual))
    if total <= 0:
        return None
    return float(np.abs(np.asarray(actual) - np.asarray(forecast)).sum() / total * 100)


def actual_collections(
    ledger: Ledger, items: OpenInvoices, origin: int, weeks: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cents collected per week on the invoices in `items`, and per week "has snapshot data"."""
    arrays = ledger_arrays(ledger)
    lo = arrays.payments_until(origin)
    hi = arrays.payments_until(origin + 7 * weeks)
    p_inv = arrays.payment_invoice[lo:hi]
    is_open = np.zeros(len(arrays.invoice_day) + 1, dtype=bool)
    is_open[items.position] = True
    hit = is_open[p_inv]  # p_inv == -1 reads the spare last slot: False
    week = (arrays.payment_day[lo:hi] - origin - 1) // 7
    actual = np.bincount(week[hit], weights=arrays.payment_amount[lo:hi][hit], minlength=weeks)[
        :weeks
    ]
    snapshot = _snapshot_flags(ledger)[lo:hi]
    approx = np.bincount(week[hit & snapshot], minlength=weeks)[:weeks] > 0
    return actual, approx


def _snapshot_flags(ledger: Ledger) -> np.ndarray:
    key = "forecast_snapshot_flags"
    flags = ledger._cache.get(key)
    if flags is None:
        arrays = ledger_arrays(ledger)
        source = ledger.payments["source"].astype("str").str.lower().to_numpy()
        flags = (source == "snapshot")[arrays.payment_order]
        ledger._cache[key] = flags
    return flags


def baseline_due_date(items: OpenInvoices, origin: int, weeks: int) -> np.ndarray:
    """Cents per week if every open invoice is paid in full on its due date (overdue: week 1)."""
    return _weekly(items.outstanding, np.maximum(items.due_day, origin + 1), origin, weeks)


def average_delays(ledger: Ledger, origin: int) -> tuple[np.ndarray, float]:
    """Per customer code: amount-weighted mean days paid after due (payments dated <= origin).

    NaN where a customer has none; the second value is the book's mean.
    """
    arrays = ledger_arrays(ledger)
    n_pay = arrays.payments_until(origin)
    p_inv = arrays.payment_invoice[:n_pay]
    ok = p_inv >= 0
    amount = arrays.payment_amount[:n_pay][ok].astype(np.float64)
    ok_amount = amount > 0
    amount = amount[ok_amount]
    delay = (arrays.payment_day[:n_pay][ok] - arrays.due_day[p_inv[ok]])[ok_amount]
    cust = arrays.payment_customer[:n_pay][ok][ok_amount]
    n = len(arrays.customers)
    weight = np.bincount(cust, weights=amount, minlength=n)
    total = np.bincount(cust, weights=amount * delay, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_customer = np.where(weight > 0, total / weight, np.nan)
    book = float((amount * delay).sum() / amount.sum()) if amount.sum() > 0 else 0.0
    return per_customer, book


def baseline_avg_delay(ledger: Ledger, items: OpenInvoices, origin: int, weeks: int) -> np.ndarray:
    """Cents per week if each invoice is paid on due date + its customer's average delay."""
    per_customer, book = average_delays(ledger, origin)
    delay = per_customer[items.customer]
    delay = np.where(np.isnan(delay), book, delay)
    pay_day = items.due_day + np.rint(delay).astype(np.int64)
    return _weekly(items.outstanding, np.maximum(pay_day, origin + 1), origin, weeks)


def _weekly(amount: np.ndarray, pay_day: np.ndarray, origin: int, weeks: int) -> np.ndarray:
    week = (pay_day - origin - 1) // 7
    inside = week < weeks
    return np.bincount(week[inside], weights=amount[inside], minlength=weeks)[:weeks]


def origins_between(ledger: Ledger, start: DateLike, end: DateLike, step_days: int) -> list[int]:
    """Origin day numbers from start to end every step_days; checked against the ledger."""
    if isinstance(step_days, bool) or not isinstance(step_days, int) or step_days < 1:
        raise InvalidArgument.coded(
            "forecast.err.step_days",
            "`step_days` must be a whole number >= 1. Got {step_days!r}.",
            step_days=step_days,
        )
    first, last = day_number(start, "start"), day_number(end, "end")
    if last < first:
        raise InvalidArgument.coded(
            "forecast.err.end_before_start",
            "`end` must not be before `start`. Got {start} to {end}.",
            start=f"{day_to_timestamp(first):%Y-%m-%d}",
            end=f"{day_to_timestamp(last):%Y-%m-%d}",
        )
    if ledger.is_empty:
        raise InsufficientHistory.coded(
            "forecast.err.empty_ledger",
            "The ledger is empty: a back-test needs invoices and payments.",
        )
    arrays = ledger_arrays(ledger)
    if first <= int(arrays.invoice_day[0]):
        raise InvalidArgument.coded(
            "forecast.err.start_too_early",
            "`start` must be after the first invoice ({first}) so that there is history to learn "
            "from. Got {start}.",
            first=f"{day_to_timestamp(arrays.invoice_day[0]):%Y-%m-%d}",
            start=f"{day_to_timestamp(first):%Y-%m-%d}",
        )
    return list(range(first, last + 1, step_days))


def collections_backtest(
    ledger: Ledger,
    start: DateLike,
    end: DateLike,
    *,
    step_days: int = 7,
    horizon_weeks: int = 13,
    forecaster: CollectionsForecast | None = None,
    timing: PaymentTiming | None = None,
    sales: bool = False,
    risk: bool = True,
) -> BacktestResult:
    """Rolling-origin back-test of the collections forecast (frames in the module doc).

    `forecaster` and `timing` carry the settings to test (defaults otherwise);
    `sales=True` also back-tests the new-sales (invoicing) forecast; `risk`
    takes the chance of never being paid from the risk model's PD as of each
    origin, as the forecast does (`creditdash.forecast.nonpayment`).
    """
    weeks = check_weeks(horizon_weeks)
    origins = origins_between(ledger, start, end, step_days)
    base = forecaster or CollectionsForecast()
    default_risk = DefaultRisk(ledger) if risk else None
    week_rows, origin_rows = [], []
    sales_model = None
    for origin in origins:
        model = CollectionsForecast(
            weeks=weeks,
            n_sims=base.n_sims,
            correlation=base.correlation,
            max_simulated=base.max_simulated,
            seed=base.seed,
            timing=timing or base.timing,
        )
        fit_collections(model, ledger, day_to_timestamp(origin), default_risk)
        items = model.items_
        actual, approx = actual_collections(ledger, items, origin, weeks)
        frame = model.weekly_.copy()
        frame.insert(0, "origin", day_to_timestamp(origin))
        frame["actual_cents"] = np.rint(actual).astype(np.int64)
        frame["baseline_due_date_cents"] = np.rint(baseline_due_date(items, origin, weeks)).astype(
            np.int64
        )
        frame["baseline_avg_delay_cents"] = np.rint(
            baseline_avg_delay(ledger, items, origin, weeks)
        ).astype(np.int64)
        frame["approximate"] = approx
        week_rows.append(frame)
        row = _origin_row(frame)
        if sales:
            from creditdash.forecast.sales import sales_backtest_row

            sales_row, sales_model = sales_backtest_row(ledger, origin, weeks, sales_model)
            row.update(sales_row)
        origin_rows.append(row)
    weeks_frame = pd.concat(week_rows, ignore_index=True)
    origins_frame = pd.DataFrame(origin_rows)
    return BacktestResult(weeks_frame, origins_frame, summarise(weeks_frame, origins_frame))


def coverage(weeks: pd.DataFrame) -> float | None:
    """% of weeks whose actual lies in [P10, P90], over weeks with money forecast or collected."""
    actual = weeks["actual_cents"]
    live = (weeks["p90_cents"] > 0) | (actual != 0)
    if not live.any():
        return None
    inside = (weeks["p10_cents"] <= actual) & (actual <= weeks["p90_cents"])
    return float(inside[live].mean() * 100)


def _origin_row(frame: pd.DataFrame) -> dict:
    actual = frame["actual_cents"].to_numpy(dtype=np.float64)
    return {
        "origin": frame["origin"].iloc[0],
        "actual_cents": int(actual.sum()),
        "wape": wape(actual, frame["expected_cents"].to_numpy()),
        "coverage_p10_p90": coverage(frame),
        "baseline_due_date": wape(actual, frame["baseline_due_date_cents"].to_numpy()),
        "baseline_avg_delay": wape(actual, frame["baseline_avg_delay_cents"].to_numpy()),
        "approximate_weeks": int(frame["approximate"].sum()),
    }


def summarise(weeks: pd.DataFrame, origins: pd.DataFrame) -> dict:
    """Overall figures: mean WAPE over origins, band coverage over all weeks (in %)."""

    def mean(col: str) -> float | None:
        if col not in origins:
            return None
        values = origins[col].dropna()
        return None if values.empty else round(float(values.mean()), 2)

    band = coverage(weeks) if len(weeks) else None
    out = {
        "origins": len(origins),
        "wape": mean("wape"),
        "coverage_p10_p90": None if band is None else round(band, 2),
        "baseline_due_date": mean("baseline_due_date"),
        "baseline_avg_delay": mean("baseline_avg_delay"),
        "approximate_weeks": int(weeks["approximate"].sum()),
    }
    if "sales_wape" in origins:
        out["sales_wape"] = mean("sales_wape")
        out["sales_baseline_wape"] = mean("sales_baseline_wape")
    return out


def recent_backtest(
    ledger: Ledger, as_of: DateLike, origins: int = 12, step_days: int = 14, weeks: int = 13
) -> BacktestResult:
    """The back-test over the last `origins` origins whose whole horizon ends by as_of."""
    day = day_number(as_of)
    last = day - 7 * weeks
    first = last - step_days * (origins - 1)
    if ledger.is_empty:
        raise InsufficientHistory.coded(
            "forecast.err.empty_ledger",
            "The ledger is empty: a back-test needs invoices and payments.",
        )
    start = max(first, int(ledger_arrays(ledger).invoice_day[0]) + 180)
    if start > last:
        raise InsufficientHistory.coded(
            "forecast.err.backtest_history",
            "A back-test needs at least {days} days of history before the as-of date {as_of}.",
            days=180 + 7 * weeks,
            as_of=f"{day_to_timestamp(day):%Y-%m-%d}",
        )
    start = last - ((last - start) // step_days) * step_days
    return collections_backtest(
        ledger,
        day_to_timestamp(start),
        day_to_timestamp(last),
        step_days=step_days,
        horizon_weeks=weeks,
    )
