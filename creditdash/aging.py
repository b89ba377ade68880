"""Receivables aging at an as-of date D (definitions: spec/metrics.md).

Only invoices dated on or before D exist and only payments dated on or
before D have happened, so any past D reproduces the aging as it was then.
A payment counts against its invoice only if that invoice exists at D;
otherwise (no invoice id, an unknown id, an invoice dated after D) it is
unapplied cash of the payment's customer.

Every figure is a few vectorised passes over `ledger_arrays(ledger)`, which
is built once per ledger; an aging of a million invoices takes milliseconds.

Frames returned (money in int64 cents; `to_money` converts for display):

open_items    one row per invoice dated <= D that is still open: invoice_id,
              customer_id, customer_name, invoice_date, due_date, amount_cents,
              paid_cents, outstanding_cents, currency (the invoice's own),
              outstanding_original_cents (in that currency),
              exchange_difference_cents, dpd, age_days (int days), bucket
              (ordered categorical of `bucket_labels`), disputed, then the
              customer's segment, region, salesperson ("(none)" where missing,
              as in the aging keys) so a drill-down can filter any grouping,
              then document_id and part (<NA> for an ordinary invoice)
aging         one row per group: key columns, one column per bucket label,
              `unapplied` (unapplied cash, <= 0 for cash received: it lowers
              the total), `total` = sum of buckets + unapplied, `retention`
ar_by_month   one row per month end: month_end, bucket labels, unapplied,
              total, retention
exchange_differences  one row per group with foreign-currency balances:
              key columns, at_transaction_rates, at_as_of_rate, exchange_difference

Instalments and retention money (质保金) are invoices of their own (see
`creditdash.frames`), so each ages on its own due date and counts in its
customer's buckets and total like any receivable. `retention` says how much
of the total is retention not yet due at D (the outstanding of items with
part "retention" and dpd <= 0): it is "of which", already inside the buckets
and the total, never added to them. Unpaid retention past its due date is
overdue like any other item and leaves this column.

Foreign currencies (IAS 21, 企业会计准则第19号): a balance at D is a monetary
item, so every figure here translates the open amount of a foreign-currency
invoice (its amount less the payments applied to it, both in its own
currency: payments settle in their invoice's currency) and unapplied foreign
cash at the rate in force at D, the latest dated on or before D. The
exchange difference is that translation less the same balance at the
transaction rates (`amount_cents` of the ledger). A currency with a balance
at D and no rate dated on or before D is an error naming both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Literal

import numpy as np
import pandas as pd

from creditdash.errors import InvalidArgument
from creditdash.ledger import (
    DateLike,
    FxArrays,
    GroupCodes,
    Ledger,
    LedgerArrays,
    day_number,
    day_to_timestamp,
    ledger_arrays,
)

Basis = Literal["due", "invoice"]
GroupBy = Literal["customer", "segment", "region", "salesperson", "none"]

BUCKET_EDGES_DEFAULT: tuple[int, ...] = (30, 60, 90, 180, 365)
BASES: tuple[str, ...] = ("due", "invoice")
GROUPINGS: tuple[str, ...] = ("customer", "segment", "region", "salesperson", "none")
CENTS_COLUMNS_ATTR = "cents_columns"  # frame.attrs key: money columns without `_cents` suffix
_LOOKUP_LIMIT = 100_000  # edges up to this many days bucket through a lookup table


def bucket_labels(edges: Sequence[int] = BUCKET_EDGES_DEFAULT, basis: Basis = "due") -> list[str]:
    """Bucket column labels: due basis `current, 1-30, ..., >365`; invoice basis `0-30, 31-60, ...`."""
    edges = checked_edges(edges)
    _check_choice("basis", basis, BASES)
    lows = (1 if basis == "due" else 0, *(e + 1 for e in edges[:-1]))
    ranges = [f"{low}-{high}" for low, high in zip(lows, edges, strict=True)]
    head = ["current"] if basis == "due" else []
    return [*head, *ranges, f">{edges[-1]}"]


def checked_edges(edges: Iterable[int]) -> tuple[int, ...]:
    """`edges` as a tuple of ints, or InvalidArgument naming the rule it breaks."""
    shown = tuple(edges) if isinstance(edges, Iterable) else edges
    if not isinstance(shown, tuple) or not shown:
        raise InvalidArgument.coded(
            "error.aging.edges_empty",
            "`edges` must be a non-empty sequence of days such as (30, 60, 90). Got {edges!r}.",
            edges=edges,
        )
    if any(isinstance(e, bool) or not isinstance(e, Integral) for e in shown):
        raise InvalidArgument.coded(
            "error.aging.edges_whole", "`edges` must be whole numbers of days. Got {edges!r}.",
            edges=shown,
        )  # fmt: skip
    values = tuple(int(e) for e in shown)
    if values[0] <= 0:
        raise InvalidArgument.coded(
            "error.aging.edges_positive", "`edges` must be positive (> 0 days). Got {edges!r}.",
            edges=values,
        )  # fmt: skip
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise InvalidArgument.coded(
            "error.aging.edges_increasing", "`edges` must be strictly increasing. Got {edges!r}.",
            edges=values,
        )  # fmt: skip
    return values


def open_items(
    ledger: Ledger,
    as_of: DateLike,
    *,
    basis: Basis = "due",
    edges: Sequence[int] = BUCKET_EDGES_DEFAULT,
    include_settled: bool = False,
) -> pd.DataFrame:
    """Invoices dated <= as_of with their outstanding at as_of (frame `open_items` above).

    Rows are in invoice-date order; settled invoices (outstanding 0) are left
    out unless `include_settled`. dpd = as_of - due_date, age_days = as_of -
    invoice_date; `bucket` follows `basis`. Amount and paid are at the
    transaction rates, outstanding at as_of's rate: outstanding = amount - paid
    + exchange difference (0 for an invoice in the reporting currency).
    """
    edges = checked_edges(edges)
    labels = bucket_labels(edges, basis)
    arrays = ledger_arrays(ledger)
    day = day_number(as_of)
    state = _state_at(arrays, day)
    n = state.n_invoices
    outstanding = state.outstanding.astype(np.int64)
    keep = np.ones(n, dtype=bool) if include_settled else outstanding != 0
    rows = arrays.invoice_order[:n][keep]
    source = ledger.invoices.iloc[rows].reset_index(drop=True)
    amount = arrays.invoice_amount[:n][keep]
    original, difference = outstanding, np.zeros(n, dtype=np.int64)
    if state.exchange is not None:
        original = outstanding.copy()
        original[state.exchange.invoices] = state.exchange.open_original
        difference[state.exchange.invoices] = state.exchange.invoice_difference
    currency = _currencies(arrays, n, ledger.currency)[keep]
    bucket = _buckets(arrays, day, n, basis, edges)[keep]
    customer = arrays.invoice_customer[:n][keep]
    names = arrays.customers["customer_name"].to_numpy()[customer]
    groups = {a: arrays.attributes[a].to_numpy()[customer] for a in arrays.attributes.columns}
    return pd.DataFrame(
        {
            "invoice_id": source["invoice_id"],
            "customer_id": source["customer_id"],
            "customer_name": pd.Series(names, dtype="str"),
            "invoice_date": source["invoice_date"],
            "due_date": source["due_date"],
            "amount_cents": amount,
            "paid_cents": state.paid[keep].astype(np.int64),
            "outstanding_cents": outstanding[keep],
            "currency": currency,
            "outstanding_original_cents": original[keep],
            "exchange_difference_cents": difference[keep],
            "dpd": day - arrays.due_day[:n][keep],
            "age_days": day - arrays.invoice_day[:n][keep],
            "bucket": pd.Categorical.from_codes(bucket, categories=labels, ordered=True),
            "disputed": source["disputed"],
            **{a: pd.Series(values, dtype="str") for a, values in groups.items()},
            "document_id": source["document_id"],
            "part": source["part"],
        }
    )


def open_positions(ledger: Ledger, as_of: DateLike) -> tuple[np.ndarray, np.ndarray]:
    """The rows of `open_items(ledger, as_of)` as arrays, for callers that need no frame:
    (their positions in `ledger_arrays(ledger)`'s sorted invoices, ascending, which is the
    frame's order; their outstanding at as_of, int64 cents)."""
    arrays = ledger_arrays(ledger)
    state = _state_at(arrays, day_number(as_of))
    positions = np.flatnonzero(state.outstanding != 0)
    return positions, state.outstanding[positions].astype(np.int64)


def aging(
    ledger: Ledger,
    as_of: DateLike,
    *,
    basis: Basis = "due",
    edges: Sequence[int] = BUCKET_EDGES_DEFAULT,
    by: GroupBy = "customer",
) -> pd.DataFrame:
    """The aging table at as_of, one row per group, money in int64 cents.

    Key columns: `customer_id, customer_name` for by="customer"; the attribute
    (`segment`, `region` or `salesperson`, "(none)" where missing) otherwise;
    none for by="none", which returns exactly one row (the totals, even when
    zero). Then one column per `bucket_labels(edges, basis)`, `unapplied`
    (<= 0 for cash received), `total` = buckets + unapplied, and `retention`:
    the retention (质保金) not yet due that the total holds (never added again).
    Rows are sorted by total descending; groups whose every figure is 0 are
    dropped. The sum of `total` is total AR at as_of, exactly. Index: 0..k-1.
    """
    edges = checked_edges(edges)
    labels = bucket_labels(edges, basis)
    _check_choice("by", by, GROUPINGS)
    arrays = ledger_arrays(ledger)
    groups, cells, unapplied = _balances(arrays, day_number(as_of), basis, edges, by)
    table = pd.DataFrame(cells, columns=labels)
    table["unapplied"] = unapplied
    table["total"] = cells.sum(axis=1) + unapplied
    table["retention"] = _retention_not_due(ledger, arrays, day_number(as_of), by)
    if groups is not None:
        total = table["total"].to_numpy()
        rows = np.flatnonzero(cells.any(axis=1) | (unapplied != 0))
        rows = rows[np.argsort(-total[rows], kind="stable")]
        keys = groups.labels.iloc[rows].reset_index(drop=True)
        table = pd.concat([keys, table.iloc[rows].reset_index(drop=True)], axis=1)
    table.attrs[CENTS_COLUMNS_ATTR] = [*labels, "unapplied", "total", "retention"]
    return table


def aging_totals(
    ledger: Ledger,
    as_of: DateLike,
    *,
    basis: Basis = "due",
    edges: Sequence[int] = BUCKET_EDGES_DEFAULT,
) -> pd.DataFrame:
    """The one-row totals of `aging` (no key column): buckets, unapplied, total, retention (cents)."""
    return aging(ledger, as_of, basis=basis, edges=edges, by="none")


@dataclass(frozen=True)
class ARSummary:
    """AR at one date in int cents: total = current + overdue + unapplied.

    Foreign-currency balances are at the date's rate; `exchange_difference`
    is how much that adds to them at their transaction rates (in `total`).
    """

    total: int
    current: int  # invoices with dpd <= 0
    overdue: int  # invoices with dpd > 0
    unapplied: int  # <= 0 for cash received
    exchange_difference: int = 0


def ar_summary(ledger: Ledger, as_of: DateLike, customers: np.ndarray | None = None) -> ARSummary:
    """Total, current, overdue AR and unapplied cash at as_of, in cents.

    `customers`, a bool per row of `ledger_arrays(ledger).customers`, limits
    the figures to those customers (None: every customer).
    """
    arrays = ledger_arrays(ledger)
    day = day_number(as_of)
    by = "none" if customers is None else "customer"
    state = _state_at(arrays, day)
    _, cells, unapplied = _balances(arrays, day, "due", (1,), by, state)
    difference = _differences(arrays, state, by)
    if customers is not None:
        cells, unapplied, difference = cells[customers], unapplied[customers], difference[customers]
    current, overdue = int(cells[:, 0].sum()), int(cells[:, 1:].sum())
    unapplied_cents = int(unapplied.sum())
    total = current + overdue + unapplied_cents
    return ARSummary(total, current, overdue, unapplied_cents, int(difference.sum()))


def exchange_differences(
    ledger: Ledger, as_of: DateLike, *, by: GroupBy = "customer"
) -> pd.DataFrame:
    """Foreign-currency balances at as_of: at the transaction rates, at as_of's rate, and the difference.

    One row per group (key columns as in `aging`) holding a foreign-currency
    balance, largest difference first; by="none" gives exactly one row, the
    totals. Columns at_transaction_rates, at_as_of_rate, exchange_difference
    = at_as_of_rate - at_transaction_rates, in int64 cents of the reporting
    currency (open invoices less unapplied cash, as in the aging total).
    """
    _check_choice("by", by, GROUPINGS)
    arrays = ledger_arrays(ledger)
    state = _state_at(arrays, day_number(as_of))
    at_rate = _foreign_balances(arrays, state, by)
    difference = _differences(arrays, state, by)
    table = pd.DataFrame(
        {
            "at_transaction_rates": at_rate - difference,
            "at_as_of_rate": at_rate,
            "exchange_difference": difference,
        }
    )
    if by != "none":
        groups = arrays.group_codes(by)
        rows = np.flatnonzero(_foreign_groups(arrays, state, by))
        rows = rows[np.argsort(-np.abs(difference[rows]), kind="stable")]
        keys = groups.labels.iloc[rows].reset_index(drop=True)
        table = pd.concat([keys, table.iloc[rows].reset_index(drop=True)], axis=1)
    table.attrs[CENTS_COLUMNS_ATTR] = [
        "at_transaction_rates",
        "at_as_of_rate",
        "exchange_difference",
    ]
    return table


def ar_by_month(
    ledger: Ledger,
    end: DateLike,
    months: int = 12,
    edges: Sequence[int] = BUCKET_EDGES_DEFAULT,
    basis: Basis = "due",
) -> pd.DataFrame:
    """Aging totals at `months` month ends, the last one being `end` itself.

    Columns: month_end (datetime64), one per bucket label, unapplied, total,
    retention (not yet due, held in the total; int64 cents); one row per date,
    oldest first.
    """
    if isinstance(months, bool) or not isinstance(months, Integral) or months < 1:
        raise InvalidArgument.coded(
            "error.aging.months", "`months` must be a whole number >= 1. Got {months!r}.",
            months=months,
        )  # fmt: skip
    edges = checked_edges(edges)
    labels = bucket_labels(edges, basis)
    end_day = day_number(end, "end")
    dates = _month_ends(end_day, int(months))
    arrays = ledger_arrays(ledger)
    rows, retention = [], []
    for day, state in zip(dates, _states_at(arrays, dates), strict=True):
        rows.append(_balances(arrays, day, basis, edges, "none", state))
        retention.append(int(_retention_not_due(ledger, arrays, day, "none", state)[0]))
    cells = np.vstack([row[1] for row in rows])
    unapplied = np.array([row[2][0] for row in rows], dtype=np.int64)
    table = pd.DataFrame(cells, columns=labels)
    table.insert(0, "month_end", pd.to_datetime(dates.astype("datetime64[D]")).as_unit("us"))
    table["unapplied"] = unapplied
    table["total"] = cells.sum(axis=1) + unapplied
    table["retention"] = retention
    table.attrs[CENTS_COLUMNS_ATTR] = [*labels, "unapplied", "total", "retention"]
    return table


def to_money(frame: pd.DataFrame, cents_columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A copy with money as float currency units (cents / 100), for display and export.

    Converts every `*_cents` column (renamed without the suffix) and the
    columns named in `cents_columns`, by default those the aging functions
    list in `frame.attrs["cents_columns"]` (bucket labels, unapplied, total).
    """
    listed = set(
        frame.attrs.get(CENTS_COLUMNS_ATTR, []) if cents_columns is None else cents_columns
    )
    out = frame.copy()
    renames: dict[str, str] = {}
    for column in out.columns:
        suffixed = isinstance(column, str) and column.endswith("_cents")
        if suffixed or column in listed:
            out[column] = out[column] / 100
        if suffixed:
            renames[column] = column.removesuffix("_cents")
    out = out.rename(columns=renames)
    out.attrs[CENTS_COLUMNS_ATTR] = []  # converted: a second call must not divide again
    return out


# --- the vectorised core -------------------------------------------------------


@dataclass(frozen=True)
class _Exchange:
    """Foreign-currency balances at one day: at that day's rate less at their transaction rates.

    invoices             sorted positions of the foreign invoices dated <= the day
    open_original        their outstanding in their own currency (cents)
    invoice_difference   their exchange difference (int64 cents of the reporting currency)
    unapplied            sorted positions of the foreign payments dated <= the day that
                         are unapplied cash at it
    unapplied_difference their amount at the day's rate less at their own date's rate
                         (cash received: it lowers AR by this much more)
    """

    invoices: np.ndarray
    open_original: np.ndarray
    invoice_difference: np.ndarray
    unapplied: np.ndarray
    unapplied_difference: np.ndarray


@dataclass(frozen=True)
class _State:
    """Invoices and payments as they stood at one day (prefixes of the sorted arrays).

    `paid` is at transaction rates; `outstanding` is at the day's rate (foreign
    invoices translated, see `_Exchange`), at transaction rates where `exchange`
    is None (every item in the reporting currency).
    """

    n_invoices: int
    n_payments: int
    applied: np.ndarray  # per payment[:n_payments]: counts against an existing invoice
    paid: np.ndarray  # per invoice[:n_invoices], in the weights dtype
    outstanding: np.ndarray  # per invoice[:n_invoices], in the weights dtype
    exchange: _Exchange | None = None


def _state_at(arrays: LedgerArrays, day: int) -> _State:
    n = arrays.invoices_until(day)
    m = arrays.payments_until(day)
    target = arrays.payment_invoice[:m]
    # -1 (no invoice) wraps to the largest unsigned value, so one comparison
    # keeps exactly the payments whose invoice is dated on or before `day`.
    applied = target.view(np.uintp) < n
    # Payments that do not apply fall in the spare bin n, dropped afterwards.
    paid = _sum_by(np.where(applied, target, n), arrays.payment_weights[:m], n + 1)[:n]
    outstanding = arrays.invoice_weights[:n] - paid
    if arrays.fx is None:
        return _State(n, m, applied, paid, outstanding)
    exchange = _exchange_at(arrays, arrays.fx, day, n, m, applied, outstanding)
    outstanding[exchange.invoices] += exchange.invoice_difference
    return _State(n, m, applied, paid, outstanding, exchange)


def _states_at(arrays: LedgerArrays, days: np.ndarray) -> Iterator[_State]:
    """`_state_at(arrays, day)` for each of `days`, one at a time.

    For ascending days on a ledger in one currency, the payments are summed per
    invoice once in all: each day adds only the payments dated since the day
    before. (Invoices dated after a day are cut off by its `[:n]`, as the
    payments a day does not apply are.)
    """
    if arrays.fx is not None or np.any(np.diff(days) < 0):
        yield from (_state_at(arrays, int(day)) for day in days)
        return
    spare = len(arrays.invoice_weights)  # the bin of payments without an invoice
    paid = np.zeros(spare + 1, dtype=arrays.payment_weights.dtype)
    counted = 0
    for day in days:
        n, m = arrays.invoices_until(int(day)), arrays.payments_until(int(day))
        new = arrays.payment_invoice[counted:m]
        weights = arrays.payment_weights[counted:m]
        paid += _sum_by(np.where(new >= 0, new, spare), weights, spare + 1).astype(paid.dtype)
        counted = m
        applied = arrays.payment_invoice[:m].view(np.uintp) < n
        outstanding = arrays.invoice_weights[:n] - paid[:n]
        yield _State(n, m, applied, paid[:n].copy(), outstanding)


def _exchange_at(
    arrays: LedgerArrays,
    fx: FxArrays,
    day: int,
    n: int,
    m: int,
    applied: np.ndarray,
    outstanding: np.ndarray,
) -> _Exchange:
    """Translate the foreign balances at `day` (`outstanding` is at transaction rates).

    Payments settle in their invoice's currency, so an invoice's open amount
    in its own currency is its amount less the payments applied to it, and
    that is what the day's rate translates; unapplied foreign cash likewise.
    """
    k = int(np.searchsorted(fx.invoices, n))  # foreign invoices dated <= day
    j = int(np.searchsorted(fx.payments, m))  # foreign payments dated <= day
    invoices, payments = fx.invoices[:k], fx.payments[:j]
    payment_original = fx.payment_original[:j]
    settles = applied[payments]
    invoice_of = arrays.payment_invoice[payments[settles]]
    settled: np.ndarray = np.zeros(k)  # float64, as bincount's weighted sums below
    if k and len(invoice_of):
        target = fx.position_of(invoice_of)  # -1: the invoice is not in a foreign currency
        # Only a payment in its invoice's currency reduces its open amount in that currency.
        same = target >= 0
        same[same] = fx.payment_currency[:j][settles][same] == fx.invoice_currency[target[same]]
        amount = payment_original[settles][same]
        settled = np.bincount(target[same], weights=amount, minlength=k)[:k]
    open_original = fx.invoice_original[:k] - settled.astype(np.int64)
    unapplied = ~settles
    invoice_code, payment_code = fx.invoice_currency[:k], fx.payment_currency[:j][unapplied]
    needed = np.zeros(len(fx.currencies), dtype=np.bool_)
    needed[invoice_code[open_original != 0]] = True
    needed[payment_code[payment_original[unapplied] != 0]] = True
    rates = fx.rates_at(day, needed)
    translated = _translate(open_original, rates[invoice_code])
    cash = _translate(payment_original[unapplied], rates[payment_code])
    unapplied_at = payments[unapplied]
    return _Exchange(
        invoices=invoices,
        open_original=open_original,
        invoice_difference=translated - outstanding[invoices].astype(np.int64),
        unapplied=unapplied_at,
        unapplied_difference=cash - arrays.payment_amount[unapplied_at],
    )


def _currencies(arrays: LedgerArrays, n: int, reporting: str) -> pd.Categorical:
    """Each invoice[:n]'s own currency: categories the reporting one, then the foreign ones."""
    codes = np.zeros(n, dtype=np.int16)
    names = [reporting]
    if arrays.fx is not None:
        k = int(np.searchsorted(arrays.fx.invoices, n))
        codes[arrays.fx.invoices[:k]] = arrays.fx.invoice_currency[:k] + 1
        names += arrays.fx.currencies
    return pd.Categorical.from_codes(codes, categories=names)


def _translate(cents: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Own-currency cents at `rates`, rounded to whole cents (0 stays 0 without a rate)."""
    return np.where(cents != 0, np.round(cents * rates), 0).astype(np.int64)


def _buckets(
    arrays: LedgerArrays, day: int, n: int, basis: str, edges: tuple[int, ...]
) -> np.ndarray:
    """Bucket index per invoice[:n]: dpd against (0, *edges) or age against edges."""
    reference = arrays.due_day[:n] if basis == "due" else arrays.invoice_day[:n]
    days = day - reference
    bounds = np.asarray((0, *edges) if basis == "due" else edges, dtype=np.int64)
    top = edges[-1] + 1
    if top > _LOOKUP_LIMIT:
        return np.searchsorted(bounds, days, side="left")
    # Every day count beyond the bounds shares its end bucket, so clip and look up.
    lookup = np.searchsorted(bounds, np.arange(top + 1), side="left")
    return lookup[np.clip(days, 0, top, out=days)]


def _balances(
    arrays: LedgerArrays,
    day: int,
    basis: str,
    edges: tuple[int, ...],
    by: str,
    state: _State | None = None,
) -> tuple[GroupCodes | None, np.ndarray, np.ndarray]:
    """(groups or None for by="none", cells[group, bucket], unapplied[group]) in int64 cents.

    `state` is `_state_at(arrays, day)` when the caller has it already.
    """
    state = _state_at(arrays, day) if state is None else state
    n, m = state.n_invoices, state.n_payments
    bucket = _buckets(arrays, day, n, basis, edges)
    width = len(edges) + (2 if basis == "due" else 1)
    exchange = state.exchange
    if by == "none":
        cells = _sum_by(bucket, state.outstanding, width).astype(np.int64)[None, :]
        received = int(arrays.payment_weights[:m].sum() - state.paid.sum())
        if exchange is not None:
            received += int(exchange.unapplied_difference.sum())
        return None, cells, np.array([-received], dtype=np.int64)
    groups = arrays.group_codes(by)
    size = len(groups.labels)
    key = groups.invoice_codes[:n] * width + bucket
    cells = _sum_by(key, state.outstanding, size * width).reshape(size, width)
    unapplied_to = np.where(state.applied, size, groups.payment_codes[:m])
    unapplied = -_sum_by(unapplied_to, arrays.payment_weights[:m], size + 1)[:size]
    unapplied = unapplied.astype(np.int64)
    if exchange is not None:
        to = groups.payment_codes[exchange.unapplied]
        unapplied -= _sum_by(to, exchange.unapplied_difference, size)
    return groups, cells.astype(np.int64), unapplied


def _group_sizes(arrays: LedgerArrays, by: str) -> tuple[int, GroupCodes | None]:
    if by == "none":
        return 1, None
    groups = arrays.group_codes(by)
    return len(groups.labels), groups


def _exchange_codes(
    groups: GroupCodes | None, exchange: _Exchange
) -> tuple[np.ndarray, np.ndarray]:
    """The group of each foreign invoice and each unapplied foreign payment (0 without groups)."""
    if groups is None:
        return (
            np.zeros(len(exchange.invoices), dtype=np.intp),
            np.zeros(len(exchange.unapplied), dtype=np.intp),
        )
    return groups.invoice_codes[exchange.invoices], groups.payment_codes[exchange.unapplied]


def _differences(arrays: LedgerArrays, state: _State, by: str) -> np.ndarray:
    """Exchange difference per group (one total for by="none"), int64 cents."""
    size, groups = _group_sizes(arrays, by)
    out = np.zeros(size, dtype=np.int64)
    exchange = state.exchange
    if exchange is None:
        return out
    invoice_to, payment_to = _exchange_codes(groups, exchange)
    out += _sum_by(invoice_to, exchange.invoice_difference, size)
    out -= _sum_by(payment_to, exchange.unapplied_difference, size)  # cash lowers AR
    return out


def _foreign_balances(arrays: LedgerArrays, state: _State, by: str) -> np.ndarray:
    """Foreign-currency open invoices less unapplied foreign cash at the day's rate, per group."""
    size, groups = _group_sizes(arrays, by)
    out = np.zeros(size, dtype=np.int64)
    exchange = state.exchange
    if exchange is None:
        return out
    invoice_to, payment_to = _exchange_codes(groups, exchange)
    cash = arrays.payment_amount[exchange.unapplied] + exchange.unapplied_difference
    out += _sum_by(invoice_to, state.outstanding[exchange.invoices].astype(np.int64), size)
    out -= _sum_by(payment_to, cash, size)
    return out


def _foreign_groups(arrays: LedgerArrays, state: _State, by: str) -> np.ndarray:
    """Per group: holds a foreign-currency balance at the day (an open invoice or unapplied cash)."""
    size, groups = _group_sizes(arrays, by)
    out = np.zeros(size, dtype=bool)
    exchange = state.exchange
    if exchange is None or groups is None:
        return out
    open_invoices = exchange.invoices[exchange.open_original != 0]
    out[groups.invoice_codes[open_invoices]] = True
    out[groups.payment_codes[exchange.unapplied]] = True
    return out


def _sum_by(codes: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Sum of weights per code 0..size-1 (float64 weights are exact by construction).

    int64 weights are summed exactly: through float64 while their absolute sum
    stays below 2**53, else one by one.
    """
    if weights.dtype.kind == "i" and np.abs(weights).sum(dtype=np.float64) < 2.0**53:
        return np.bincount(codes, weights=weights, minlength=size).astype(np.int64)
    if weights.dtype.kind == "f":
        return np.bincount(codes, weights=weights, minlength=size)
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, codes, weights)
    return out


def _month_ends(end_day: int, months: int) -> np.ndarray:
    """Day numbers of the last `months - 1` month ends before `end_day`'s month, then end_day."""
    end: dt.date = day_to_timestamp(end_day).date()
    end_month = np.datetime64(end, "M")
    starts = (end_month - np.arange(months - 1, 0, -1)) + 1  # the month after each month end
    ends = starts.astype("datetime64[D]").astype(np.int64) - 1
    return np.append(ends, end_day)


_RETENTION_KEY = "aging.retention_items"


def _retention_not_due(
    ledger: Ledger, arrays: LedgerArrays, day: int, by: str, state: _State | None = None
) -> np.ndarray:
    """Outstanding of retention items (part "retention") not yet due at `day`, per group.

    One value per `arrays.group_codes(by)` label, or one for by="none"; int64
    cents. A ledger without retention items costs nothing here. `state` is
    `_state_at(arrays, day)` when the caller has it already.
    """
    size = 1 if by == "none" else len(arrays.group_codes(by).labels)
    held = _retention_items(ledger, arrays)
    if held is None:
        return np.zeros(size, dtype=np.int64)
    state = _state_at(arrays, day) if state is None else state
    n = state.n_invoices
    keep = held[:n] & (arrays.due_day[:n] >= day)
    if not keep.any():
        return np.zeros(size, dtype=np.int64)
    codes = np.zeros(n, dtype=np.intp) if by == "none" else arrays.group_codes(by).invoice_codes[:n]
    amounts = np.where(keep, state.outstanding, 0).astype(state.outstanding.dtype)
    return _sum_by(codes, amounts, size).astype(np.int64)


def _retention_items(ledger: Ledger, arrays: LedgerArrays) -> np.ndarray | None:
    """Per sorted invoice: is it retention? None when the ledger has none (cached per ledger)."""
    if _RETENTION_KEY not in ledger._cache:
        part = ledger.invoices.get("part")
        mask = None if part is None else (part == "retention").fillna(False).to_numpy(dtype=bool)
        held = mask[arrays.invoice_order] if mask is not None and mask.any() else None
        ledger._cache[_RETENTION_KEY] = held
    return ledger._cache[_RETENTION_KEY]


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidArgument.coded(
            "error.choice", "`{name}` must be one of {options}. Got {value!r}.",
            name=name, options=", ".join(repr(a) for a in allowed), value=value,
        )  # fmt: skip
