"""When customers pay: per-customer payment-delay curves from the book's own history.

`PaymentTiming` estimates, for every customer, a discrete-time hazard of
payment by delay (days after the due date, or after the invoice date with
`reference="invoice"`), amount-weighted and recency-weighted, from what was
known at `as_of` only: invoices dated <= as_of, payments dated <= as_of.
Invoices still open at as_of are censored (their exposure counts, their
payment has not happened), so recent slow payers do not look prompt.

Shrinkage: a customer's hazard at delay x is
    (E_c(x) + k * A_c * h_seg(x)) / (R_c(x) + k * A_c)
where E is paid money, R money at risk, A_c the customer's mean invoice and k
(`prior_invoices`) the number of pseudo-invoices that follow the segment's
curve; the segment shrinks to the whole book the same way. Customers with
little history, and delays a customer rarely reached, follow the segment.
Disputed invoices follow their own book-wide curve (disputed history), and
beyond `max_delay` days every curve continues with the book's tail hazard,
so deep-overdue invoices get the book's (low) collection rate at that age.

Curves are held as cumulative log-survival: `log_survival_[r, j]` is the log
of the probability that an invoice on curve r is still unpaid at the end of
delay `min_delay + j`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from creditdash.errors import InsufficientHistory, InvalidArgument, NotFitted
from creditdash.ledger import DateLike, Ledger, LedgerArrays, day_number, ledger_arrays

_EPS = 1e-12


@dataclass(frozen=True)
class _History:
    """Recency- and amount-weighted paid money (E) and money at risk (R) per group and delay."""

    events: np.ndarray  # (groups, grid)
    at_risk: np.ndarray  # (groups, grid)
    invoices: np.ndarray  # (groups,) weighted invoice count
    amount: np.ndarray  # (groups,) weighted invoice money
    tail_events: float
    tail_exposure: float  # money-days at risk beyond max_delay


class PaymentTiming:
    """Payment-delay distributions per customer, shrunk to segment and book.

    Settings: `half_life_days` (an invoice due that many days before as_of
    weighs half), `prior_invoices` (k above), `smooth_days` (triangular kernel
    half-width on the delay axis; 0 = none), `min_delay`/`max_delay` (the
    delay grid; earlier payments count at min_delay, later ones feed the tail),
    `reference` ("due" or "invoice").
    """

    def __init__(
        self,
        half_life_days: float = 180.0,
        prior_invoices: float = 3.0,
        smooth_days: int = 3,
        min_delay: int = -120,
        max_delay: int = 400,
        reference: str = "due",
    ) -> None:
        if half_life_days <= 0:
            raise InvalidArgument.coded(
                "forecast.err.half_life",
                "`half_life_days` must be positive. Got {half_life_days}.",
                half_life_days=half_life_days,
            )
        if prior_invoices < 0:
            raise InvalidArgument.coded(
                "forecast.err.prior_invoices",
                "`prior_invoices` must be >= 0. Got {prior_invoices}.",
                prior_invoices=prior_invoices,
            )
        if reference not in ("due", "invoice"):
            raise InvalidArgument.coded(
                "forecast.err.reference",
                "`reference` must be 'due' or 'invoice'. Got {reference!r}.",
                reference=reference,
            )
        if not min_delay < max_delay:
            raise InvalidArgument.coded(
                "forecast.err.delay_grid",
                "`min_delay` must be below `max_delay`. Got {min_delay} and {max_delay}.",
                min_delay=min_delay,
                max_delay=max_delay,
            )
        self.half_life_days = half_life_days
        self.prior_invoices = prior_invoices
        self.smooth_days = int(smooth_days)
        self.min_delay = int(min_delay) if reference == "due" else 0
        self.max_delay = int(max_delay)
        self.reference = reference

    # ------------------------------------------------------------------ fit
    def fit(self, ledger: Ledger, as_of: DateLike) -> PaymentTiming:
        """Estimate the curves from what was known at the end of `as_of`."""
        arrays = ledger_arrays(ledger)
        day = day_number(as_of)
        n_inv = arrays.invoices_until(day)
        if not (arrays.invoice_amount[:n_inv] > 0).any():
            raise InsufficientHistory.coded(
                "forecast.err.no_history",
                "No invoices dated on or before {as_of}: payment timing needs history before "
                "`as_of`.",
                as_of=str(np.datetime64(day, "D")),
            )
        seg_codes, seg_labels = _segment_codes(arrays)
        n_cust = len(arrays.customers)
        cust_code = arrays.invoice_customer[:n_inv]
        disputed = _disputed(ledger, arrays, n_inv)
        grid = self.max_delay - self.min_delay + 1

        # customer-level sums; segment and book sums add them up (E and R are additive)
        own = self._smoothed(
            self._history(arrays, day, n_inv, np.where(disputed, -1, cust_code), n_cust)
        )
        seg = _aggregate(own, seg_codes, len(seg_labels))
        book = _aggregate(own, np.zeros(n_cust, dtype=np.intp), 1)
        dis = self._smoothed(  # disputed history is only used book-wide
            self._history(arrays, day, n_inv, np.where(disputed, 0, -1), 1)
        )
        everything = _add(book, dis)

        book_h = self._shrunk(book, np.zeros((1, grid)), k=0.0)
        if book.invoices[0] <= 0:  # only disputed invoices: the book is what there is
            book_h = self._shrunk(everything, np.zeros((1, grid)), k=0.0)
        seg_h = self._shrunk(seg, np.repeat(book_h, len(seg_labels), axis=0))
        cust_h = self._shrunk(own, seg_h[seg_codes])
        dis_h = self._shrunk(dis, book_h * 0.5)  # no disputed history: half the book's pace

        tail = (everything.tail_events + _EPS) / (everything.tail_exposure + 1.0)
        self.tail_hazard_ = float(np.clip(tail, 0.0, 0.5))
        hazards = np.vstack([cust_h, seg_h, book_h, dis_h])
        self.log_survival_ = np.cumsum(np.log1p(-np.clip(hazards, 0.0, 1 - 1e-9)), axis=1)
        self.customer_curve_ = np.arange(n_cust, dtype=np.intp)
        self.segment_curve_ = n_cust + seg_codes
        self.book_curve_ = n_cust + len(seg_labels)
        self.disputed_curve_ = self.book_curve_ + 1
        self.segments_ = seg_labels
        self.customer_invoices_ = own.invoices
        self.as_of_ = day
        self.n_customers_ = n_cust
        self.run_day_ = _run_days(arrays, day)
        return self

    def _history(
        self, arrays: LedgerArrays, day: int, n_inv: int, group: np.ndarray, n_groups: int
    ) -> _History:
        """E and R per group (invoices with group -1 are left out)."""
        lo, hi = self.min_delay, self.max_delay
        grid = hi - lo + 1
        amount = arrays.invoice_amount[:n_inv].astype(np.float64)
        ref = arrays.due_day[:n_inv] if self.reference == "due" else arrays.invoice_day[:n_inv]
        keep = (amount > 0) & (group >= 0)
        age = (day - arrays.due_day[:n_inv]).astype(np.float64)
        weight = np.where(keep, np.minimum(0.5 ** (age / self.half_life_days), 1.0), 0.0)
        money = amount * weight

        n_pay = arrays.payments_until(day)
        p_inv = arrays.payment_invoice[:n_pay]
        applied = (p_inv >= 0) & (p_inv < n_inv)
        p_inv = p_inv[applied]
        p_amount = arrays.payment_amount[:n_pay][applied] * weight[p_inv]
        p_delay = arrays.payment_day[:n_pay][applied] - ref[p_inv]
        p_group = group[p_inv]
        p_ok = (p_group >= 0) & (p_amount != 0)
        p_inv, p_amount, p_delay, p_group = (
            p_inv[p_ok],
            p_amount[p_ok],
            p_delay[p_ok],
            p_group[p_ok],
        )
        paid = np.bincount(p_inv, weights=p_amount, minlength=n_inv)
        remaining = np.maximum(money - paid, 0.0)  # censored at as_of

        start = np.clip(arrays.invoice_day[:n_inv] - ref, lo, hi) - lo
        end = day - ref  # last delay observed
        width = grid + 1
        size = n_groups * width
        g = np.where(keep, group, 0)
        pay_idx = np.clip(p_delay, lo, hi) - lo
        cens = keep & (remaining > 0)
        cens_idx = np.clip(end[cens], lo - 1, hi) - lo + 1
        diff = (
            np.bincount(g[keep] * width + start[keep], weights=money[keep], minlength=size)
            - np.bincount(p_group * width + pay_idx + 1, weights=p_amount, minlength=size)
            - np.bincount(g[cens] * width + cens_idx, weights=remaining[cens], minlength=size)
        )
        at_risk = np.maximum(np.cumsum(diff.reshape(n_groups, width), axis=1)[:, :grid], 0.0)
        events = np.bincount(
            p_group * grid + pay_idx, weights=p_amount, minlength=n_groups * grid
        ).reshape(n_groups, grid)

        in_tail = p_delay > hi
        tail_events = float(p_amount[in_tail].sum())
        tail_exposure = float(((p_delay[in_tail] - hi) * p_amount[in_tail]).sum())
        tail_exposure += float((np.maximum(end[cens] - hi, 0) * remaining[cens]).sum())
        return _History(
            events=events,
            at_risk=at_risk,
            invoices=np.bincount(g[keep], weights=weight[keep], minlength=n_groups),
            amount=np.bincount(g[keep], weights=money[keep], minlength=n_groups),
            tail_events=tail_events,
            tail_exposure=tail_exposure,
        )

    def _smoothed(self, hist: _History) -> _History:
        """E and R smoothed along the delay axis (triangular kernel; linear, so sums commute)."""
        s = self.smooth_days
        if s <= 0:
            return hist
        from scipy.ndimage import convolve1d

        kernel = np.concatenate([np.arange(1, s + 2), np.arange(s, 0, -1)]).astype(np.float64)
        kernel /= kernel.sum()

        def smooth(values: np.ndarray) -> np.ndarray:
            return convolve1d(values.astype(np.float64), kernel, axis=1, mode="nearest")

        return _History(
            smooth(hist.events),
            smooth(hist.at_risk),
            hist.invoices,
            hist.amount,
            hist.tail_events,
            hist.tail_exposure,
        )

    def _shrunk(self, hist: _History, prior: np.ndarray, k: float | None = None) -> np.ndarray:
        """Hazard per group and delay, with k pseudo-invoices following `prior`."""
        k = self.prior_invoices if k is None else k
        mean_invoice = hist.amount / np.maximum(hist.invoices, _EPS)
        pseudo = (k * mean_invoice)[:, None]
        hazard = (hist.events + pseudo * prior) / np.maximum(hist.at_risk + pseudo, _EPS)
        return np.clip(hazard, 0.0, 1.0)

    # ------------------------------------------------------------- predict
    def _check(self) -> None:
        if not hasattr(self, "log_survival_"):
            raise NotFitted.coded(
                "forecast.err.timing_not_fitted",
                "PaymentTiming is not fitted: call fit(ledger, as_of) first.",
            )

    def curve_of(self, customer_code: np.ndarray, disputed: np.ndarray | None = None) -> np.ndarray:
        """The curve row for invoices of these customer codes (disputed ones: the disputed curve)."""
        self._check()
        rows = self.customer_curve_[np.asarray(customer_code, dtype=np.intp)]
        if disputed is not None:
            rows = np.where(np.asarray(disputed, dtype=bool), self.disputed_curve_, rows)
        return rows

    def unpaid_share(self, curve: np.ndarray) -> np.ndarray:
        """Share of the money on each curve still unpaid at max_delay: what its history never paid."""
        curve = np.asarray(curve, dtype=np.intp)
        return np.exp(self.log_survival(curve, np.full(curve.shape, self.max_delay)))

    def log_survival(self, curve: np.ndarray, delay: np.ndarray) -> np.ndarray:
        """log P(still unpaid at the end of `delay`) on each curve (broadcasts)."""
        self._check()
        lo, hi = self.min_delay, self.max_delay
        delay = np.asarray(delay)
        idx = np.clip(delay, lo, hi) - lo
        out = self.log_survival_[curve, idx]
        beyond = np.maximum(delay - hi, 0)
        out = out + beyond * np.log1p(-self.tail_hazard_)
        return np.where(delay < lo, 0.0, out)

    def weekly_probabilities(
        self,
        curve: np.ndarray,
        elapsed: np.ndarray,
        weeks: int,
        shift: np.ndarray | int = 0,
    ) -> np.ndarray:
        """P(paid in each forecast week), one row per invoice, plus a last column: later or never.

        `elapsed` is the delay already reached at as_of (as_of - due date, or
        as_of - invoice date for reference="invoice"); the invoice is known
        unpaid then. `shift` (days, per invoice or one for all) delays every
        payment: the stress "customers pay X days later".
        """
        self._check()
        curve = np.asarray(curve, dtype=np.intp)[:, None]
        elapsed = np.asarray(elapsed, dtype=np.int64)[:, None]
        shift = np.broadcast_to(np.asarray(shift, dtype=np.int64), curve.shape[:1])[:, None]
        ends = elapsed + 7 * np.arange(weeks + 1)[None, :] - shift
        ends = np.maximum(ends, elapsed)  # a shift cannot bring payment before as_of
        log_s = self.log_survival(curve, ends) - self.log_survival(curve, elapsed)
        surv = np.exp(np.minimum(log_s, 0.0))
        probs = np.empty((curve.shape[0], weeks + 1))
        probs[:, :weeks] = surv[:, :-1] - surv[:, 1:]
        probs[:, weeks] = surv[:, -1]
        return np.clip(probs, 0.0, 1.0)

    def daily_probabilities(self, curve: int, days: int) -> np.ndarray:
        """P(paid on day 1..days after the reference date) for a fresh item on one curve."""
        self._check()
        delays = np.arange(-1, days + 1) + (self.min_delay if self.reference == "due" else 0)
        surv = np.exp(self.log_survival(np.full(len(delays), curve), delays))
        return surv[:-1] - surv[1:]


def _aggregate(hist: _History, codes: np.ndarray, n_groups: int) -> _History:
    """Group-level sums of a customer-level history (`codes`: the group of each customer)."""

    def rows(values: np.ndarray) -> np.ndarray:
        out = np.zeros((n_groups, *values.shape[1:]))
        for g in range(n_groups):
            out[g] = values[codes == g].sum(axis=0)
        return out

    return _History(
        events=rows(hist.events),
        at_risk=rows(hist.at_risk),
        invoices=rows(hist.invoices),
        amount=rows(hist.amount),
        tail_events=hist.tail_events,
        tail_exposure=hist.tail_exposure,
    )


def _add(a: _History, b: _History) -> _History:
    return _History(
        a.events + b.events,
        a.at_risk + b.at_risk,
        a.invoices + b.invoices,
        a.amount + b.amount,
        a.tail_events + b.tail_events,
        a.tail_exposure + b.tail_exposure,
    )


def _run_days(arrays: LedgerArrays, day: int, min_payments: int = 4) -> np.ndarray:
    """Per customer code, the day of month it pays on (a payment run), or -1.

    A customer has a run day when at least half its money received in the
    year before `day` (and `min_payments` payments) arrived on one day of
    the month: its payments then wait for that day.
    """
    n_cust = len(arrays.customers)
    lo, hi = arrays.payments_until(day - 365), arrays.payments_until(day)
    amount = arrays.payment_amount[lo:hi].astype(np.float64)
    ok = (amount > 0) & (arrays.payment_invoice[lo:hi] >= 0)
    cust = arrays.payment_customer[lo:hi][ok]
    dom = _day_of_month(arrays.payment_day[lo:hi][ok])
    money = np.bincount(cust * 32 + dom, weights=amount[ok], minlength=n_cust * 32)
    money = money.reshape(n_cust, 32)
    count = np.bincount(cust, minlength=n_cust)
    total = money.sum(axis=1)
    best = money.argmax(axis=1)
    share = money[np.arange(n_cust), best] / np.maximum(total, _EPS)
    return np.where((share >= 0.5) & (count >= min_payments), best, -1)


def _day_of_month(days: np.ndarray) -> np.ndarray:
    dates = np.asarray(days, dtype="datetime64[D]")
    return (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1


def _segment_codes(arrays: LedgerArrays) -> tuple[np.ndarray, list[str]]:
    """Segment code per customer code, and the segment labels."""
    codes = arrays.group_codes("segment")
    labels = [str(x) for x in codes.labels["segment"]]
    per_customer = np.zeros(len(arrays.customers), dtype=np.intp)
    seg = arrays.attributes["segment"].to_numpy()
    lookup = {label: i for i, label in enumerate(labels)}
    per_customer[:] = [lookup[s] for s in seg]
    return per_customer, labels


def _disputed(ledger: Ledger, arrays: LedgerArrays, n_inv: int) -> np.ndarray:
    """The disputed flag of the first n_inv invoices in date order."""
    key = "forecast_disputed"
    flags = ledger._cache.get(key)
    if flags is None:
        flags = ledger.invoices["disputed"].to_numpy(dtype=bool)[arrays.invoice_order]
        ledger._cache[key] = flags
    return flags[:n_inv]
