"""Writing an import's plan: one writer at a time, the rows, what a rollback needs.

Imports and rollbacks run one at a time: each holds the import lock (SQLite
`BEGIN IMMEDIATE`, PostgreSQL `pg_advisory_xact_lock`, see `serialised`)
from reading the stored rows it compares with to its commit, so a second
import waits, then compares with what the first committed. Every changed
or removed row's stored state goes to `row_changes` with the import that
wrote it, which is what `creditdash.importing.rollback` restores.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Table, bindparam, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from creditdash import audit
from creditdash.auth import Actor
from creditdash.errors import StoreError
from creditdash.i18n import Text
from creditdash.importing.diff import DB_NAMES, TABLES
from creditdash.importing.plan import ImportPlan, Progress
from creditdash.ingest import Source
from creditdash.store.models import Import, Invoice, Rate, RowChange, SnapshotRecord


def write_plan(
    conn: Connection,
    plan: ImportPlan,
    sources: list[Source],
    actor: Actor,
    started: datetime,
    report: Progress,
) -> int:
    """Write `plan` on `conn` (which holds the import lock) and audit it; the new import's id.

    A row another writer added outside the lock is a StoreError (`error.store.conflict`).
    """
    summary, gone, existing = plan.summary, plan.gone, plan.existing
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
        key = conn.execute(Import.__table__.insert().values(**imp)).inserted_primary_key
        assert key is not None  # a single-row insert always reports its key
        import_id = key[0]
        for i, table in enumerate(("customers", "invoices", "payments", "rates")):
            model, key, _columns = TABLES[table]
            new, changed, before = plan.tables[table]
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
        for snap in plan.snapshots:
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
    return int(import_id)


# ---------------------------------------------------------------- one writer at a time

# PostgreSQL advisory lock key held by an import's or rollback's transaction (fixed, used only here)
IMPORT_LOCK = int.from_bytes(hashlib.sha256(b"creditdash.imports").digest()[:8], "big", signed=True)
PATIENCE_S = 1.0  # a wait for the import lock longer than this is reported (import.step.waiting)
WAIT_S = 600  # how long an import waits for the one before it to finish


@contextmanager
def serialised(
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


# ---------------------------------------------------------------- rows


def _records(frame: pd.DataFrame, import_id: int | None = None) -> list[dict]:
    """Rows as database-ready dicts (dates as date, cents as Decimal money)."""
    cols = list(frame.columns)
    data: dict[str, list[object]] = {}
    for c in cols:
        s = frame[c]
        vals: list[object]
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
        data[DB_NAMES.get(c, c)] = vals
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
    """Insert a canonical frame: PostgreSQL's COPY, else the driver's executemany.

    Both write on `conn`, inside the import's transaction: all or nothing.
    """
    if frame.empty:
        return
    if conn.dialect.name == "postgresql":
        _copy_insert(conn, table, frame, import_id)
        return
    names = [DB_NAMES.get(c, c) for c in frame.columns]
    columns = [_column_values(conn, c, frame[c]) for c in frame.columns]
    columns.append([import_id] * len(frame))
    names.append("import_id")
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})"
    rows = list(zip(*columns, strict=True))
    for start in range(0, len(rows), chunk):
        conn.exec_driver_sql(sql, rows[start : start + chunk])


def _copy_insert(conn: Connection, table: Table, frame: pd.DataFrame, import_id: int) -> None:
    """Insert a canonical frame with PostgreSQL's COPY FROM STDIN (CSV built by pyarrow).

    Money goes as exact 2-decimal text: the cents' integers read as decimal(20, 2)
    (the same digits, the point two places in). Missing values are empty and
    unquoted (NULL); text is always quoted, so an empty text stays empty.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    columns, names = {}, []
    for column in frame.columns:
        columns[column] = _copy_column(column, frame[column])
        names.append(DB_NAMES.get(column, column))
    columns["import_id"] = pa.array(np.full(len(frame), import_id, dtype=np.int64))
    names.append("import_id")
    sink = pa.BufferOutputStream()
    options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
    pa_csv.write_csv(pa.table(columns), sink, options)
    sql = f"COPY {table.name} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)"
    driver = conn.connection.driver_connection  # psycopg's, in this transaction
    assert driver is not None  # only an invalidated connection has none
    with driver.cursor() as cursor:
        aside = _set_aside(cursor, table.name, len(frame))
        for statement in aside.drop:
            cursor.execute(statement)
        with cursor.copy(sql) as copy:
            data = memoryview(sink.getvalue())
            for start in range(0, len(data), 2**24):
                copy.write(data[start : start + 2**24])
        for statement in aside.restore:  # checks every row at once: a violation undoes it all
            cursor.execute(statement)


# A COPY of at least this many rows sets aside the table's foreign keys when it brings at least
# 1/20 of the rows already there, and its other indexes when it brings at least half as many.
_ASIDE_ROWS = 50_000
_KEYS_SHARE = 20
_INDEXES_SHARE = 2


@dataclass(frozen=True)
class _Aside:
    """What a big COPY sets aside and how it is put back (SQL statements, in order)."""

    drop: list[str]
    restore: list[str]


def _set_aside(cursor, table: str, rows: int) -> _Aside:
    """The foreign keys and plain indexes of `table` to drop while `rows` rows are copied in.

    PostgreSQL checks a foreign key per row with a trigger (a lookup each: 3.8 s of 6 s for
    500,000 invoices here) and updates every index per row; adding the key back checks every
    row in one join (0.1 s), and building an index sorts once (2M invoices: 10.4 s of COPY
    became 6.5 s with the indexes rebuilt). Both read the whole table, so a small import into
    a big table keeps them. The primary key and unique indexes stay: they guard the rows. It
    all happens in the import's transaction, so a violation still rolls everything back;
    meanwhile the table is locked (ALTER TABLE) until the import commits, and readers wait
    instead of reading the old rows.
    """
    if rows < _ASIDE_ROWS:
        return _Aside([], [])
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", (table,))
    found = cursor.fetchone()
    stored = max(float(found[0]), 0.0) if found else 0.0  # -1: never analysed
    drop: list[str] = []
    restore: list[str] = []
    if rows * _KEYS_SHARE >= stored:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = to_regclass(%s) AND contype = 'f' ORDER BY conname",
            (table,),
        )
        for name, definition in cursor.fetchall():
            drop.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    if rows * _INDEXES_SHARE >= stored:
        cursor.execute(
            "SELECT n.nspname, c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE i.indrelid = to_regclass(%s) AND NOT i.indisunique AND NOT i.indisprimary "
            "ORDER BY c.relname",
            (table,),
        )
        indexes = cursor.fetchall()
        drop += [f'DROP INDEX "{schema}"."{name}"' for schema, name, _ in indexes]
        restore = [str(definition) for _, _, definition in indexes] + restore
    return _Aside(drop, restore)


def _copy_column(name: str, values: pd.Series):
    """One column of a canonical frame as the pyarrow array COPY's CSV is written from."""
    import pyarrow as pa

    missing = values.isna().to_numpy()
    mask = missing if missing.any() else None
    if name.endswith("_cents"):
        cents = values.astype("Int64").to_numpy(dtype=np.int64, na_value=0)
        whole = pa.array(cents, mask=mask).cast(pa.decimal128(20, 0))
        return pa.Array.from_buffers(pa.decimal128(20, 2), len(whole), whole.buffers())
    if pd.api.types.is_datetime64_any_dtype(values):
        return pa.array(values.to_numpy().astype("datetime64[D]"), mask=mask).cast(pa.date32())
    if values.dtype == bool:
        return pa.array(values.to_numpy())
    if pd.api.types.is_integer_dtype(values) or name == "payment_terms_days":
        whole = values.astype("Int64").to_numpy(dtype=np.int64, na_value=0)
        return pa.array(whole, mask=mask)
    if pd.api.types.is_float_dtype(values):
        return pa.array(values.to_numpy(dtype=np.float64), mask=mask)
    text = pa.array(values.astype("str"), from_pandas=True)
    return (text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text).cast(pa.string())


def _insert(conn: Connection, table: Table, rows: list[dict], chunk: int = 50_000) -> None:
    for start in range(0, len(rows), chunk):
        conn.execute(table.insert(), rows[start : start + chunk])


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
    model = TABLES[table][0]
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
