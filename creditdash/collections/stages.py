"""Which dunning stage each open invoice has reached at an as-of date, and what is due.

A customer follows the first strategy of the policy's dunning section
(`creditdash.risk.dunning`) whose grades hold its grade and whose segments
hold its segment (empty lists match anything). An open invoice (outstanding
> 0) has reached the last stage whose `days` its days past due reach
(dpd = as_of - due date; a stage at -3 days is reached three days before
the due date). A stage is delivered through its channels: `email` and
`letter` when its actions name them, else one `task` (a call, a hold or
hand-over to legal with nothing to send). A reached stage is **due** when
some channel of it has not been delivered for that invoice yet, and the
invoice may be dunned:

- it is not disputed (the ledger's disputed flag or a dispute open at as_of);
- no pending promise covers it (a promise naming invoices covers those, one
  naming none covers every invoice of the customer) until the promise's date
  plus the grace days has passed.

An invoice that skipped stages (first seen at 40 days past due) gets only
the stage it has reached, never the ones it passed. "Never twice" is the
sent log's key (invoice, stage, channel): a delivered channel is never due again.

Frame returned by `stage_items` (one row per open item of `aging.open_items`):
the open-item columns, then grade, strategy_id, disputed (ERP flag or open
dispute), paused (covered by a pending promise), dunnable, stage (reached
stage id, "" for none), stage_index (-1 for none), stage_days, channels (tuple
of the reached stage's channels not delivered yet), due (bool), next_stage
("" when the last stage is reached), next_stage_date (NaT when none).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

CHANNELS = ("email", "letter", "task")


@dataclass(frozen=True)
class Stage:
    """One stage of a strategy, as the policy has it."""

    id: str
    days: int
    actions: tuple[str, ...]
    template: str
    interest: bool
    fee: bool

    @property
    def channels(self) -> tuple[str, ...]:
        """How the stage is delivered: email and/or letter, else a task."""
        sent = tuple(c for c in ("email", "letter") if c in self.actions)
        return sent or ("task",)


@dataclass(frozen=True)
class Strategy:
    id: str
    grades: frozenset[str]
    segments: frozenset[str]
    stages: tuple[Stage, ...]

    def matches(self, grade: str, segment: str) -> bool:
        return (not self.grades or grade in self.grades) and (
            not self.segments or segment in self.segments
        )

    def stage(self, stage_id: str) -> Stage:
        return next(s for s in self.stages if s.id == stage_id)


def strategies_of(dunning: Mapping) -> tuple[Strategy, ...]:
    """The strategies of a checked dunning section, in the order they are tried."""
    out = []
    for s in dunning["strategies"]:
        stages = tuple(
            Stage(st["id"], int(st["days"]), tuple(st["actions"]), st["template"],
                  bool(st.get("interest", False)), bool(st.get("fee", False)))
            for st in s["stages"]
        )  # fmt: skip
        out.append(Strategy(s["id"], frozenset(s.get("grades", [])),
                            frozenset(s.get("segments", [])), stages))  # fmt: skip
    return tuple(out)


def strategy_index(
    strategies: tuple[Strategy, ...], grades: pd.Series, segments: pd.Series
) -> np.ndarray:
    """Per row: the index of the first strategy matching its grade and segment."""
    chosen = np.full(len(grades), -1, dtype=np.intp)
    grade, segment = grades.to_numpy(dtype=object), segments.to_numpy(dtype=object)
    for k, strategy in enumerate(strategies):
        ok = np.ones(len(grades), dtype=bool)
        if strategy.grades:
            ok &= np.isin(grade, list(strategy.grades))
        if strategy.segments:
            ok &= np.isin(segment, list(strategy.segments))
        chosen = np.where((chosen < 0) & ok, k, chosen)
    return chosen


def pending_cover(judged: pd.DataFrame) -> tuple[set[str], set[str]]:
    """(invoice ids, customer ids) covered by pending promises (`promises.judge_promises`)."""
    pending = judged[judged["status"] == "pending"]
    invoices: set[str] = set()
    customers: set[str] = set()
    for customer, ids in zip(pending["customer_id"], pending["invoice_ids"], strict=True):
        if ids:
            invoices.update(ids)
        else:
            customers.add(customer)
    return invoices, customers


def stage_items(
    items: pd.DataFrame,
    as_of: object,
    dunning: Mapping,
    *,
    grades: pd.Series | None = None,
    disputed_ids: set[str] | frozenset[str] = frozenset(),
    paused_invoices: set[str] | frozenset[str] = frozenset(),
    paused_customers: set[str] | frozenset[str] = frozenset(),
    sent: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each open item of `items` (`aging.open_items` at as_of) with its stage (see the module
    docstring). `grades` maps customer_id to grade (missing: no grade); `sent` is the sent
    log (invoice_id, stage_id, channel)."""
    strategies = strategies_of(dunning)
    out = items.copy()
    grade = out["customer_id"].map(grades) if grades is not None else None
    out["grade"] = (grade if grade is not None else pd.Series("", index=out.index)).fillna("")
    out["grade"] = out["grade"].astype("str")
    which = strategy_index(strategies, out["grade"], out["segment"])
    out["strategy_id"] = np.array([s.id for s in strategies], dtype=object)[which]
    out["disputed"] = (
        out["disputed"].to_numpy(dtype=bool) | out["invoice_id"].isin(disputed_ids).to_numpy()
    )
    paused = out["invoice_id"].isin(paused_invoices) | out["customer_id"].isin(paused_customers)
    out["paused"] = paused.to_numpy()
    out["dunnable"] = (out["outstanding_cents"].to_numpy() > 0) & ~out["disputed"] & ~out["paused"]

    table = StageTable(strategies)
    reached = reached_stages(strategies, which, out["dpd"].to_numpy(dtype=np.int64))
    slot, next_slot = table.slot(which, reached.index), table.slot(which, reached.next_index)
    due_day = out["due_date"].to_numpy(dtype="datetime64[D]")
    next_date = np.where(reached.next_index >= 0,
                         due_day + reached.next_days.astype("timedelta64[D]"),
                         np.datetime64("NaT", "D"))  # fmt: skip
    stage = table.names[slot]
    out["stage"] = pd.Series(stage, index=out.index, dtype="str")
    out["stage_index"] = reached.index
    out["stage_days"] = reached.days
    out["next_stage"] = pd.Series(table.names[next_slot], index=out.index, dtype="str")
    out["next_stage_date"] = pd.to_datetime(next_date).astype("datetime64[us]")
    left = table.bits[slot] & ~delivered(out["invoice_id"], stage, sent)
    out["channels"] = CHANNEL_SETS[left]
    out["due"] = out["dunnable"].to_numpy() & (reached.index >= 0) & (left != 0)
    return out


@dataclass(frozen=True, eq=False)
class ReachedStages:
    """Per row: the index in its strategy of the stage reached (-1 for none) and that
    stage's days (0 for none); the index of the next stage (-1 when the last is reached)
    and its days (0 when none)."""

    index: np.ndarray
    days: np.ndarray
    next_index: np.ndarray
    next_days: np.ndarray


def reached_stages(
    strategies: tuple[Strategy, ...], which: np.ndarray, dpd: np.ndarray
) -> ReachedStages:
    """The stages reached at `dpd` (days past due) by rows following strategy `which`
    (`strategy_index`; a row of -1 follows none and reaches nothing)."""
    n = len(dpd)
    index, days = np.full(n, -1, dtype=np.intp), np.zeros(n, dtype=np.int64)
    next_index, next_days = np.full(n, -1, dtype=np.intp), np.zeros(n, dtype=np.int64)
    for k, strategy in enumerate(strategies):
        rows = np.flatnonzero(which == k)
        if not len(rows):
            continue
        marks = np.array([s.days for s in strategy.stages], dtype=np.int64)
        reached = np.searchsorted(marks, dpd[rows], side="right") - 1
        index[rows] = reached
        hit = reached >= 0
        days[rows[hit]] = marks[reached[hit]]
        upcoming = reached + 1
        more = upcoming < len(marks)
        next_index[rows[more]] = upcoming[more]
        next_days[rows[more]] = marks[upcoming[more]]
    return ReachedStages(index, days, next_index, next_days)


# Channels as bits (email 1, letter 2, task 4); CHANNEL_SETS[bits] is the tuple they name.
CHANNEL_SETS = np.empty(1 << len(CHANNELS), dtype=object)
CHANNEL_SETS[:] = [tuple(c for k, c in enumerate(CHANNELS) if bits >> k & 1)
                   for bits in range(len(CHANNEL_SETS))]  # fmt: skip


class StageTable:
    """The stages of every strategy in one flat table, so that per-row lookups are one
    fancy index: `slot(which, index)` is the slot of stage `index` of strategy `which`;
    index -1 (no stage) has a slot of its own, named "" and delivered through no channel."""

    def __init__(self, strategies: tuple[Strategy, ...]) -> None:
        self.width = max(len(s.stages) for s in strategies) + 1
        size = len(strategies) * self.width
        self.names = np.full(size, "", dtype=object)
        self.actions = np.full(size, "", dtype=object)  # "email+call"
        self.bits = np.zeros(size, dtype=np.uint8)
        for k, strategy in enumerate(strategies):
            for j, stage in enumerate(strategy.stages):
                self.names[k * self.width + j + 1] = stage.id
                self.actions[k * self.width + j + 1] = "+".join(stage.actions)
                self.bits[k * self.width + j + 1] = sum(1 << CHANNELS.index(c)
                                                        for c in stage.channels)  # fmt: skip

    def slot(self, which: np.ndarray, index: np.ndarray) -> np.ndarray:
        # a row following no strategy (-1) has index -1 and takes the last strategy's
        # "no stage" slot
        return which * self.width + index + 1


def delivered(invoice_ids: pd.Series, stages: np.ndarray, sent: pd.DataFrame | None) -> np.ndarray:
    """Per row (an invoice and the id of the stage it reached, "" for none): the channels
    of the sent log (invoice_id, stage_id, channel) delivered for that invoice and stage,
    as CHANNELS bits."""
    done = np.zeros(len(invoice_ids), dtype=np.uint8)
    if sent is None or sent.empty or not len(invoice_ids):
        return done
    ids = invoice_ids.astype("str")
    rows = np.flatnonzero(ids.isin(sent["invoice_id"].astype("str")).to_numpy())
    if not len(rows):
        return done
    key = ids.iloc[rows].to_numpy(dtype=object) + "\x1f" + stages[rows]
    log_key = sent["invoice_id"].astype("str") + "\x1f" + sent["stage_id"].astype("str")
    for bit, channel in enumerate(CHANNELS):
        hit = pd.Index(key).isin(log_key[(sent["channel"] == channel).to_numpy()])
        done[rows[hit]] |= np.uint8(1 << bit)
    return done
