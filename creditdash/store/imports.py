"""Writing parsed files into the store: all-or-nothing, upsert by key, rollback.

`import_sources` is the one path every import takes (the app, the command
line, the demo loader): parse, cross-check against what is stored, then
write everything in one transaction or nothing at all.

Imports and rollbacks run one at a time: each holds the import lock (SQLite
`BEGIN IMMEDIATE`, PostgreSQL `pg_advisory_xact_lock`) from reading the
stored rows it compares with to its commit, so a second import waits, then
compares with what the first committed. Parsing the files happens before
the lock. The week the import records for the weekly review is written in
the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NoReturn

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Table, bindparam, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from creditdash import audit
from creditdash.auth import LOCAL, Actor, authorise
from creditdash.documents import spread_over_items
from creditdash.errors import (
    CreditDashError,
    ImportRejected,
    InvalidArgument,
    NotFound,
    Problem,
    StoreError,
)
from creditdash.frames import (
    CUSTOMER_COLUMNS,
    INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    conform,
)
from creditdash.i18n import Text
from creditdash.ingest import ParsedBatch, SheetMapping, Source, parse_sources
from creditdash.ingest.checks import too_long_message
from creditdash.ingest.problems import message
from creditdash.ledger import Ledger
from creditdash.store.load import (
    read_customers,
    read_invoices,
    read_payments,
    read_rates,
    to_reporting,
)
from creditdash.store.models import (
    Customer,
    Import,
    Invoice,
    Payment,
    Rate,
    RowChange,
    SnapshotRecord,
)
from creditdash.store.parts import replaced_warning, superseded

Progress = Callable[[float, Text], None]  # (share done, what is being done)

# table name -> (model, key column, canonical columns compared)
_TABLES: dict[str, tuple[type, str, list[str]]] = {
    "customers": (Customer, "customer_id", CUSTOMER_COLUMNS[1:]),
    "invoices": (Invoice, "invoice_id", INVOICE_COLUMNS[1:]),
    "payments": (Payment, "payment_id", PAYMENT_COLUMNS[1:]),
    "rates": (Rate, "rate_key", ["rate"]),
}
# canonical column -> database column, where they differ
_DB_NAMES = {"amount_cents": "amount", "credit_limit_cents": "credit_limit"}


@dataclass
class TableCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    """What an import did (or, with dry_run, would do)."""

    import_id: int | None
    files: list[str]
    kinds: list[str]
    rows_read: int
    counts: dict[str, TableCounts] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    snapshots: int = 0
    dry_run: bool = False

    @property
    def new(self) -> int:
        return sum(c.new for c in self.counts.values())

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.counts.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.counts.values())

    @property
    def nothing_changed(self) -> bool:
        return self.new == 0 and self.changed == 0

    def texts(self) -> list[Text]:
        """The summary, a headline then one line per file set and table, to render in a language."""
        if self.dry_run:
            head = Text("import.summary.dry_run")
        elif self.nothing_changed:
            head = Text("import.summary.nothing_changed")
        else:
            head = Text("import.summary.written", {"id": self.import_id})
        kinds = [Text(f"kind.{k}") for k in self.kinds]
        out = [
            head,
            Text("import.summary.files",
                 {"files": ", ".join(self.files), "kinds": kinds, "rows": self.rows_read}),
        ]  # fmt: skip
        for table, c in self.counts.items():
            if c.new or c.changed or c.unchanged:
                out.append(Text("import.summary.table", {
                    "table": Text(f"import.table.{table}"), "new": c.new, "changed": c.changed,
                    "unchanged": c.unchanged}))  # fmt: skip
        if self.snapshots:
            out.append(Text("import.summary.snapshots", {"n": self.snapshots}))
        return out

    def lines(self) -> list[str]:
        """The summary as printable English lines, the warnings last."""
        return [str(t) for t in self.texts()] + [str(w) for w in self.warnings]


# ---------------------------------------------------------------- snapshots


def _open_state(invoices: pd.DataFrame, payments: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Open cents per invoice_id at `as_of` from invoices and applied payments dated <= as_of."""
    payments = spread_over_items(invoices, payments)
    paid = (
        payments.loc[payments["invoice_id"].notna() & (payments["payment_date"] <= as_of)]
        .groupby("invoice_id")["amount_cents"]
        .sum()
    )
    inv = invoices.loc[invoices["invoice_date"] <= as_of].set_index("invoice_id")["amount_cents"]
    return inv.sub(paid.reindex(inv.index, fill_value=0), fill_value=0)


def _snapshot_rows(
    batch: ParsedBatch,
    invoices: pd.DataFrame,
    payments: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """New invoices and the payment events (source `snapshot`) that the batch's snapshots imply.

    `invoices`/`payments` are everything known before: stored plus this batch.
    """
    new_invoices, events, warnings = [], [], []
    for snap in sorted(batch.snapshots, key=lambda s: s.as_of):
        items = snap.items
        as_of = pd.Timestamp(snap.as_of)
        known = set(invoices["invoice_id"])
        fresh = items.loc[~items["invoice_id"].isin(known)]
        if len(fresh):
            amount = (
                fresh["amount_cents"].astype("Int64").fillna(fresh["open_cents"]).astype("int64")
            )
            created = conform(
                fresh.assign(amount_cents=amount, source="snapshot", disputed=False),
                INVOICE_COLUMNS,
            )
            new_invoices.append(created)
            invoices = pd.concat([invoices, created], ignore_index=True)
        state = _open_state(invoices, payments, as_of)
        listed = items.set_index("invoice_id")["open_cents"]
        prior = state.reindex(listed.index).fillna(listed).astype("int64")
        drop = prior - listed
        rises = drop[drop < 0]
        if len(rises):
            rose = message(
                "import.open_amount_rose",
                "{n} invoice(s) show a higher open amount on {as_of} than before "
                "(e.g. {example}); their balance is kept as last known.",
                n=len(rises),
                as_of=f"{as_of:%Y-%m-%d}",
                example=str(rises.index[0]),
            )
            warnings.append(rose.problem(file=snap.file, level="warning"))
        paid = drop[drop > 0]
        if snap.complete:
            gone = state[(state != 0) & ~state.index.isin(listed.index)]
            paid = pd.concat([paid, gone])
        if len(paid):
            cust = invoices.drop_duplicates("invoice_id").set_index("invoice_id")["customer_id"]
            ev = pd.DataFrame(
                {
                    "payment_id": [f"{i}@{as_of:%Y-%m-%d}" for i in paid.index],
                    "customer_id": cust.reindex(paid.index).to_numpy(),
                    "invoice_id": paid.index.to_numpy(),
                    "payment_date": as_of,
                    "amount_cents": paid.to_numpy(dtype="int64"),
                    "source": "snapshot",
                }
            )
            ev = conform(ev, PAYMENT_COLUMNS)
            events.append(ev)
            payments = pd.concat([payments, ev], ignore_index=True)
    inv = pd.concat(new_invoices, ignore_index=True) if new_invoices else None
    pay = pd.concat(events, ignore_index=True) if events else None
    return (
        inv if inv is not None else conform(pd.DataFrame(), INVOICE_COLUMNS),
        pay if pay is not None else conform(pd.DataFrame(), PAYMENT_COLUMNS),
        warnings,
    )


# ---------------------------------------------------------------- checks


def _cross_check(
    batch: ParsedBatch,
    invoices: pd.DataFrame,
    payments: pd.DataFrame,
    stored_invoice_ids: pd.Series,
    rates: pd.DataFrame,
    reporting_currency: str,
) -> list[Problem]:
    """Problems that need the stored data: unknown invoices, currencies without a rate."""
    problems: list[Problem] = []
    applied = payments.loc[payments["invoice_id"].notna(), ["payment_id", "invoice_id"]]
    refs = applied["invoice_id"]
    # a payment may name an invoice, an item, or a document paid in items
    known = refs.isin(invoices["invoice_id"]) | refs.isin(invoices["document_id"].dropna())
    unknown = applied.loc[~(known | refs.isin(stored_invoice_ids))]
    for _, row in unknown.head(1000).iterrows():
        file, sheet, excel_row = _where(batch, "payments", row["payment_id"])
        problems.append(
            _UNKNOWN_INVOICE.problem(
                file=file,
                sheet=sheet,
                row=excel_row,
                column="invoice_id",
                value=str(row["invoice_id"]),
            )
        )
    rated = set(rates["currency"]) | set(batch.rates["currency"]) | {reporting_currency}
    for code in sorted(set(invoices["currency"].dropna()) - rated):
        no_rate = message(
            "import.no_rate",
            "No exchange rate from {currency} to the reporting currency {reporting}: "
            "upload a rates file (currency, date, rate) with it.",
            currency=code,
            reporting=reporting_currency,
        )
        problems.append(
            no_rate.problem(
                file=", ".join(sorted({m.file for m in batch.mappings})) or "upload",
                column="currency",
                value=code,
            )
        )
    return problems


_UNKNOWN_INVOICE = message(
    "import.unknown_invoice",
    "The payment refers to an invoice that is neither in this upload nor stored; import the "
    "invoice first or leave the invoice column empty for unapplied cash.",
)


def _where(batch: ParsedBatch, table: str, key: str) -> tuple[str, str | None, int | None]:
    source = getattr(batch, "row_source", None) or {}
    try:
        found = source.get((table, key)) if isinstance(source, Mapping) else None
    except TypeError:
        found = None
    if found:
        return found[0], found[1], found[2]
    files = sorted({m.file for m in batch.mappings})
    return (files[0] if files else "upload"), None, None


# ---------------------------------------------------------------- diff and write


def _equal(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Elementwise equality where two missing values are equal."""
    missing = "\0missing"
    left = a.astype(object).where(a.notna(), missing).to_numpy()
    right = b.astype(object).where(b.notna(), missing).to_numpy()
    return np.asarray(left == right, dtype=bool)


def _diff(
    incoming: pd.DataFrame,
    existing: pd.DataFrame,
    key: str,
    columns: list[str],
    keep_existing: bool,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    """Split incoming rows into new, changed (+ the stored row before) and the unchanged count.

    With keep_existing, a value missing in the incoming row keeps the stored one.
    """
    if existing.empty:
        return incoming, incoming.iloc[0:0], existing.iloc[0:0], 0
    merged = incoming.merge(existing, on=key, how="left", suffixes=("", "__old"), indicator=True)
    is_new = (merged["_merge"] == "left_only").to_numpy()
    old = merged.loc[~is_new]
    same = np.ones(len(old), dtype=bool)
    updated = old[[key, *columns]].copy()
    for c in columns:
        if keep_existing:
            updated[c] = old[c].where(old[c].notna(), old[f"{c}__old"])
        same &= _equal(updated[c], old[f"{c}__old"])
    changed = updated.loc[~same]
    before = old.loc[~same, [key, *(f"{c}__old" for c in columns)]]
    before.columns = [key, *columns]
    return merged.loc[is_new, [key, *columns]], changed, before, int(same.sum())


def _records(frame: pd.DataFrame, import_id: int | None = None) -> list[dict]:
    """Rows as database-ready dicts (dates as date, cents as Decimal money)."""
    cols = list(frame.columns)
    data = {}
    for c in cols:
        s = frame[c]
        if c.endswith("_cents"):
            vals = [None if pd.isna(v) else Decimal(int(v)).scaleb(-2) for v in s.to_numpy(object)]
        elif pd.api.types.is_datetime64_any_dtype(s):
            vals = [None if pd.isna(v) else v.date() for v in s]
        elif s.dtype == bool:
            vals = [bool(v) for v in s.to_numpy()]
        elif c == "payment_terms_days":
            vals = [None if pd.isna(v) else int(v) for v in s.to_numpy(object)]
        else:
            vals = [None if pd.isna(v) else v for v in s.to_numpy(object)]
        data[_DB_NAMES.get(c, c)] = vals
    names = list(data)
    out = [dict(zip(names, row, strict=True)) for row in zip(*data.values(), strict=True)]
    if import_id is not None:
        for r in out:
            r["import_id"] = import_id
    return out


def _json_row(row: pd.Series) -> str:
    def plain(v):
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, pd.Timestamp):
            return v.strftime("%Y-%m-%d")
        if isinstance(v, np.integer | np.bool_ | np.floating):
            return v.item()
        return v

    return json.dumps({k: plain(v) for k, v in row.items()}, ensure_ascii=False)


def _update(conn: Connection, table: Table, key: str, rows: list[dict]) -> None:
    if not rows:
        return
    cols = [c for c in rows[0] if c != key]
    stmt = (
        update(table)
        .where(table.c[key] == bindparam(f"k_{key}"))
        .values({c: bindparam(f"v_{c}") for c in cols})
    )
    params = [{f"k_{key}": r[key], **{f"v_{c}": r[c] for c in cols}} for r in rows]
    conn.execute(stmt, params)


def _column_values(conn: Connection, name: str, s: pd.Series) -> list:
    """One column as driver-ready Python values (None for missing)."""
    sqlite = conn.dialect.name == "sqlite"
    missing = s.isna().to_numpy()
    if name.endswith("_cents"):
        cents = s.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        if sqlite:  # SQLite keeps NUMERIC as REAL: the nearest double to the 2-decimal figure
            values = (cents / 100).tolist()
        else:
            values = [Decimal(int(c)).scaleb(-2) if c == c else None for c in cents]
    elif pd.api.types.is_datetime64_any_dtype(s):
        days = s.to_numpy().astype("datetime64[D]")
        values = days.astype(str).tolist() if sqlite else days.astype(object).tolist()
    elif s.dtype == bool:
        values = s.to_numpy().tolist()
    elif pd.api.types.is_integer_dtype(s) or name == "payment_terms_days":
        values = [None if m else int(v) for v, m in zip(s.to_numpy(object), missing, strict=True)]
    else:
        values = s.to_numpy(object).tolist()
    if missing.any():
        values = [None if m else v for v, m in zip(values, missing, strict=True)]
    return values


def _bulk_insert(
    conn: Connection, table: Table, frame: pd.DataFrame, import_id: int, chunk: int = 100_000
) -> None:
    """Insert a canonical frame through the driver's executemany (the fast path for big files)."""
    if frame.empty:
        return
    names = [_DB_NAMES.get(c, c) for c in frame.columns]
    columns = [_column_values(conn, c, frame[c]) for c in frame.columns]
    columns.append([import_id] * len(frame))
    names.append("import_id")
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})"
    rows = list(zip(*columns, strict=True))
    for start in range(0, len(rows), chunk):
        conn.exec_driver_sql(sql, rows[start : start + chunk])


def _insert(conn: Connection, table: Table, rows: list[dict], chunk: int = 50_000) -> None:
    for start in range(0, len(rows), chunk):
        conn.execute(table.insert(), rows[start : start + chunk])


def _rates_frame(rates: pd.DataFrame) -> pd.DataFrame:
    out = rates[["currency", "rate_date", "rate"]].copy()
    out["rate_key"] = out["currency"].astype(str) + "@" + out["rate_date"].dt.strftime("%Y-%m-%d")
    return out


# ---------------------------------------------------------------- one writer at a time

# PostgreSQL advisory lock key held by an import's or rollback's transaction (fixed, used only here)
IMPORT_LOCK = int.from_bytes(hashlib.sha256(b"creditdash.imports").digest()[:8], "big", signed=True)
PATIENCE_S = 1.0  # a wait for the import lock longer than this is reported (import.step.waiting)
WAIT_S = 600  # how long an import waits for the one before it to finish


@contextmanager
def _serialised(
    engine: Engine, report: Progress | None = None, *, lock: bool = True
) -> Iterator[Connection]:
    """A connection whose transaction holds the import lock from its start; committed at the end.

    SQLite: `BEGIN IMMEDIATE`, the database's write lock, so the reads that
    follow see the last committed import and nothing can change under them.
    PostgreSQL: a transaction-level advisory lock that every import and
    rollback takes. Without `lock` (a dry run) the connection only reads.
    """
    with engine.connect() as conn:
        if lock:
            _lock_imports(conn, report or (lambda _f, _m: None))
        yield conn
        conn.commit()


def _lock_imports(conn: Connection, report: Progress) -> None:
    """Take the import lock, saying so when another import holds it for longer than PATIENCE_S."""
    waiting = Text("import.step.waiting")
    if conn.dialect.name == "postgresql":
        key = {"key": IMPORT_LOCK}
        deadline = time.monotonic() + PATIENCE_S
        while not conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), key).scalar():
            if time.monotonic() >= deadline:
                report(0.4, waiting)
                conn.execute(text(f"SET LOCAL lock_timeout = '{WAIT_S}s'"))
                _wait_for_lock(conn, "SELECT pg_advisory_xact_lock(:key)", key)
                conn.execute(text("SET LOCAL lock_timeout = 0"))
                return
            time.sleep(0.05)
        return
    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(PATIENCE_S * 1000)}")
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except StoreError as err:
        if err.code != "error.store.busy":
            raise
        report(0.4, waiting)
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {WAIT_S * 1000}")
        _wait_for_lock(conn, "BEGIN IMMEDIATE", {})
    finally:
        conn.exec_driver_sql("PRAGMA busy_timeout = 30000")


def _wait_for_lock(conn: Connection, statement: str, params: dict) -> None:
    try:
        conn.execute(text(statement), params)
    except StoreError as err:
        if err.code != "error.store.busy":
            raise
        raise StoreError.coded(
            "error.store.import_wait",
            "Another import has been writing for more than {minutes} minutes, so this one "
            "stopped waiting; nothing was written. Try again when it has finished.",
            minutes=WAIT_S // 60,
        ) from err


@contextmanager
def _writing() -> Iterator[None]:
    """The import's writes: a row another writer added outside the import lock is said clearly."""
    try:
        yield
    except IntegrityError as err:
        raise StoreError.coded(
            "error.store.conflict",
            "Another change wrote some of the same rows at the same moment; nothing was "
            "written. Import the files again.",
        ) from err


def _too_long(batch: ParsedBatch, incoming: dict[str, pd.DataFrame]) -> list[Problem]:
    """Values longer than their store column that the sheet checks did not see.

    (Customer details carried on invoice rows, payment ids made up from long
    parts.) One problem per value, at the first row that holds it.
    """
    problems: list[Problem] = []
    for table in ("customers", "invoices", "payments"):
        model, key, _columns = _TABLES[table]
        frame = incoming[table]
        for column in frame.columns:
            stored = model.__table__.c.get(_DB_NAMES.get(column, column))
            limit = getattr(getattr(stored, "type", None), "length", None)
            if not limit or frame.empty:
                continue
            sizes = frame[column].astype("string").str.len()
            over = (sizes > limit).fillna(False).to_numpy(dtype=bool)
            for k, value, size in zip(
                frame.loc[over, key], frame.loc[over, column], sizes[over], strict=True
            ):
                file, sheet, row = _where(batch, table, str(k))
                said = too_long_message(int(size), limit)
                header = _header(batch, file, sheet, column)
                problems.append(
                    said.problem(file=file, sheet=sheet, row=row, column=header, value=str(value))
                )
    return problems[:1000]


def _header(batch: ParsedBatch, file: str, sheet: str | None, column: str) -> str:
    """The header the user gave the field `column` in that sheet (the field's name without one)."""
    for m in batch.mappings:
        if m.file == file and m.sheet == sheet:
            for header, field_ in m.mapping.items():
                if field_ == column:
                    return header
    return column


# ---------------------------------------------------------------- public


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
    stored_customers = read_customers(engine)
    terms = stored_customers.dropna(subset=["payment_terms_days"])
    batch = parse_sources(
        sources,
        overrides=overrides,
        mappings=mappings,
        sheet=sheet,
        as_of=as_of,
        complete=complete,
        default_terms_days=default_terms_days,
        terms_by_customer=dict(
            zip(terms["customer_id"], terms["payment_terms_days"].astype(int), strict=True)
        ),
        default_currency=reporting_currency,
        max_bytes=max_bytes,
    )
    problems = list(batch.problems)
    if any(p.level == "error" for p in problems):
        raise ImportRejected(problems)
    report(0.4, Text("import.step.checking"))
    with _serialised(engine, report, lock=not dry_run) as conn:
        return _compare_and_write(
            conn, sources, batch, problems, reporting_currency, dry_run, actor, report,
            snapshot, started,
        )  # fmt: skip


def _compare_and_write(
    conn: Connection,
    sources: list[Source],
    batch: ParsedBatch,
    problems: list[Problem],
    reporting_currency: str,
    dry_run: bool,
    actor: Actor,
    report: Progress,
    snapshot: bool,
    started: datetime,
) -> ImportSummary:
    """The import's second half, on the connection holding the import lock (`_serialised`):
    compare the batch with the stored rows, then write, audit and record the week."""
    stored_customers = read_customers(conn)
    stored_invoices = read_invoices(conn)
    stored_payments = read_payments(conn) if batch.snapshots or len(batch.payments) else None
    stored_rates = read_rates(conn)
    invoices = batch.invoices
    payments = batch.payments
    if batch.snapshots:
        everything_inv = pd.concat([stored_invoices, invoices], ignore_index=True).drop_duplicates(
            "invoice_id", keep="last"
        )
        everything_pay = pd.concat([stored_payments, payments], ignore_index=True).drop_duplicates(
            "payment_id", keep="last"
        )
        snap_inv, snap_pay, snap_warn = _snapshot_rows(batch, everything_inv, everything_pay)
        invoices = pd.concat([invoices, snap_inv], ignore_index=True) if len(snap_inv) else invoices
        payments = pd.concat([payments, snap_pay], ignore_index=True) if len(snap_pay) else payments
        problems.extend(snap_warn)
    stored_ids = pd.concat([stored_invoices["invoice_id"], stored_invoices["document_id"].dropna()])
    problems.extend(
        _cross_check(batch, invoices, payments, stored_ids, stored_rates, reporting_currency)
    )
    gone = superseded(invoices, stored_invoices)
    if len(gone):
        problems.append(replaced_warning(gone, [s.name for s in sources]))
    if any(p.level == "error" for p in problems):
        raise ImportRejected(problems)

    customers = _customers_for(batch.customers, invoices, payments, stored_customers)
    incoming = {
        "customers": customers,
        "invoices": invoices,
        "payments": payments,
        "rates": _rates_frame(batch.rates),
    }
    too_long = _too_long(batch, incoming)
    if too_long:
        raise ImportRejected(problems + too_long)
    existing = {
        "customers": stored_customers,
        "invoices": stored_invoices,
        "payments": stored_payments if stored_payments is not None else read_payments(conn),
        "rates": _rates_frame(stored_rates),
    }
    report(0.55, Text("import.step.comparing"))
    plans, counts = {}, {}
    for table, (_model, key, columns) in _TABLES.items():
        new, changed, before, unchanged = _diff(
            incoming[table], existing[table], key, columns, keep_existing=(table == "customers")
        )
        plans[table] = (new, changed, before)
        counts[table] = TableCounts(len(new), len(changed), unchanged)
    counts["invoices"].changed += len(gone)  # replaced by their items, or items by the invoice

    summary = ImportSummary(
        import_id=None,
        files=[s.name for s in sources],
        kinds=sorted({m.kind for m in batch.mappings}),
        rows_read=sum(m.n_rows for m in batch.mappings),
        counts=counts,
        warnings=[p for p in problems if p.level == "warning"],
        snapshots=len(batch.snapshots),
        dry_run=dry_run,
    )
    if dry_run or summary.nothing_changed:
        report(1.0, Text("import.step.done"))
        return summary

    report(0.65, Text("import.step.writing"))
    with _writing():
        imp = {
            "file_names": ", ".join(summary.files),
            "sha256": ",".join(s.sha256 for s in sources),
            "kind": ",".join(summary.kinds),
            "rows_read": summary.rows_read,
            "rows_stored": summary.new + summary.changed,
            "rows_rejected": 0,
            "rows_new": summary.new,
            "rows_changed": summary.changed,
            "rows_unchanged": summary.unchanged,
            "warnings": "\n".join(str(w) for w in summary.warnings)[:20000],
            "started_at": started,
            "who": actor.who,
            "status": "applied",
        }
        import_id = conn.execute(Import.__table__.insert().values(**imp)).inserted_primary_key[0]
        for i, table in enumerate(("customers", "invoices", "payments", "rates")):
            model, key, _columns = _TABLES[table]
            new, changed, before = plans[table]
            write_new, write_changed = new, changed
            if table == "rates":
                write_new = new.drop(columns="rate_key")
                write_changed = changed.assign(
                    currency=changed["rate_key"].str.split("@").str[0],
                    rate_date=pd.to_datetime(changed["rate_key"].str.split("@").str[1]),
                )
            if table == "invoices" and len(gone):
                _remove(conn, import_id, gone, existing[table])
            _bulk_insert(conn, model.__table__, write_new, import_id)
            if len(changed):
                _save_before(conn, import_id, table, key, before, existing[table])
                if table == "rates":
                    _update_rates(conn, write_changed, import_id)
                else:
                    _update(conn, model.__table__, key, _records(write_changed, import_id))
            step = Text("import.step.writing_table", {"table": Text(f"import.table.{table}")})
            report(0.65 + 0.3 * (i + 1) / 4, step)
        for snap in batch.snapshots:
            conn.execute(
                SnapshotRecord.__table__.insert().values(
                    as_of=pd.Timestamp(snap.as_of).date(),
                    complete=snap.complete,
                    items=len(snap.items),
                    import_id=import_id,
                )
            )
        conn.execute(
            update(Import.__table__)
            .where(Import.__table__.c.import_id == import_id)
            .values(finished_at=datetime.now())
        )
        audit.record(
            conn,
            actor.who,
            "import",
            "import",
            import_id,
            after={
                "files": summary.files,
                **{t: vars(c) for t, c in summary.counts.items()},
            },
        )
    summary.import_id = int(import_id)
    if snapshot:
        report(0.97, Text("import.step.snapshot"))
        _record_week(
            conn, lambda: _ledger_after(existing, plans, reporting_currency, gone), summary
        )
    report(1.0, Text("import.step.done"))
    return summary


def _ledger_after(
    existing: dict, plans: dict, currency: str, gone: pd.DataFrame | None = None
) -> Ledger:
    """The stored ledger as this import leaves it, from the frames already in hand.

    Each table is what was stored, less the rows the import replaced or removed
    (`gone`: invoices superseded by another shape of their document), plus its
    new and changed rows: what re-reading the database would give, without
    reading it again.
    """
    frames = {}
    for table, (_model, key, _columns) in _TABLES.items():
        new, changed, _before = plans[table]
        stored = existing[table]
        dropped = changed[key]
        if table == "invoices" and gone is not None and len(gone):
            dropped = pd.concat([dropped, gone[key]])
        replaced = stored[key].isin(dropped) if len(dropped) else None
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


def _record_week(
    conn: Connection, ledger_after: Callable[[], Ledger], summary: ImportSummary
) -> None:
    """Snapshot the week of the newest data, in the import's transaction (so both or neither)."""
    from creditdash.review import take_snapshot

    try:
        ledger = ledger_after()
        if ledger.is_empty:
            return
        with conn.begin_nested():  # a snapshot that fails leaves the import's writes standing
            take_snapshot(conn, ledger, ledger.last_date, trigger="import", replace=True)
    except CreditDashError as err:  # the import stands; say why the week was not recorded
        not_recorded = message(
            "import.week_not_recorded",
            "The import is saved, but the weekly snapshot was not recorded: {error}",
            error=str(err),
        )
        summary.warnings.append(
            not_recorded.problem(file=", ".join(summary.files), level="warning")
        )


def _update_rates(conn: Connection, rows: pd.DataFrame, import_id: int) -> None:
    t = Rate.__table__
    stmt = (
        update(t)
        .where((t.c.currency == bindparam("k_c")) & (t.c.rate_date == bindparam("k_d")))
        .values(rate=bindparam("v_rate"), import_id=bindparam("v_import"))
    )
    conn.execute(
        stmt,
        [
            {
                "k_c": r.currency,
                "k_d": r.rate_date.date(),
                "v_rate": Decimal(str(r.rate)),
                "v_import": import_id,
            }
            for r in rows.itertuples()
        ],
    )


def _remove(conn: Connection, import_id: int, rows: pd.DataFrame, existing: pd.DataFrame) -> None:
    """Delete superseded invoice rows, keeping their state for rollback (which re-inserts them)."""
    _save_before(conn, import_id, "invoices", "invoice_id", rows, existing)
    t = Invoice.__table__
    keys = rows["invoice_id"].tolist()
    for start in range(0, len(keys), 500):
        conn.execute(t.delete().where(t.c.invoice_id.in_(keys[start : start + 500])))


def _save_before(
    conn: Connection,
    import_id: int,
    table: str,
    key: str,
    before: pd.DataFrame,
    existing: pd.DataFrame,
) -> None:
    """Keep each changed row's stored state (and the import that wrote it) for rollback."""
    writers = _import_ids(conn, table, key, before[key].tolist())
    rows = [
        {
            "import_id": import_id,
            "table_name": table,
            "row_key": str(r[key]),
            "before_import_id": writers.get(str(r[key]), 0),
            "before": _json_row(r),
        }
        for _, r in before.iterrows()
    ]
    _insert(conn, RowChange.__table__, rows)


def _import_ids(conn: Connection, table: str, key: str, keys: list[str]) -> dict[str, int]:
    model = _TABLES[table][0]
    t = model.__table__
    out: dict[str, int] = {}
    if table == "rates":
        for k in keys:
            ccy, day = k.split("@")
            got = conn.execute(
                select(t.c.import_id).where(
                    (t.c.currency == ccy) & (t.c.rate_date == date.fromisoformat(day))
                )
            ).scalar()
            out[k] = int(got or 0)
        return out
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        for k, imp in conn.execute(select(t.c[key], t.c.import_id).where(t.c[key].in_(part))):
            out[str(k)] = int(imp)
    return out


def _customers_for(
    batch_customers: pd.DataFrame,
    invoices: pd.DataFrame,
    payments: pd.DataFrame,
    stored: pd.DataFrame,
) -> pd.DataFrame:
    """The batch's customers plus a bare row for any referenced customer not known yet."""
    referenced = set(invoices["customer_id"].dropna()) | set(payments["customer_id"].dropna())
    known = set(batch_customers["customer_id"]) | set(stored["customer_id"])
    missing = sorted(referenced - known)
    if not missing:
        return batch_customers
    bare = conform(pd.DataFrame({"customer_id": missing}), CUSTOMER_COLUMNS)
    if batch_customers.empty:
        return bare
    return pd.concat([batch_customers, bare], ignore_index=True)


def list_imports(engine: Engine) -> pd.DataFrame:
    """One row per import, newest first."""
    t = Import.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.import_id.desc())).mappings().all()
    return pd.DataFrame(rows, columns=list(t.c.keys()))


def rollback(engine: Engine, import_id: int, actor: Actor = LOCAL) -> dict[str, int]:
    """Undo one import: its new rows go, rows it changed get their earlier state back.

    Refused while a later import still builds on what it wrote. Audited.
    """
    authorise(actor, "rollback")
    with _serialised(engine) as conn:
        imp = (
            conn.execute(select(Import.__table__).where(Import.import_id == import_id))
            .mappings()
            .first()
        )
        if imp is None:
            _refuse(
                NotFound,
                "import.not_found",
                "`import_id` {import_id} does not exist; `imports` lists the imports.",
                import_id=import_id,
            )
        if imp["status"] != "applied":
            _refuse(
                InvalidArgument,
                "import.already_rolled_back",
                "Import #{import_id} was already rolled back on {when}.",
                import_id=import_id,
                when=f"{imp['rolled_back_at']:%Y-%m-%d %H:%M}",
            )
        later = conn.execute(
            select(RowChange.import_id)
            .where((RowChange.before_import_id == import_id) & (RowChange.import_id != import_id))
            .join(Import.__table__, Import.import_id == RowChange.import_id)
            .where(Import.status == "applied")
            .limit(1)
        ).scalar()
        if later is not None:
            _refuse(
                InvalidArgument,
                "import.rollback_blocked.changed",
                "Import #{later} changed rows that import #{import_id} wrote: "
                "roll back #{later} first.",
                later=later,
                import_id=import_id,
            )
        _refuse_if_overwritten(conn, import_id)
        _refuse_if_referenced(conn, import_id)
        changes = conn.execute(
            select(
                RowChange.table_name,
                RowChange.row_key,
                RowChange.before,
                RowChange.before_import_id,
            ).where(RowChange.import_id == import_id)
        ).all()
        restored = _restore(conn, changes)
        removed = {}
        for table in ("payments", "invoices", "rates", "customers"):
            model = _TABLES[table][0]
            t = model.__table__
            removed[table] = conn.execute(t.delete().where(t.c.import_id == import_id)).rowcount
        conn.execute(SnapshotRecord.__table__.delete().where(SnapshotRecord.import_id == import_id))
        conn.execute(
            update(Import.__table__)
            .where(Import.__table__.c.import_id == import_id)
            .values(status="rolled_back", rolled_back_at=datetime.now())
        )
        done = {"restored": restored, **{f"removed_{k}": v for k, v in removed.items()}}
        audit.record(
            conn,
            actor.who,
            "rollback",
            "import",
            import_id,
            before={"status": "applied", "files": imp["file_names"]},
            after={"status": "rolled_back", **done},
        )
    return done


def _refuse_if_overwritten(conn: Connection, import_id: int) -> None:
    """A row this import changed whose stored version a later, applied import wrote blocks.

    Undoing the change would restore the row as it was before this import and
    silently drop the later import's version of it.
    """
    changed = RowChange.__table__
    for table in ("customers", "invoices", "payments"):
        model, key, _columns = _TABLES[table]
        t = model.__table__
        mine = select(changed.c.row_key).where(
            (changed.c.import_id == import_id) & (changed.c.table_name == table)
        )
        later = conn.execute(
            select(t.c.import_id)
            .join(Import.__table__, Import.import_id == t.c.import_id)
            .where(t.c[key].in_(mine) & (t.c.import_id != import_id))
            .where(Import.status == "applied")
            .order_by(t.c.import_id.desc())
            .limit(1)
        ).scalar()
        if later is not None:
            _refuse(
                InvalidArgument,
                "import.rollback_blocked.changed",
                "Import #{later} changed rows that import #{import_id} wrote: "
                "roll back #{later} first.",
                later=later,
                import_id=import_id,
            )


def _refuse_if_referenced(conn: Connection, import_id: int) -> None:
    """A customer that this import created but a later import uses blocks the rollback."""
    inv, pay, cust = Invoice.__table__, Payment.__table__, Customer.__table__
    changed = select(RowChange.row_key).where(
        (RowChange.import_id == import_id) & (RowChange.table_name == "customers")
    )
    created = select(cust.c.customer_id).where(
        (cust.c.import_id == import_id) & cust.c.customer_id.not_in(changed)
    )
    for table in (inv, pay):
        other = conn.execute(
            select(table.c.import_id)
            .where(table.c.customer_id.in_(created) & (table.c.import_id != import_id))
            .limit(1)
        ).scalar()
        if other is not None:
            _refuse(
                InvalidArgument,
                "import.rollback_blocked.customers",
                "Import #{later} has rows for customers that import #{import_id} created: "
                "roll back #{later} first.",
                later=other,
                import_id=import_id,
            )
    inv_changed = select(RowChange.row_key).where(
        (RowChange.import_id == import_id) & (RowChange.table_name == "invoices")
    )
    created_invoices = select(inv.c.invoice_id).where(
        (inv.c.import_id == import_id) & inv.c.invoice_id.not_in(inv_changed)
    )
    other = conn.execute(
        select(pay.c.import_id)
        .where(pay.c.invoice_id.in_(created_invoices) & (pay.c.import_id != import_id))
        .limit(1)
    ).scalar()
    if other is not None:
        _refuse(
            InvalidArgument,
            "import.rollback_blocked.invoices",
            "Import #{later} has payments for invoices that import #{import_id} created: "
            "roll back #{later} first.",
            later=other,
            import_id=import_id,
        )


def _refuse(error: type[CreditDashError], code: str, template: str, **params: object) -> NoReturn:
    """Raise `error` with `template` (the English text of `code`) filled in with `params`."""
    said = message(code, template, **params)
    raise error(said.text, code=said.code, params=said.params)


def _restore(conn: Connection, changes) -> int:
    count = 0
    for table, key_value, before_json, writer in changes:
        model, key, columns = _TABLES[table]
        before = json.loads(before_json)
        if table == "rates":
            ccy, day = key_value.split("@")
            t = model.__table__
            conn.execute(
                update(t)
                .where((t.c.currency == ccy) & (t.c.rate_date == date.fromisoformat(day)))
                .values(rate=Decimal(str(before["rate"])), import_id=writer)
            )
            count += 1
            continue
        values = {"import_id": writer}
        for c in columns:
            v = before.get(c)
            if v is not None and c.endswith("_cents"):
                v = Decimal(int(v)).scaleb(-2)
            elif v is not None and c.endswith("_date"):
                v = date.fromisoformat(v)
            values[_DB_NAMES.get(c, c)] = v
        t = model.__table__
        done = conn.execute(update(t).where(t.c[key] == key_value).values(**values))
        if done.rowcount == 0:  # a row the import removed (an invoice replaced by its items)
            conn.execute(t.insert().values(**{key: key_value}, **values))
        count += 1
    return count
