"""The ledger's tables read as Arrow columns through ADBC: no Python object per row.

SQLAlchemy keeps the schema, the migrations and every write; reading a big
ledger back goes around it. The ADBC drivers (`adbc-driver-sqlite`,
`adbc-driver-postgresql`) hand each result over as Arrow record batches
built in C (PostgreSQL's binary COPY), so a million invoices arrive in
about a second, where SQLAlchemy rows cost a Python tuple and a `hasattr`
probe per row (see the README, Settings).

Queries given together are read in one read transaction (`read`): SQLite's
WAL snapshot, PostgreSQL's REPEATABLE READ, so the data version and the
tables read with it belong together, which the ledger cache relies on. The
reader has its own connection: it sees what is committed, which under the
import lock (a caller that reads before it writes) is what that caller sees
too. The SQLite driver runs in a child process (`sqlite_reader` says why);
PostgreSQL's in this one.

`table_sql` reads money as whole cents with the row path's own expression
(`CAST(ROUND(amount * 100) AS BIGINT)`), so SQLite's REAL and PostgreSQL's
NUMERIC give the same cents both ways, and casts every other column to the
one type it is read as. SQLite has no column types of its own: its driver
infers each column's type from the values of a batch, and a column that is
NULL through a first batch and text in a later one would fail, so on SQLite
a result comes in one batch.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from creditdash.ledger import DAY_US
from creditdash.store.engine import _sqlite_file, _where, raise_for
from creditdash.store.sqlite_reader import shared_out

_CENTS = "CAST(ROUND({column} * 100) AS BIGINT)"
_ONE_BATCH = 2**30  # rows per batch of the SQLite driver: one batch (see the module doc)

# table -> (key, [(name, kind, expression)]); kind: text, text?, cents, cents?, int?, day, bool, rate
_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "customers": [
        ("customer_id", "text", "customer_id"),
        ("customer_name", "text?", "customer_name"),
        ("credit_code", "text?", "credit_code"),
        ("industry", "text?", "industry"),
        ("region", "text?", "region"),
        ("segment", "text?", "segment"),
        ("salesperson", "text?", "salesperson"),
        ("credit_limit_cents", "cents?", "credit_limit"),
        ("payment_terms_days", "int?", "payment_terms_days"),
        ("currency", "text?", "currency"),
        ("email", "text?", "email"),
    ],
    "invoices": [
        ("invoice_id", "text", "invoice_id"),
        ("customer_id", "text", "customer_id"),
        ("invoice_date", "day", "invoice_date"),
        ("due_date", "day", "due_date"),
        ("amount_cents", "cents", "amount"),
        ("currency", "text?", "currency"),
        ("disputed", "bool", "disputed"),
        ("source", "text?", "source"),
        ("document_id", "text?", "document_id"),
        ("part", "text?", "part"),
    ],
    "payments": [
        ("payment_id", "text", "payment_id"),
        ("customer_id", "text", "customer_id"),
        ("invoice_id", "text?", "invoice_id"),
        ("payment_date", "day", "payment_date"),
        ("amount_cents", "cents", "amount"),
        ("source", "text?", "source"),
    ],
    "rates": [
        ("currency", "text", "currency"),
        ("rate_date", "day", "rate_date"),
        ("rate", "rate", "rate"),
    ],
}
_ORDER = {"customers": " ORDER BY customer_id"}
ADBC_BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Target:
    """How an ADBC driver reaches an engine's database."""

    backend: str  # "sqlite" or "postgresql"
    uri: str  # a SQLite URI filename (read-only) or a libpq connection URI
    where: str  # for error messages


def target(url: URL) -> Target | None:
    """The ADBC target of a SQLAlchemy URL; None when ADBC cannot reach it.

    An in-memory SQLite database lives inside its own connection: no other
    connection, hence no ADBC reader, can see it.
    """
    backend = url.get_backend_name()
    if backend == "sqlite":
        path = _sqlite_file(url)
        if path is None:
            return None
        flag = "immutable=1" if url.query.get("immutable") == "1" else "mode=ro"
        uri = f"file:{_quoted_path(str(path.resolve()))}?{flag}"
        return Target("sqlite", uri, str(path))
    if backend == "postgresql":
        libpq = url.set(drivername="postgresql")
        return Target("postgresql", libpq.render_as_string(hide_password=False), _where(url))
    return None


def _quoted_path(path: str) -> str:
    """A path for a SQLite URI filename: `?`, `#` and `%` escaped, the rest as it is."""
    return path.replace("%", "%25").replace("?", "%3f").replace("#", "%23")


def available() -> bool:
    """True when the ADBC drivers are installed (they are in requirements.txt)."""
    try:
        import adbc_driver_postgresql.dbapi  # noqa: F401
        import adbc_driver_sqlite.dbapi  # noqa: F401
    except ImportError:
        return False
    return True


def can_read(engine: Engine) -> bool:
    """True when `engine`'s tables can be read through ADBC."""
    return target(engine.url) is not None and available()


def read(engine: Engine, queries: list[str]) -> list:
    """The results of `queries`, each as a pyarrow Table, all of one committed state.

    The first query is the fence: its answer changes with every commit that
    changes what the others read (the ledger's data version), so that SQLite's
    reader may run the others on several connections at once (`sqlite_reader`).
    Raises ValueError when `can_read(engine)` is False.
    """
    found = target(engine.url)
    if found is None or not available():
        raise ValueError(f"ADBC cannot read {engine.url.render_as_string()}")
    try:
        if found.backend == "sqlite":
            return _read_in_child(found, queries)
        return _read_here(found, queries)
    except Exception as err:  # the driver's own errors too (adbc_driver_manager.Error)
        raise_for(err, found.where)
        raise


def _read_here(found: Target, queries: list[str]) -> list:
    """PostgreSQL through its ADBC driver in this process (libpq: no shared file locks).

    The first connection's REPEATABLE READ snapshot is exported to the others
    (`pg_export_snapshot`), so every connection reads the same committed state and the
    big tables are read at once, one per connection.
    """
    import adbc_driver_postgresql.dbapi as driver

    connections: list = []
    try:
        for _ in range(_lanes(len(queries))):
            connections.append(driver.connect(found.uri))
            _run(connections[-1], "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        if len(connections) > 1:
            snapshot = _run(connections[0], "SELECT pg_export_snapshot()").column(0)[0].as_py()
            for other in connections[1:]:
                _run(other, f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        answers: list = [None] * len(queries)

        def answer(connection, i: int) -> None:
            answers[i] = _run(connection, queries[i])

        shared_out(connections, range(len(queries)), answer)
        return answers
    finally:
        for connection in connections:
            try:
                connection.rollback()
            finally:
                connection.close()


def _run(connection, sql: str):
    """`sql`'s answer on `connection` as a pyarrow Table (empty for a statement)."""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        if cursor.description is None:
            return None
        return cursor.fetch_arrow_table()


_READER = Path(__file__).with_name("sqlite_reader.py")
_SHM = Path("/dev/shm")  # memory, where Linux has it: the tables never touch a disk
_SHM_ROOM = 4 * 2**30  # bytes free there before it is used (containers often give 64 MB)


def _scratch() -> str | None:
    """Where the SQLite reader leaves its tables: /dev/shm with room to spare, else the
    system's temporary folder (None: tempfile's own choice)."""
    try:
        if _SHM.is_dir() and shutil.disk_usage(_SHM).free >= _SHM_ROOM:
            return str(_SHM)
    except OSError:
        pass
    return None


def _lanes(n_queries: int) -> int:
    """Connections the SQLite reader reads with at once: one per core, two at most (the
    invoices and the payments are most of the work), one when the fence is all there is."""
    return max(1, min(2, os.cpu_count() or 1, n_queries - 1))


_PREFIX = "creditdash-read-"
_STALE_SECONDS = 3600  # a reader's folder this old was left by a process that was killed


def _swept(scratch: str | None) -> str | None:
    """`scratch`, rid of the folders that killed processes left there (in /dev/shm they hold
    memory until the machine restarts); a folder still in use is minutes old at most."""
    folder = Path(scratch if scratch is not None else tempfile.gettempdir())
    now = time.time()
    with contextlib.suppress(OSError):
        for left in folder.glob(f"{_PREFIX}*"):
            with contextlib.suppress(OSError):
                if now - left.stat().st_mtime > _STALE_SECONDS:
                    shutil.rmtree(left, ignore_errors=True)
    return scratch


def _read_in_child(found: Target, queries: list[str]) -> list:
    """SQLite through its ADBC driver in a child process (`sqlite_reader` says why)."""
    import pyarrow as pa

    folder = Path(tempfile.mkdtemp(prefix=_PREFIX, dir=_swept(_scratch())))
    try:
        request = {"uri": found.uri, "queries": queries, "batch_rows": _ONE_BATCH,
                   "folder": str(folder), "lanes": _lanes(len(queries))}  # fmt: skip
        child = subprocess.run(
            [sys.executable, "-I", str(_READER)],
            input=json.dumps(request).encode(), capture_output=True, check=False,
        )  # fmt: skip
        if child.returncode != 0:
            said = child.stderr.decode(errors="replace").strip()
            raise RuntimeError(said or f"the SQLite reader stopped (status {child.returncode})")
        # Mapped, not copied: the tables' buffers keep the mapping alive after the files go.
        return [pa.ipc.open_file(pa.memory_map(str(folder / f"{i}.arrow"))).read_all()
                for i in range(len(queries))]  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def table_sql(name: str, backend: str) -> str:
    """The SELECT that reads table `name` as columns of one type each (see the module doc)."""
    parts = [_select(column, kind, source, backend) for column, kind, source in _COLUMNS[name]]
    return f"SELECT {', '.join(parts)} FROM {name}{_ORDER.get(name, '')}"


def _select(column: str, kind: str, source: str, backend: str) -> str:
    sqlite = backend == "sqlite"
    if kind in ("cents", "cents?"):
        return f"{_CENTS.format(column=source)} AS {column}"
    if kind == "bool":
        return f"CAST({source} AS INTEGER) AS {column}" if sqlite else f"{source} AS {column}"
    if kind == "int?":
        return f"CAST({source} AS BIGINT) AS {column}"
    if kind == "rate":
        return f"CAST({source} AS {'REAL' if sqlite else 'DOUBLE PRECISION'}) AS {column}"
    if sqlite:  # text, and dates, which SQLite keeps as 'YYYY-MM-DD' text
        return f"CAST({source} AS TEXT) AS {column}"
    return f"{source} AS {column}"


def frame_of(table, name: str) -> pd.DataFrame:
    """An Arrow result of `table_sql(name, ...)` as the canonical frame of `creditdash.frames`."""
    out = {column: _series(table.column(column), kind) for column, kind, _ in _COLUMNS[name]}
    return pd.DataFrame(out)


def _series(values, kind: str) -> pd.Series:
    import pyarrow as pa

    if kind == "day":  # 'YYYY-MM-DD' (SQLite) or a date -> datetime64[us], NULL -> NaT
        days = _typed(values, pa.date32()).cast(pa.int32())
        us = days.fill_null(0).to_numpy().astype(np.int64) * DAY_US
        if values.null_count:
            us[values.is_null().to_numpy(zero_copy_only=False)] = np.iinfo(np.int64).min
        return pd.Series(us.view("datetime64[us]"))
    if kind in ("cents", "rate"):
        dtype = np.int64 if kind == "cents" else np.float64
        return pd.Series(values.to_numpy(zero_copy_only=False).astype(dtype, copy=False))
    if kind in ("cents?", "int?"):
        return pd.Series(values.to_pandas(), dtype="Int64")
    if kind == "bool":
        return pd.Series(values.to_pandas()).fillna(False).astype(bool)
    # Copied into buffers of its own: a column that shared the driver's buffers would keep its
    # whole batch alive, every other column of it included, as long as the frame lives.
    text = _typed(values, pa.large_string()).combine_chunks()
    return pd.Series(pa.chunked_array([text]).to_pandas(), dtype="str")


def _typed(values, arrow_type):
    """`values` as `arrow_type`; SQLite's driver types a column of NULLs only as integers."""
    import pyarrow as pa

    if values.type == arrow_type:
        return values
    if values.null_count == len(values):
        return pa.chunked_array([pa.nulls(len(values), arrow_type)])
    return values.cast(arrow_type)
