"""Roll rates between aging buckets from the company's own history, and the loss rates they imply.

At consecutive month-ends m and m' (one month later) every invoice's
outstanding and bucket are taken from the ledger as it stood then. Of the
balance that left bucket b during the month, either paid or aged unpaid
into a later bucket, the roll rate of b is the share that left unpaid:

    roll(b) = sum of balance moved on, still unpaid at m' / (that + balance paid)

With 30-day buckets nearly every balance leaves its bucket within a month,
so this is the textbook "share of a bucket's balance still unpaid one
month later in the next bucket"; with wider buckets (91-180, or the yearly
bands of the invoice-date basis) it stays the probability of leaving the
bucket unpaid. A 31-day month can carry a balance past a 30-day bucket; it
counts as rolled from the bucket it started in.

Write-off: the last, open-ended bucket (`>365` days past due with the
default edges) is treated as written off; its loss rate is 100%. The loss
rate of bucket b is the product of the roll rates from b to that bucket.
A bucket with no balance leaving it in the whole history has no roll rate;
it is taken as 100% (the cautious reading) and listed in `assumed`.

Only invoices count (credit notes and unapplied cash are left out); the
customers passed in `exclude` (individually assessed) are left out too.

Per portfolio (`portfolio_roll_rates`): the same flows summed over each
portfolio's customers. A portfolio with little history gives noisy rates,
so a bucket that fewer than `min_exits` invoices left over the months
(default MIN_EXITS; an invoice counts once per month it leaves) takes the
whole book's roll rate instead; `fallback` lists where.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from creditdash.aging import BUCKET_EDGES_DEFAULT, Basis, bucket_labels, checked_edges
from creditdash.errors import InsufficientHistory, InvalidArgument
from creditdash.ledger import (
    DateLike,
    Ledger,
    LedgerArrays,
    day_number,
    day_to_timestamp,
    ledger_arrays,
)

MIN_EXITS = 20  # invoices leaving a bucket before a portfolio's own roll rate is used


@dataclass(frozen=True)
class Snapshot:
    """Invoices dated <= day (sorted positions 0..n-1): outstanding cents (float) and bucket code."""

    day: int
    outstanding: np.ndarray
    bucket: np.ndarray


@dataclass
class SnapshotCache:
    """Snapshots of one ledger at given days, built once per (day, basis, edges)."""

    arrays: LedgerArrays
    _snapshots: dict = field(default_factory=dict)

    def at(self, day: int, basis: Basis, edges: tuple[int, ...]) -> Snapshot:
        key = (day, basis, edges)
        if key not in self._snapshots:
            self._snapshots[key] = _snapshot(self.arrays, day, basis, edges)
        return self._snapshots[key]


@dataclass(frozen=True)
class RollRates:
    """Roll rates at an as-of date.

    monthly     one row per month (column `month_end`, the later month-end of
                the pair), one column per bucket but the last: the roll rate
                that month (NaN where nothing left the bucket)
    flows       one row per bucket but the last: rolled and exited money
                (currency units) summed over the months, and `roll_rate`
    loss_rates  Series over every bucket label: product of roll rates to the
                last bucket (1.0 for the last)
    assumed     buckets without history, whose roll rate was taken as 1.0
    """

    monthly: pd.DataFrame
    flows: pd.DataFrame
    loss_rates: pd.Series
    assumed: tuple[str, ...]


@dataclass(frozen=True)
class PortfolioRollRates:
    """Roll and loss rates per portfolio at an as-of date (`portfolio_roll_rates`).

    flows       one row per portfolio x bucket but the last: portfolio, bucket,
                rolled and exited money (currency units) summed over the months,
                exits (invoices that left the bucket, once per month), roll_rate
                (the portfolio's own; NaN where nothing left the bucket), used
                (the rate its loss rate uses), loss_rate, and source ("portfolio",
                or "book" where fewer than `min_exits` invoices left the bucket)
    loss_rates  bucket rows (every label) x portfolio columns; 1.0 in the last row
    fallback    portfolio -> the buckets on the book's roll rate (portfolios with
                enough history everywhere are not listed)
    book        the whole book's RollRates over the same months and customers
    """

    flows: pd.DataFrame
    loss_rates: pd.DataFrame
    fallback: dict[str, tuple[str, ...]]
    min_exits: int
    book: RollRates


def month_ends_before(as_of_day: int, count: int) -> list[int]:
    """The last `count` month-ends on or before `as_of_day`, oldest first (day numbers)."""
    day: dt.date = day_to_timestamp(as_of_day).date()
    month = np.datetime64(day, "M")
    last_day_of_month = (month + 1).astype("datetime64[D]").astype(np.int64) - 1
    newest = month if last_day_of_month == as_of_day else month - 1
    months = newest - np.arange(count - 1, -1, -1)
    return ((months + 1).astype("datetime64[D]").astype(np.int64) - 1).tolist()


def roll_rates(
    ledger: Ledger,
    as_of: DateLike,
    *,
    basis: Basis = "due",
    edges: Sequence[int] = BUCKET_EDGES_DEFAULT,
    months: int = 12,
    exclude: Iterable[str] = (),
    cache: SnapshotCache | None = None,
) -> RollRates:
    """Roll and loss rates over the `months` months ending at the last month-end <= as_of."""
    edges = checked_edges(edges)
    arrays = ledger_arrays(ledger)
    one_group = np.zeros(len(arrays.customers), dtype=np.intp)
    moves = _moves(arrays, as_of, basis, edges, months, exclude, cache, one_group, 1)
    return _rates(moves.book(), moves.ends, bucket_labels(edges, basis))


def portfolio_roll_rates(
    ledger: Ledger,
    as_of: DateLike,
    portfolio: Sequence[str] | np.ndarray,
    *,
    basis: Basis = "due",
    edges: Sequence[int] = BUCKET_EDGES_DEFAULT,
    months: int = 12,
    exclude: Iterable[str] = (),
    min_exits: int = MIN_EXITS,
    cache: SnapshotCache | None = None,
) -> PortfolioRollRates:
    """Roll and loss rates per portfolio, each bucket on the book's rate where history is thin.

    `portfolio` names the portfolio of every customer, in the order of
    `ledger_arrays(ledger).customers`. A portfolio's bucket uses its own
    roll rate when at least `min_exits` invoices left that bucket over the
    months (an invoice counts once per month it leaves), else the whole
    book's (the same months, the same exclusions). Loss rates are the
    products of the rates used.
    """
    edges = checked_edges(edges)
    labels = bucket_labels(edges, basis)
    if isinstance(min_exits, bool) or not isinstance(min_exits, int) or min_exits < 1:
        raise InvalidArgument.coded(
            "prov.err.whole_number",
            "`{name}` must be a whole number >= {minimum}. Got {value!r}.",
            name="min_exits",
            minimum=1,
            value=min_exits,
        )
    arrays = ledger_arrays(ledger)
    names, codes = np.unique(np.asarray(portfolio).astype(str), return_inverse=True)
    if len(codes) != len(arrays.customers):
        raise InvalidArgument.coded(
            "prov.err.portfolio_length",
            "`portfolio` must name one portfolio per customer ({customers}). Got {value}.",
            customers=len(arrays.customers),
            value=len(codes),
        )
    moves = _moves(arrays, as_of, basis, edges, months, exclude, cache, codes, len(names))
    book = _rates(moves.book(), moves.ends, labels)
    rolled, exited = moves.rolled.sum(axis=0), moves.exited.sum(axis=0)
    exits = moves.exits.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        own = rolled / exited
    thin = exits < min_exits
    book_rate = book.flows["roll_rate"].fillna(1.0).to_numpy()
    used = np.where(thin | np.isnan(own), book_rate[None, :], own)
    loss = np.hstack([np.cumprod(used[:, ::-1], axis=1)[:, ::-1], np.ones((len(names), 1))])
    width = len(labels) - 1
    flows = pd.DataFrame(
        {
            "portfolio": np.repeat(names, width),
            "bucket": np.tile(labels[:-1], len(names)),
            "rolled": rolled.ravel() / 100,
            "exited": exited.ravel() / 100,
            "exits": exits.ravel().astype(np.int64),
            "roll_rate": own.ravel(),
            "used": used.ravel(),
            "loss_rate": loss[:, :-1].ravel(),
            "source": np.where(thin.ravel(), "book", "portfolio"),
        }
    )
    fallback = {
        str(name): tuple(label for label, t in zip(labels, row, strict=False) if t)
        for name, row in zip(names, thin, strict=True)
        if row.any()
    }
    return PortfolioRollRates(
        flows=flows,
        loss_rates=pd.DataFrame(loss.T, index=labels, columns=[str(n) for n in names]),
        fallback=fallback,
        min_exits=min_exits,
        book=book,
    )


@dataclass(frozen=True)
class _Moves:
    """Money (cents) and invoices leaving each bucket: arrays of month x group x bucket."""

    ends: list[int]
    rolled: np.ndarray
    exited: np.ndarray
    exits: np.ndarray

    def book(self) -> tuple[np.ndarray, np.ndarray]:
        """(rolled, exited) of every group together: month x bucket."""
        return self.rolled.sum(axis=1), self.exited.sum(axis=1)


def _moves(
    arrays: LedgerArrays,
    as_of: DateLike,
    basis: Basis,
    edges: tuple[int, ...],
    months: int,
    exclude: Iterable[str],
    cache: SnapshotCache | None,
    group: np.ndarray,
    groups: int,
) -> _Moves:
    """The month-by-month moves of the `months` months to as_of, by customer group."""
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise InvalidArgument.coded(
            "prov.err.whole_number",
            "`{name}` must be a whole number >= {minimum}. Got {value!r}.",
            name="months",
            minimum=1,
            value=months,
        )
    cache = cache or SnapshotCache(arrays)
    kept = customers_kept(arrays, exclude)
    ends = month_ends_before(day_number(as_of), months + 1)
    width = len(bucket_labels(edges, basis)) - 1
    shape = (months, groups, width)
    rolled, exited, exits = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for i, (start, stop) in enumerate(zip(ends, ends[1:], strict=False)):
        before, after = cache.at(start, basis, edges), cache.at(stop, basis, edges)
        rolled[i], exited[i], exits[i] = _flows(arrays, before, after, kept, width, group, groups)
    if exited.sum() == 0:
        raise InsufficientHistory.coded(
            "prov.err.no_history",
            "Roll rates need invoices open at a month-end in the {months} months before "
            "{as_of} and paid or aged since; there are none.",
            months=months,
            as_of=day_to_timestamp(day_number(as_of)).date().isoformat(),
        )
    return _Moves(ends, rolled, exited, exits)


def _rates(moves: tuple[np.ndarray, np.ndarray], ends: list[int], labels: list[str]) -> RollRates:
    """RollRates from (rolled, exited) month x bucket."""
    rolled, exited = moves
    with np.errstate(invalid="ignore", divide="ignore"):
        monthly = rolled / exited
        average = rolled.sum(axis=0) / exited.sum(axis=0)
    assumed = tuple(label for label, r in zip(labels, average, strict=False) if np.isnan(r))
    rates = np.where(np.isnan(average), 1.0, average)
    loss = np.append(np.cumprod(rates[::-1])[::-1], 1.0)
    month_table = pd.DataFrame(monthly, columns=labels[:-1])
    month_table.insert(0, "month_end", [day_to_timestamp(d) for d in ends[1:]])
    flows = pd.DataFrame(
        {
            "bucket": labels[:-1],
            "rolled": rolled.sum(axis=0) / 100,
            "exited": exited.sum(axis=0) / 100,
            "roll_rate": average,
        }
    )
    return RollRates(month_table, flows, pd.Series(loss, index=labels, name="loss_rate"), assumed)


def customers_kept(arrays: LedgerArrays, exclude: Iterable[str]) -> np.ndarray:
    """Mask over customer codes: True unless the customer_id is in `exclude`."""
    excluded = set(map(str, exclude))
    return ~arrays.customers["customer_id"].isin(excluded).to_numpy()


def _snapshot(arrays: LedgerArrays, day: int, basis: Basis, edges: tuple[int, ...]) -> Snapshot:
    n, m = arrays.invoices_until(day), arrays.payments_until(day)
    target = arrays.payment_invoice[:m]
    applied = (target >= 0) & (target < n)
    paid = np.bincount(target[applied], weights=arrays.payment_amount[:m][applied], minlength=n)
    outstanding = arrays.invoice_amount[:n] - paid
    reference = arrays.due_day[:n] if basis == "due" else arrays.invoice_day[:n]
    bounds = np.asarray((0, *edges) if basis == "due" else edges, dtype=np.int64)
    bucket = np.searchsorted(bounds, day - reference, side="left")
    return Snapshot(day, outstanding, bucket)


def _flows(
    arrays: LedgerArrays,
    before: Snapshot,
    after: Snapshot,
    kept: np.ndarray,
    width: int,
    group: np.ndarray,
    groups: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rolled cents, exited cents, invoices exiting) per group x bucket 0..width-1."""
    n = len(before.outstanding)
    out_before = np.clip(before.outstanding, 0, None)
    out_after = np.clip(after.outstanding[:n], 0, out_before)
    moved_on = after.bucket[:n] > before.bucket
    rolled = np.where(moved_on, out_after, 0.0)
    exited = rolled + (out_before - out_after)
    customer = arrays.invoice_customer[:n]
    live = (out_before > 0) & (before.bucket < width) & kept[customer]
    cells = group[customer[live]] * width + before.bucket[live]
    size = groups * width

    def per_cell(weights: np.ndarray) -> np.ndarray:
        return np.bincount(cells, weights=weights, minlength=size)[:size].reshape(groups, width)

    return per_cell(rolled[live]), per_cell(exited[live]), per_cell((exited[live] > 0) * 1.0)
