"""Weekly review snapshots: the week's figures stored once, read back exactly.

A snapshot is `week_figures(ledger, as_of)` (creditdash.review.figures)
stored as JSON in `review_snapshots`, keyed by its week-ending date (the
as-of date it was computed at) with the data version it saw. Stored rows
are never updated, so a past week reads back exactly as it was recorded,
whatever later imports change; re-recording a week (`replace=True`) adds
a row and the newest row of a week is the one read.

Call `take_snapshot(engine, ledger, ledger.last_date, trigger="import",
replace=True)` after each import (the import's data date is the current
week), and on demand from the page or `python -m creditdash snapshot`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from creditdash.auth import Actor, authorise
from creditdash.errors import InvalidArgument, NotFound
from creditdash.ledger import DateLike, Ledger, day_number, day_to_timestamp
from creditdash.review.figures import SCHEMA_VERSION, week_figures
from creditdash.risk.in_force import RiskInputs, risk_inputs
from creditdash.store.load import data_version
from creditdash.store.review_models import ReviewSnapshot

TRIGGERS = ("import", "manual", "cli", "backfill")


@dataclass(frozen=True)
class SnapshotInfo:
    """A stored snapshot's header; `created` is False when an existing one was returned."""

    snapshot_id: int
    week_ending: date
    created_at: datetime
    import_id: int
    data_version: str
    trigger: str
    created: bool = True


def take_snapshot(
    engine: Engine | Connection,
    ledger: Ledger,
    as_of: DateLike,
    *,
    trigger: str = "import",
    replace: bool = False,
    window_days: int = 90,
    actor: Actor | None = None,
    figures: dict | None = None,
) -> SnapshotInfo:
    """Record the figures of the week ending at as_of.

    A week already recorded from the same data version is returned as is.
    Recorded from older data, it is kept unless `replace`, which adds a new
    row (the old one stays, unchanged). The import hook passes replace=True:
    the week of the newest data is the current week. With an `actor`
    (creditdash.auth.Actor), its role must allow "take_snapshot". `figures` are
    the week's figures when already computed from this ledger with the store's risk
    inputs (`week_figures(ledger, as_of, window_days, risk=risk_inputs(...))`: the import
    computes them while it writes); they must be of the same week and window.
    """
    if actor is not None:
        authorise(actor, "take_snapshot")
    if trigger not in TRIGGERS:
        raise InvalidArgument.coded(
            "error.choice", "`{name}` must be one of {options}. Got {value!r}.",
            name="trigger", options=", ".join(TRIGGERS), value=trigger,
        )  # fmt: skip
    week = _week(as_of)
    if figures is not None and (
        figures.get("as_of") != week.isoformat() or figures.get("window_days") != window_days
    ):
        raise InvalidArgument.coded(
            "error.review.figures_week",
            "The figures given are of the week ending {given} ({given_days}-day window), "
            "not of {week} ({days}-day window).",
            given=figures.get("as_of"), given_days=figures.get("window_days"),
            week=week.isoformat(), days=window_days,
        )  # fmt: skip
    newest, applied, invoices = data_version(engine)
    version = f"{newest}-{applied}-{invoices}"
    with Session(engine) as session, session.begin():
        existing = _newest_row(session, week)
        if existing is not None and (existing.data_version == version or not replace):
            return _info(existing, created=False)
        payload = figures or week_figures(ledger, week, window_days, risk=risk_inputs(engine))
        row = ReviewSnapshot(
            week_ending=week,
            created_at=datetime.now().replace(microsecond=0),
            import_id=newest,
            data_version=version,
            trigger=trigger,
            schema_version=SCHEMA_VERSION,
            payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
        )
        session.add(row)
        session.flush()
        return _info(row, created=True)


def backfill_snapshots(
    engine: Engine, ledger: Ledger, end: DateLike, weeks: int, *, window_days: int = 90
) -> list[SnapshotInfo]:
    """Record the `weeks` weeks ending at end, end - 7, ... that have no snapshot yet.

    History from before the app was used can only be recomputed from the
    ledger; these rows say so with trigger "backfill".
    """
    if weeks < 1:
        raise InvalidArgument.coded(
            "error.review.weeks", "`weeks` must be at least 1. Got {weeks!r}.", weeks=weeks
        )
    last = _week(end)
    return [
        take_snapshot(engine, ledger, last - timedelta(days=7 * k), trigger="backfill",
                      window_days=window_days)
        for k in range(weeks - 1, -1, -1)
    ]  # fmt: skip


def load_snapshot(engine: Engine, week_ending: DateLike) -> tuple[SnapshotInfo, dict]:
    """The newest snapshot of a week and its figures; NotFound when the week was never recorded."""
    week = _week(week_ending)
    with Session(engine) as session:
        row = _newest_row(session, week)
        if row is None:
            raise NotFound.coded(
                "error.review.no_snapshot",
                "No review snapshot for the week ending {week}.",
                week=f"{week:%Y-%m-%d}",
            )
        return _info(row, created=False), json.loads(row.payload)


def find_snapshot(engine: Engine, week_ending: DateLike) -> tuple[SnapshotInfo, dict] | None:
    """Like `load_snapshot`, None when the week was never recorded."""
    try:
        return load_snapshot(engine, week_ending)
    except NotFound:
        return None


def list_snapshots(engine: Engine) -> pd.DataFrame:
    """Every stored snapshot, newest week first.

    Columns: snapshot_id, week_ending (datetime64), created_at, import_id,
    data_version, trigger, current (True for the row a week reads).
    """
    with Session(engine) as session:
        rows = session.execute(
            select(
                ReviewSnapshot.snapshot_id,
                ReviewSnapshot.week_ending,
                ReviewSnapshot.created_at,
                ReviewSnapshot.import_id,
                ReviewSnapshot.data_version,
                ReviewSnapshot.trigger,
            ).order_by(ReviewSnapshot.week_ending.desc(), ReviewSnapshot.snapshot_id.desc())
        ).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "snapshot_id",
            "week_ending",
            "created_at",
            "import_id",
            "data_version",
            "trigger",
        ],
    )
    frame["week_ending"] = pd.to_datetime(frame["week_ending"])
    frame["current"] = ~frame["week_ending"].duplicated()
    return frame


def figures_for_week(
    engine: Engine | None,
    ledger: Ledger,
    week_ending: DateLike,
    *,
    optional: bool = True,
    compute: Callable[[date, bool], dict] | None = None,
    risk: RiskInputs | None = None,
) -> tuple[dict, SnapshotInfo | None]:
    """The week's figures: its stored snapshot when there is one, else computed from the ledger.

    The second value is the snapshot's header, None for figures computed now.
    `compute(week, optional)` replaces `week_figures(ledger, week, optional=...)`
    (the app passes a cached one); else the grades read `risk`, by default the policy
    in force in `engine`'s store.
    """
    found = find_snapshot(engine, week_ending) if engine is not None else None
    if found is not None:
        info, payload = found
        return payload, info
    week = _week(week_ending)
    if compute is not None:
        return compute(week, optional), None
    if risk is None and engine is not None and optional:
        risk = risk_inputs(engine)
    return week_figures(ledger, week, optional=optional, risk=risk), None


def _newest_row(session: Session, week: date) -> ReviewSnapshot | None:
    return session.scalars(
        select(ReviewSnapshot)
        .where(ReviewSnapshot.week_ending == week)
        .order_by(ReviewSnapshot.snapshot_id.desc())
        .limit(1)
    ).first()


def _info(row: ReviewSnapshot, created: bool) -> SnapshotInfo:
    return SnapshotInfo(
        snapshot_id=row.snapshot_id,
        week_ending=row.week_ending,
        created_at=row.created_at,
        import_id=row.import_id,
        data_version=row.data_version,
        trigger=row.trigger,
        created=created,
    )


def _week(value: DateLike) -> date:
    return day_to_timestamp(day_number(value, "week_ending")).date()
