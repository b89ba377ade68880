"""The import job: parse, plan, write, then record the week for the review.

`import_sources` is the one path every import takes (the app, the command
line, the demo loader): parse the files (`plan.parse`), compare them with
what is stored (`plan.plan_import`), then write everything in one
transaction or nothing at all (`write.write_plan`). Parsing happens before
the import lock, the rest holds it (`write.serialised`).

The week the import leaves is recorded for the weekly review
(`creditdash.review.take_snapshot`) in the same transaction, after the
rows: if the process dies after the commit, the week is not lost; if it
dies before, neither is written. A snapshot that fails with a
CreditDashError leaves the import standing and says so in its warnings.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from creditdash.auth import LOCAL, Actor, authorise
from creditdash.documents import spread_over_items
from creditdash.errors import CreditDashError
from creditdash.frames import CUSTOMER_COLUMNS, INVOICE_COLUMNS, PAYMENT_COLUMNS, conform, text_in
from creditdash.i18n import Text
from creditdash.importing.diff import TABLES
from creditdash.importing.plan import ImportPlan, ImportSummary, Progress, parse, plan_import
from creditdash.importing.write import serialised, write_plan
from creditdash.ingest import SheetMapping, Source
from creditdash.ingest.problems import message
from creditdash.ledger import Ledger
from creditdash.store.load import to_reporting


def import_sources(
    engine: Engine,
    sources: list[Source],
    *,
    reporting_currency: str = "CNY",
    as_of: date | None = None,
    complete: bool = False,
    overrides: dict[str, str] | None = None,
    mappings: list[SheetMapping] | None = None,
    sheet: str | None = None,
    default_terms_days: int = 30,
    max_bytes: int = 200 * 2**20,
    header_row: int | None = None,
    dry_run: bool = False,
    actor: Actor = LOCAL,
    progress: Progress | None = None,
    snapshot: bool = True,
) -> ImportSummary:
    """Import files whole or not at all. Raises ImportRejected listing every problem.

    `actor` must be allowed to import (creditdash.auth); the import is audited.
    With `snapshot`, the week of the newest data is then recorded for the
    weekly review (creditdash.review), so its history is real, not recomputed.
    """
    authorise(actor, "import")
    report = progress or (lambda _f, _m: None)
    started = datetime.now()
    report(0.05, Text("import.step.reading"))
    batch = parse(
        engine,
        sources,
        reporting_currency=reporting_currency,
        default_terms_days=default_terms_days,
        overrides=overrides,
        mappings=mappings,
        sheet=sheet,
        as_of=as_of,
        complete=complete,
        max_bytes=max_bytes,
        header_row=header_row,
    )
    report(0.4, Text("import.step.checking"))
    with serialised(engine, report, lock=not dry_run) as conn:
        plan = plan_import(conn, sources, batch, reporting_currency, dry_run, report)
        summary = plan.summary
        if dry_run or summary.nothing_changed:
            report(1.0, Text("import.step.done"))
            return summary
        report(0.65, Text("import.step.writing"))
        with ThreadPoolExecutor(1, thread_name_prefix="creditdash-week") as pool:
            week = _week_ahead(pool, conn, plan) if snapshot else None
            try:
                summary.import_id = write_plan(conn, plan, sources, actor, started, report)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)  # the error first, not the week
                raise
            if week is not None:
                report(0.97, Text("import.step.snapshot"))
                _record_week(conn, week, summary)
        report(1.0, Text("import.step.done"))
        return summary


WeekAhead = Future  # of (the ledger after the import, its newest week's figures or None)


def _week_ahead(pool: ThreadPoolExecutor, conn: Connection, plan: ImportPlan) -> WeekAhead:
    """The review figures of the week the import leaves, computed by `pool` while the rows are
    written: they need only the frames in hand and the risk inputs, read here first (the import
    writes none of them). Writing waits mostly on the database (PostgreSQL's COPY, SQLite's
    steps), so the figures cost little of the import's time."""
    from creditdash import review  # the review's figures are heavy: only when writing
    from creditdash.risk.in_force import risk_inputs

    risk = risk_inputs(conn)

    def figures() -> tuple[Ledger, dict | None]:
        ledger = _ledger_after(plan)
        newest = ledger.last_date
        if newest is None:  # an empty ledger
            return ledger, None
        return ledger, review.week_figures(ledger, newest, risk=risk)

    return pool.submit(figures)


def _ledger_after(plan: ImportPlan) -> Ledger:
    """The stored ledger as this import leaves it, from the frames already in hand.

    Each table is what was stored, less the rows the import replaced or removed
    (`gone`: invoices superseded by another shape of their document), plus its
    new and changed rows: what re-reading the database would give, without
    reading it again.
    """
    existing, gone, currency = plan.existing, plan.gone, plan.reporting_currency
    frames = {}
    for table, (_model, key, _columns) in TABLES.items():
        new, changed, _before = plan.tables[table]
        stored = existing[table]
        dropped = changed[key]
        if table == "invoices" and gone is not None and len(gone):
            dropped = pd.concat([dropped, gone[key]])
        replaced = text_in(stored[key], dropped) if len(dropped) else None
        kept = stored.loc[~replaced] if replaced is not None else stored
        parts = [f for f in (kept, new, changed) if len(f)]
        frames[table] = pd.concat(parts, ignore_index=True) if parts else stored.iloc[0:0]
    rates = frames["rates"]
    if len(rates) and rates["currency"].isna().any():
        split = rates["rate_key"].str.split("@")
        rates = rates.assign(
            currency=split.str[0], rate_date=pd.to_datetime(split.str[1]).astype("datetime64[us]")
        )
    rates = rates.assign(rate=rates["rate"].astype(float))
    customers = conform(frames["customers"], CUSTOMER_COLUMNS)
    stored_invoices = conform(frames["invoices"], INVOICE_COLUMNS)
    invoices, payments = to_reporting(
        stored_invoices,
        spread_over_items(stored_invoices, conform(frames["payments"], PAYMENT_COLUMNS)),
        customers,
        rates,
        currency,
    )
    return Ledger.from_frames(customers, invoices, payments, currency=currency, rates=rates)


def _record_week(conn: Connection, week: WeekAhead, summary: ImportSummary) -> None:
    """Snapshot the week of the newest data, in the import's transaction (so both or neither)."""
    from creditdash import review

    try:
        ledger, figures = week.result()  # raises what computing them raised
        if figures is None:  # an empty ledger
            return
        with conn.begin_nested():  # a snapshot that fails leaves the import's writes standing
            review.take_snapshot(
                conn, ledger, figures["as_of"], trigger="import", replace=True, figures=figures
            )
    except CreditDashError as err:  # the import stands; say why the week was not recorded
        not_recorded = message(
            "import.week_not_recorded",
            "The import is saved, but the weekly snapshot was not recorded: {error}",
            error=str(err),
        )
        summary.warnings.append(
            not_recorded.problem(file=", ".join(summary.files), level="warning")
        )
