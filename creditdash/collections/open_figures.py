"""Each customer's collections figures at an as-of date from its open items, as whole
columns: the worklist's sums, worst days past due and next stage for 10M invoices without
a frame of the open items.

`ledger_rows` reads the open items straight from the ledger's arrays (`aging.open_positions`);
`item_rows` takes an `aging.open_items` frame the caller has already. `customer_figures`
stages the items as `stages.stage_items` does (the same `reached_stages`, `StageTable` and
`delivered`) and sums them per customer code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from creditdash.aging import open_positions
from creditdash.collections.stages import (
    ReachedStages,
    StageTable,
    delivered,
    reached_stages,
    strategies_of,
    strategy_index,
)
from creditdash.ledger import DateLike, Ledger, day_number, ledger_arrays


@dataclass(frozen=True, eq=False)
class OpenRows:
    """The open items at as_of as arrays, one entry per item in `aging.open_items` order,
    and their customers: one row per code (customer_id, customer_name, salesperson,
    region, segment)."""

    customers: pd.DataFrame
    code: np.ndarray  # per item: its customer's row in `customers`
    outstanding: np.ndarray  # int64 cents
    dpd: np.ndarray  # int64 days
    due_date: np.ndarray  # datetime64[D] as the ledger has it (NaT when it has none)
    disputed: np.ndarray  # the ledger's flag
    invoice_ids: Callable[[], pd.Series]  # per item, made on demand (a costly column)


def ledger_rows(ledger: Ledger, as_of: DateLike) -> OpenRows:
    """The open items straight from the ledger's arrays."""
    arrays = ledger_arrays(ledger)
    positions, outstanding = open_positions(ledger, as_of)
    rows = arrays.invoice_order[positions]
    invoices = ledger.invoices
    return OpenRows(
        customers=pd.concat([arrays.customers, arrays.attributes], axis=1),
        code=arrays.invoice_customer[positions],
        outstanding=outstanding,
        dpd=day_number(as_of) - arrays.due_day[positions],
        due_date=invoices["due_date"].to_numpy()[rows].astype("datetime64[D]"),
        disputed=invoices["disputed"].to_numpy()[rows].astype(bool),
        invoice_ids=lambda: invoices["invoice_id"].iloc[rows].reset_index(drop=True),
    )


def item_rows(items: pd.DataFrame) -> OpenRows:
    """The open items of an `aging.open_items` frame."""
    codes, ids = pd.factorize(items["customer_id"], sort=True)
    first = np.unique(codes, return_index=True)[1]
    customers = items.iloc[first][["customer_name", "salesperson", "region", "segment"]]
    return OpenRows(
        customers=customers.reset_index(drop=True).assign(customer_id=ids.astype("str")),
        code=codes.astype(np.intp),
        outstanding=items["outstanding_cents"].to_numpy(dtype=np.int64),
        dpd=items["dpd"].to_numpy(dtype=np.int64),
        due_date=items["due_date"].to_numpy(dtype="datetime64[D]"),
        disputed=items["disputed"].to_numpy(dtype=bool),
        invoice_ids=lambda: items["invoice_id"].reset_index(drop=True),
    )


@dataclass(frozen=True, eq=False)
class CustomerFigures:
    """Per customer code: whether it has open items, its sums in int64 cents (overdue,
    balance and in dispute), days past due of the worst overdue item, overdue weighted
    by days past due (cent-days, float64) and its next stage (see `_next_stages`)."""

    present: np.ndarray
    overdue: np.ndarray
    balance: np.ndarray
    in_dispute: np.ndarray
    worst: np.ndarray
    weighted: np.ndarray
    next_stage: np.ndarray
    next_stage_date: np.ndarray
    due_now: np.ndarray
    next_action: np.ndarray


def customer_figures(
    rows: OpenRows,
    dunning: Mapping,
    grades: np.ndarray,
    *,
    disputed_ids: set[str] | frozenset[str] = frozenset(),
    paused_invoices: set[str] | frozenset[str] = frozenset(),
    paused_customers: set[str] | frozenset[str] = frozenset(),
    sent: pd.DataFrame | None = None,
) -> CustomerFigures:
    """Each customer's figures from its open items, staged as `stages.stage_items` stages
    them (the arguments are that function's); `grades` per customer code ("" for none)."""
    strategies = strategies_of(dunning)
    customers, code = rows.customers, rows.code
    k = len(customers)
    which = strategy_index(strategies, pd.Series(grades), customers["segment"])[code]
    sent = sent if sent is not None and len(sent) else None
    wanted = bool(disputed_ids) or bool(paused_invoices) or sent is not None
    invoice_ids = rows.invoice_ids() if wanted else pd.Series(dtype="str")
    disputed = rows.disputed
    paused = customers["customer_id"].isin(paused_customers).to_numpy()[code]
    if disputed_ids:
        disputed = disputed | invoice_ids.isin(disputed_ids).to_numpy()
    if paused_invoices:
        paused |= invoice_ids.isin(paused_invoices).to_numpy()
    outstanding, dpd = rows.outstanding, rows.dpd
    dunnable = (outstanding > 0) & ~disputed & ~paused
    table = StageTable(strategies)
    reached = reached_stages(strategies, which, dpd)
    slot = table.slot(which, reached.index)
    left = table.bits[slot]
    if sent is not None:
        left = left & ~delivered(invoice_ids, table.names[slot], sent)
    due = dunnable & (reached.index >= 0) & (left != 0)

    counted = ~disputed & (dpd > 0)
    worst = np.zeros(k, dtype=np.int64)
    positive = counted & (outstanding > 0)
    np.maximum.at(worst, code[positive], dpd[positive])

    def cents(weights: np.ndarray) -> np.ndarray:
        return np.rint(np.bincount(code, weights=weights, minlength=k)).astype(np.int64)

    stage_slot, stage_date, due_now = _next_stages(rows, table, which, reached, dunnable, due)
    return CustomerFigures(
        present=np.bincount(code, minlength=k) > 0,
        overdue=cents(np.where(counted, outstanding, 0)),
        balance=cents(outstanding),
        in_dispute=cents(np.where(disputed, outstanding, 0)),
        worst=worst,
        weighted=np.bincount(
            code, weights=np.where(counted, outstanding * dpd, 0.0), minlength=k
        ),  # fmt: skip
        next_stage=table.names[stage_slot],
        next_stage_date=stage_date,
        due_now=due_now,
        next_action=table.actions[stage_slot],
    )


def _next_stages(
    rows: OpenRows,
    table: StageTable,
    which: np.ndarray,
    reached: ReachedStages,
    dunnable: np.ndarray,
    due: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer code: the slot (`StageTable`) of its most advanced stage due now (the
    one reached first as the tie-break), else of its earliest one coming; the day it became
    or becomes due (datetime64[us], NaT for none or for an item without a due date);
    whether it is due now. Remaining ties go to the first item."""
    k, code = len(rows.customers), rows.code
    missing = np.isnat(rows.due_date)
    last = np.iinfo(np.int64).max  # an item without a due date sorts after every date
    due_day = rows.due_date.astype(np.int64)
    coming = _pick(code, k, np.flatnonzero(dunnable & (reached.next_index >= 0)),
                   [np.where(missing, last, due_day + reached.next_days)])  # fmt: skip
    now = _pick(code, k, np.flatnonzero(due),
                [-reached.days, np.where(missing, last, due_day + reached.days)])  # fmt: skip
    no_stage = table.slot(np.zeros(1, np.intp), np.full(1, -1))[0]  # named "", no actions
    stage = np.full(k, no_stage)
    when = np.full(k, np.datetime64("NaT"), dtype="datetime64[us]")
    for picked, index, days in ((coming, reached.next_index, reached.next_days),
                                (now, reached.index, reached.days)):  # fmt: skip
        has = picked >= 0
        item = picked[has]
        stage[has] = table.slot(which[item], index[item])
        when[has] = rows.due_date[item] + days[item].astype("timedelta64[D]")
    return stage, when, now >= 0


def _pick(code: np.ndarray, k: int, candidates: np.ndarray, keys: list[np.ndarray]) -> np.ndarray:
    """Per code 0..k-1: the candidate item with the smallest `keys` (compared in turn,
    then the item's position), -1 for a code without candidates."""
    for key in keys:
        best = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, code[candidates], key[candidates])
        candidates = candidates[key[candidates] == best[code[candidates]]]
    first = np.full(k, len(code), dtype=np.int64)
    np.minimum.at(first, code[candidates], candidates)
    return np.where(first < len(code), first, -1)
