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

    dpd = out["dpd"].to_numpy(dtype=np.int64)
    due_day = out["due_date"].to_numpy(dtype="datetime64[D]")
    index = np.full(len(out), -1, dtype=np.intp)
    stage = np.full(len(out), "", dtype=object)
    days = np.full(len(out), 0, dtype=np.int64)
    next_stage = np.full(len(out), "", dtype=object)
    next_date = np.full(len(out), np.datetime64("NaT"), dtype="datetime64[D]")
    for k, strategy in enumerate(strategies):
        rows = np.flatnonzero(which == k)
        if not len(rows):
            continue
        marks = np.array([s.days for s in strategy.stages], dtype=np.int64)
        ids = np.array([s.id for s in strategy.stages], dtype=object)
        reached = np.searchsorted(marks, dpd[rows], side="right") - 1
        index[rows] = reached
        hit = reached >= 0
        stage[rows[hit]] = ids[reached[hit]]
        days[rows[hit]] = marks[reached[hit]]
        upcoming = reached + 1
        more = upcoming < len(marks)
        next_stage[rows[more]] = ids[upcoming[more]]
        next_date[rows[more]] = due_day[rows[more]] + marks[upcoming[more]].astype("timedelta64[D]")
    out["stage"] = pd.Series(stage, index=out.index, dtype="str")
    out["stage_index"] = index
    out["stage_days"] = days
    out["next_stage"] = pd.Series(next_stage, index=out.index, dtype="str")
    out["next_stage_date"] = pd.to_datetime(next_date).astype("datetime64[us]")
    channels, due_some = _missing_channels(out, strategies, which, index, sent)
    out["channels"] = channels
    out["due"] = out["dunnable"].to_numpy() & (index >= 0) & due_some
    return out


def _missing_channels(
    out: pd.DataFrame,
    strategies: tuple[Strategy, ...],
    which: np.ndarray,
    index: np.ndarray,
    sent: pd.DataFrame | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the reached stage's channels not delivered for the invoice yet (a tuple,
    empty when none is reached), and whether there is any."""
    width = max(len(s.stages) for s in strategies) + 1
    table = np.empty(len(strategies) * width, dtype=object)
    table[:] = [()] * len(table)
    for k, strategy in enumerate(strategies):
        for j, stage in enumerate(strategy.stages):
            table[k * width + j + 1] = stage.channels
    channels = table[which * width + index + 1]  # index -1 (no stage) takes the empty slot
    some = index >= 0
    if sent is None or sent.empty or not len(out):
        return channels, some
    done: dict[str, set[str]] = {}
    log_key = sent["invoice_id"].astype("str") + "\x1f" + sent["stage_id"].astype("str")
    for k, channel in zip(log_key, sent["channel"], strict=True):
        done.setdefault(k, set()).add(channel)
    key = out["invoice_id"].astype("str") + "\x1f" + out["stage"].astype("str")
    channels = channels.copy()
    some = some.copy()
    for row in np.flatnonzero(key.isin(done.keys()).to_numpy()):
        left = tuple(c for c in channels[row] if c not in done[key.iloc[row]])
        channels[row] = left
        some[row] = bool(left)
    return channels, some
