"""Collections of the invoices open at as_of, week by week, with honest bands.

Week k (1-based) is as_of + 7(k-1) + 1 .. as_of + 7k (spec/metrics.md). Each
open invoice with a positive outstanding amount gets P(paid in week k) from its
customer's curve (`PaymentTiming`), conditional on being unpaid at as_of;
disputed invoices use the disputed curve. A customer that pays on a day of
the month (a payment run) gets its curve's mass on the nearest run day.
`never_paid` (per customer, e.g. from the risk model's PD, see
`nonpayment.py`) replaces the share a curve never pays (`never_paid_factor`).

The expected week total is exact (sum of outstanding x probability). The
bands come from simulation: every invoice lands in one week (or later / never)
through a Gaussian copula in which a customer's invoices share a common factor
(`correlation`), so one customer's lateness moves all its invoices together.
The shared factor stands less for invoices paid together than for what is
not known about a customer's curve (too little history, a change of habit),
which moves all its open invoices at once; the default 0.8 holds the demo's
and the IBM sample's back-tested P10-P90 coverage near 80%.
A partly paid invoice is forecast at what remains (its outstanding) as one
amount; its timing is the customer's amount-weighted curve, in which earlier
instalments count as payments.
The largest invoices (up to `max_simulated`) are simulated one by one; the rest
add their exact mean and a normal term with the same copula's variance
approximation, which is accurate for many small invoices.

Frames returned:

weekly      one row per week: week, start, end, expected_cents, p10_cents,
            p50_cents, p90_cents (int64 cents)
invoices    one row per open invoice: invoice_id, customer_id, customer_name,
            segment, due_date, dpd, disputed, outstanding_cents,
            expected_in_horizon_cents, then w1..wK expected cents per week
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from creditdash.errors import InvalidArgument, NotFitted
from creditdash.forecast.timing import PaymentTiming
from creditdash.ledger import (
    DateLike,
    Ledger,
    LedgerArrays,
    day_number,
    day_to_timestamp,
    ledger_arrays,
)

QUANTILES = (0.1, 0.5, 0.9)
_PAYS_NOTHING = 0.999  # a curve leaving this share unpaid has no payment timing
_HALF_MONTH = 16  # days: a run customer's curve reaches this far either side of a run


@dataclass(frozen=True, eq=False)
class OpenInvoices:
    """Invoices with positive outstanding at as_of, as arrays (sorted invoice positions)."""

    position: np.ndarray
    customer: np.ndarray
    outstanding: np.ndarray  # float cents
    due_day: np.ndarray
    invoice_day: np.ndarray
    disputed: np.ndarray


def open_invoices(ledger: Ledger, as_of: DateLike) -> OpenInvoices:
    """Invoices dated <= as_of whose outstanding at as_of is positive (credit notes left out)."""
    arrays = ledger_arrays(ledger)
    day = day_number(as_of)
    n_inv = arrays.invoices_until(day)
    outstanding = outstanding_at(arrays, day, n_inv)
    pos = np.flatnonzero(outstanding > 0)
    disputed = ledger.invoices["disputed"].to_numpy(dtype=bool)[arrays.invoice_order[pos]]
    return OpenInvoices(
        position=pos,
        customer=arrays.invoice_customer[pos],
        outstanding=outstanding[pos],
        due_day=arrays.due_day[pos],
        invoice_day=arrays.invoice_day[pos],
        disputed=disputed,
    )


def outstanding_at(arrays: LedgerArrays, day: int, n_inv: int) -> np.ndarray:
    """Outstanding cents (float) of the first n_inv sorted invoices at the end of `day`."""
    n_pay = arrays.payments_until(day)
    p_inv = arrays.payment_invoice[:n_pay]
    ok = (p_inv >= 0) & (p_inv < n_inv)
    paid = np.bincount(p_inv[ok], weights=arrays.payment_amount[:n_pay][ok], minlength=n_inv)
    return arrays.invoice_amount[:n_inv] - paid


def week_bounds(as_of: DateLike, weeks: int) -> pd.DataFrame:
    """week, start, end (inclusive) of forecast weeks 1..weeks after as_of."""
    day = day_number(as_of)
    k = np.arange(1, weeks + 1)
    return pd.DataFrame(
        {
            "week": k,
            "start": [day_to_timestamp(day + 7 * (i - 1) + 1) for i in k.tolist()],
            "end": [day_to_timestamp(day + 7 * i) for i in k.tolist()],
        }
    )


def check_weeks(weeks: int) -> int:
    if isinstance(weeks, bool) or not isinstance(weeks, int | np.integer) or not 1 <= weeks <= 52:
        raise InvalidArgument.coded(
            "forecast.err.weeks",
            "`weeks` must be a whole number from 1 to 52. Got {weeks!r}.",
            weeks=weeks,
        )
    return int(weeks)


class CollectionsForecast:
    """Weekly collections of the invoices open at as_of (expected and P10/P50/P90).

    Settings: `weeks`, `n_sims`, `correlation` (within-customer copula
    correlation, 0..1), `max_simulated` (invoices simulated one by one),
    `seed`, `timing` (an unfitted PaymentTiming to use). After fit:
    `timing_`, `never_paid_` (the chances used, or None), `items_`
    (OpenInvoices), `probabilities_` (items x weeks+1),
    `samples_` (n_sims x weeks, cents), `weekly_` and `invoices_` (frames above).
    """

    def __init__(
        self,
        weeks: int = 13,
        n_sims: int = 2000,
        correlation: float = 0.8,
        max_simulated: int = 5_000,
        seed: int = 0,
        timing: PaymentTiming | None = None,
    ) -> None:
        self.weeks = check_weeks(weeks)
        if not 0.0 <= correlation <= 1.0:
            raise InvalidArgument.coded(
                "forecast.err.correlation",
                "`correlation` must be between 0 and 1. Got {correlation}.",
                correlation=correlation,
            )
        if n_sims < 100:
            raise InvalidArgument.coded(
                "forecast.err.n_sims", "`n_sims` must be at least 100. Got {n_sims}.", n_sims=n_sims
            )
        self.n_sims = int(n_sims)
        self.correlation = float(correlation)
        self.max_simulated = int(max_simulated)
        self.seed = seed
        self.timing = timing

    def fit(
        self,
        ledger: Ledger,
        as_of: DateLike,
        *,
        shift_days: np.ndarray | int = 0,
        collectible: np.ndarray | None = None,
        never_paid: pd.Series | None = None,
        timing: PaymentTiming | None = None,
    ) -> CollectionsForecast:
        """Forecast from what was known at as_of.

        `shift_days` (per customer code or one number) delays payments;
        `collectible` (per customer code, 0..1) scales what a customer pays
        (0 = defaults); `never_paid` (per customer_id, 0..1, NaN = keep the
        curve's) is the chance an undisputed invoice of the customer is never
        paid (`never_paid_factor`); `timing` reuses an already fitted PaymentTiming.
        """
        arrays = ledger_arrays(ledger)
        day = day_number(as_of)
        if timing is None:
            timing = PaymentTiming(**timing_settings(self.timing))
            timing.fit(ledger, as_of)
        items = open_invoices(ledger, as_of)
        n_cust = len(arrays.customers)
        factor = np.ones(n_cust)
        if collectible is not None:
            factor *= np.clip(np.asarray(collectible, dtype=np.float64), 0.0, 1.0)
        shift = np.broadcast_to(np.asarray(shift_days, dtype=np.int64), (n_cust,))
        curve = timing.curve_of(items.customer, items.disputed)
        ref = items.due_day if timing.reference == "due" else items.invoice_day
        probs = timing.weekly_probabilities(curve, day - ref, self.weeks, shift[items.customer])
        runs = timing.run_day_[items.customer]
        if (runs > 0).any():
            on_run = np.flatnonzero(runs > 0)
            probs[on_run] = run_day_probabilities(
                timing,
                curve[on_run],
                (day - ref)[on_run],
                runs[on_run],
                day,
                self.weeks,
                shift[items.customer][on_run],
            )
        keep = factor[items.customer]
        if never_paid is not None:
            chance = never_paid.reindex(arrays.customers["customer_id"]).to_numpy(dtype=np.float64)
            keep = keep * never_paid_factor(
                timing, curve, day - ref, np.where(items.disputed, np.nan, chance[items.customer])
            )
        probs[:, : self.weeks] *= keep[:, None]
        probs[:, self.weeks] = 1.0 - probs[:, : self.weeks].sum(axis=1)
        self.timing_ = timing
        self.never_paid_ = never_paid
        self.items_ = items
        self.probabilities_ = probs
        self.as_of_ = day
        self.samples_ = simulate_weeks(
            probs,
            items.outstanding,
            items.customer,
            n_sims=self.n_sims,
            correlation=self.correlation,
            max_simulated=self.max_simulated,
            seed=self.seed,
        )
        self.weekly_ = weekly_frame(
            day, items.outstanding @ probs[:, : self.weeks], self.samples_, self.weeks
        )
        self._ledger = ledger
        return self

    @property
    def invoices_(self) -> pd.DataFrame:
        if not hasattr(self, "items_"):
            raise NotFitted.coded(
                "forecast.err.collections_not_fitted",
                "CollectionsForecast is not fitted: call fit(ledger, as_of) first.",
            )
        return invoice_frame(self._ledger, self.items_, self.probabilities_, self.as_of_)


def never_paid_factor(
    timing: PaymentTiming, curve: np.ndarray, elapsed: np.ndarray, chance: np.ndarray
) -> np.ndarray:
    """Per invoice, what its curve's weekly probabilities are multiplied by when the
    chance it is never paid is `chance` instead of the curve's own.

    A curve S (share still unpaid by delay) levels off at S(max_delay), the
    share its history never paid: S = q0 + (1 - q0) S*, S* the timing of the
    money that is paid. With the chance q in place of q0 and the invoice
    unpaid at delay e, P(paid in a week) = (1 - q) dS* / (q + (1 - q) S*(e)):
    the longer an invoice has gone unpaid, the likelier it is one never paid.
    The factor is 1 where `chance` is NaN, past max_delay (the book's tail)
    and on curves that pay nothing.
    """
    q0 = timing.unpaid_share(curve)
    s_e = np.exp(timing.log_survival(curve, elapsed))
    q = np.clip(chance, 0.0, 1.0)
    usable = ~np.isnan(q) & (elapsed < timing.max_delay) & (q0 < _PAYS_NOTHING)
    q, q0, s_e = (np.where(usable, x, 0.0) for x in (q, q0, s_e))
    ratio = (1.0 - q) / (1.0 - q0)
    below = q + ratio * np.maximum(s_e - q0, 0.0)
    factor = np.divide(ratio * s_e, below, out=np.zeros_like(below), where=below > 0)
    return np.where(usable, factor, 1.0)


def run_day_probabilities(
    timing: PaymentTiming,
    curve: np.ndarray,
    elapsed: np.ndarray,
    run_day: np.ndarray,
    day: int,
    weeks: int,
    shift: np.ndarray,
) -> np.ndarray:
    """Weekly probabilities of invoices whose customer pays on a day of the month.

    Such a customer's curve is learned from payments that all fell on its run
    day, so it already holds the wait for the run: the curve's mass on each day
    goes to the nearest run day (the first one after as_of at the earliest).
    Days up to half a month past the horizon can land inside it; mass landing
    past the horizon counts as later.
    """
    horizon = 7 * weeks
    days = horizon + _HALF_MONTH
    daily = _daily(timing, curve, elapsed, days, shift)
    dates = np.arange(day + 1, day + days + 1)
    months = np.arange(
        np.datetime64(day, "D").astype("datetime64[M]") - 1,
        np.datetime64(day + days, "D").astype("datetime64[M]") + 2,
    )
    out = np.zeros((len(curve), weeks + 1))
    for run in np.unique(run_day):
        rows = np.flatnonzero(run_day == run)
        runs = _nth_day(months, run).astype(np.int64)
        # a run passed at as_of did not pay the invoice: the next one will
        target = np.maximum(_nearest(runs, dates), runs[np.searchsorted(runs, day, "right")])
        week = np.minimum((target - day - 1) // 7, weeks)
        sums = np.zeros((len(rows), weeks + 1))
        np.add.at(sums.T, week, daily[rows].T)
        sums[:, weeks] += 1.0 - daily[rows].sum(axis=1)
        out[rows] = sums
    return np.clip(out, 0.0, 1.0)


def _nearest(runs: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """The run day (sorted `runs`) nearest each date; the earlier one on a tie."""
    after = np.clip(np.searchsorted(runs, dates), 1, len(runs) - 1)
    before = after - 1
    closer_before = dates - runs[before] <= runs[after] - dates
    return np.where(closer_before, runs[before], runs[after])


def _daily(
    timing: PaymentTiming, curve: np.ndarray, elapsed: np.ndarray, days: int, shift: np.ndarray
) -> np.ndarray:
    """P(paid on each of the next `days` days), conditional on unpaid at as_of."""
    ends = elapsed[:, None] + np.arange(days + 1)[None, :] - shift[:, None]
    ends = np.maximum(ends, elapsed[:, None])
    log_s = timing.log_survival(curve[:, None], ends) - timing.log_survival(curve, elapsed)[:, None]
    surv = np.exp(np.minimum(log_s, 0.0))
    return surv[:, :-1] - surv[:, 1:]


def _nth_day(month: np.ndarray, dom: int) -> np.ndarray:
    """Day `dom` of each month (the month's last day when it is shorter)."""
    first = month.astype("datetime64[D]")
    last = (month + 1).astype("datetime64[D]") - 1
    return np.minimum(first + (dom - 1), last)


def timing_settings(timing: PaymentTiming | None) -> dict:
    """The settings of `timing` (fitted or not) as keyword arguments; {} for None."""
    if timing is None:
        return {}
    return {
        "half_life_days": timing.half_life_days,
        "prior_invoices": timing.prior_invoices,
        "smooth_days": timing.smooth_days,
        "min_delay": timing.min_delay,
        "max_delay": timing.max_delay,
        "reference": timing.reference,
    }


def weekly_frame(day: int, expected: np.ndarray, samples: np.ndarray, weeks: int) -> pd.DataFrame:
    """The `weekly` frame from expected cents per week and simulated totals (sims x weeks)."""
    frame = week_bounds(day_to_timestamp(day), weeks)
    frame["expected_cents"] = np.rint(expected).astype(np.int64)
    q = np.quantile(samples, QUANTILES, axis=0) if len(samples) else np.zeros((3, weeks))
    for name, row in zip(("p10_cents", "p50_cents", "p90_cents"), q, strict=True):
        frame[name] = np.rint(row).astype(np.int64)
    return frame


def simulate_weeks(
    probs: np.ndarray,
    amounts: np.ndarray,
    customer: np.ndarray,
    *,
    n_sims: int,
    correlation: float,
    max_simulated: int,
    seed: int,
) -> np.ndarray:
    """Simulated week totals (n_sims x weeks) of invoices paid whole in one week or later.

    `probs` is items x (weeks + 1), the last column being "later or never".
    An invoice's latent normal is sqrt(correlation) x its customer's shock +
    sqrt(1 - correlation) x its own; it is paid in the first week whose
    cumulative probability, on the normal scale, the latent value does not
    exceed.
    """
    from scipy.special import ndtri

    rng = np.random.default_rng(seed)
    weeks = probs.shape[1] - 1
    totals = np.zeros((n_sims, weeks))
    if len(amounts) == 0:
        return totals
    order = np.argsort(-amounts, kind="stable")
    big, small = order[:max_simulated], order[max_simulated:]
    cum = np.clip(np.cumsum(probs[big, :weeks], axis=1), 0.0, 1.0)
    bounds = np.ascontiguousarray(ndtri(cum).astype(np.float32).T)  # weeks x items
    _, cust = np.unique(customer[big], return_inverse=True)
    a, b = np.float32(np.sqrt(correlation)), np.float32(np.sqrt(1.0 - correlation))
    chunk = max(1, 2_000_000 // max(len(big), 1))
    for s0 in range(0, n_sims if len(big) else 0, chunk):
        m = min(n_sims, s0 + chunk) - s0
        latent = rng.standard_normal((m, len(big)), dtype=np.float32)
        latent *= b
        latent += a * rng.standard_normal((m, cust.max() + 1), dtype=np.float32)[:, cust]
        week = np.zeros(latent.shape, dtype=np.int8)  # 0..weeks; weeks = not in the horizon
        for k in range(weeks):
            week += latent > bounds[k]
        flat = week.astype(np.int64)
        flat += (np.arange(m) * (weeks + 1))[:, None]
        sums = np.bincount(
            flat.ravel(),
            weights=np.broadcast_to(amounts[big], (m, len(big))).ravel(),
            minlength=m * (weeks + 1),
        )
        totals[s0 : s0 + m] = sums.reshape(m, weeks + 1)[:, :weeks]
    if len(small):
        mean, sd = _normal_part(probs[small, :weeks], amounts[small], customer[small], correlation)
        totals += mean + sd * rng.standard_normal((n_sims, weeks))
        totals = np.maximum(totals, 0.0)
    return totals


def _normal_part(
    probs: np.ndarray, amounts: np.ndarray, customer: np.ndarray, correlation: float
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd per week of many small invoices, indicators correlated within a customer."""
    mean = amounts @ probs
    sd_each = amounts[:, None] * np.sqrt(probs * (1.0 - probs))
    independent = (sd_each**2).sum(axis=0)
    _, cust = np.unique(customer, return_inverse=True)
    per_customer = np.zeros((cust.max() + 1, probs.shape[1]))
    np.add.at(per_customer, cust, sd_each)
    shared = (per_customer**2).sum(axis=0)
    var = (1.0 - correlation) * independent + correlation * shared
    return mean, np.sqrt(var)


def invoice_frame(ledger: Ledger, items: OpenInvoices, probs: np.ndarray, day: int) -> pd.DataFrame:
    """The `invoices` frame: each open invoice's expected collections per week."""
    arrays = ledger_arrays(ledger)
    rows = arrays.invoice_order[items.position]
    weeks = probs.shape[1] - 1
    expected = items.outstanding[:, None] * probs[:, :weeks]
    frame = pd.DataFrame(
        {
            "invoice_id": ledger.invoices["invoice_id"].to_numpy()[rows],
            "customer_id": arrays.customers["customer_id"].to_numpy()[items.customer],
            "customer_name": arrays.customers["customer_name"].to_numpy()[items.customer],
            "segment": arrays.attributes["segment"].to_numpy()[items.customer],
            "due_date": items.due_day.astype("datetime64[D]").astype("datetime64[us]"),
            "dpd": day - items.due_day,
            "disputed": items.disputed,
            "outstanding_cents": np.rint(items.outstanding).astype(np.int64),
            "expected_in_horizon_cents": np.rint(expected.sum(axis=1)).astype(np.int64),
        }
    )
    for k in range(weeks):
        frame[f"w{k + 1}"] = np.rint(expected[:, k]).astype(np.int64)
    return frame
