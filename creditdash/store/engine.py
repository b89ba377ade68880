"""Engines and schema: SQLite (embedded default) or PostgreSQL, migrated by Alembic on open.

Every engine turns the database failures a user can act on (server not
answering, no such database, login refused, a read-only file, a full disk,
a file that is not a database) into a `StoreError` that says so, wherever
they happen; other database errors pass through unchanged. A SQLite file
this process may not write is opened read-only, without migrating: reading
needs no write, and the schema must then already be current.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote, unquote

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from creditdash.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest revision of every migration branch (`migration_heads()`, which a test holds this
# to). A store already at them opens without loading Alembic, a quarter of a second here.
SCHEMA_HEADS = frozenset(
    {
        "0003_forecast",
        "0004_terms",
        "0005_review",
        "0010_import_profiles",
        "0011_collections",
        "0012_audit_not_null",
    }
)
BACKENDS = ("sqlite", "postgresql")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_read_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def parse_url(url: str) -> URL:
    """`url` parsed, refused with a StoreError unless it names SQLite or PostgreSQL."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise StoreError.coded(
            "error.store.bad_url",
            "The database URL {url!r} cannot be read. Use sqlite:///path/to/file.sqlite or "
            "postgresql+psycopg://user@host:5432/database.",
            url=url,
        ) from None
    backend = parsed.get_backend_name()
    if backend not in BACKENDS:
        raise StoreError.coded(
            "error.store.unsupported_url",
            "The database URL {url!r} is for {backend}; creditdash keeps its data in SQLite "
            "(sqlite:///path/to/file.sqlite) or PostgreSQL "
            "(postgresql+psycopg://user@host:5432/database).",
            url=parsed.render_as_string(hide_password=True),
            backend=backend,
        )
    return parsed


def _sqlite_file(parsed: URL) -> Path | None:
    """The file of a SQLite URL; None for an in-memory database."""
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):  # a URI filename (?uri=true)
        return Path(unquote(database[5:].split("?", 1)[0]))
    return Path(database)


def _where(parsed: URL) -> str:
    path = _sqlite_file(parsed)
    if path is not None:
        return str(path)
    if parsed.get_backend_name() == "sqlite":
        return "sqlite (in memory)"
    host = parsed.host or "localhost"
    return f"{host}:{parsed.port or 5432}/{parsed.database or ''}"


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for `url` whose user-actionable failures raise StoreError.

    SQLite gets WAL, foreign keys and a busy timeout on every connection;
    with `read_only` it is opened with mode=ro (immutable when its folder
    is not writable either) and nothing is written, not even the journal mode.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_file(parsed)
        if read_only and path is not None:
            # a folder we cannot write cannot hold the WAL's side files: then nothing may change
            flag = {"mode": "ro"} if os.access(path.parent, os.W_OK) else {"immutable": "1"}
            target = URL.create(
                "sqlite",
                database=f"file:{quote(str(path.resolve()))}",
                query={**flag, "uri": "true"},
            )
            engine = _create(parsed, target)
            event.listen(engine, "connect", _sqlite_read_pragmas)
        else:
            if path is not None and not path.parent.is_dir():
                _make_folder(parsed, path.parent)
            engine = _create(parsed, parsed)
            event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = _create(parsed, parsed, pool_pre_ping=True)
    where = _where(parsed)
    event.listen(engine, "handle_error", lambda ctx: _explain(ctx, where))
    return engine


def _create(parsed: URL, url: URL | str, **kwargs: object) -> Engine:
    try:
        return create_engine(url, **kwargs)
    except (NoSuchModuleError, ImportError) as err:
        raise StoreError.coded(
            "error.store.no_driver",
            "The database URL {url!r} needs a driver that is not installed ({detail}). "
            "For PostgreSQL use postgresql+psycopg://user@host:5432/database.",
            url=parsed.render_as_string(hide_password=True),
            detail=str(err),
        ) from err


def _make_folder(parsed: URL, folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError.coded(
            "error.store.cannot_open",
            "The SQLite database {where} cannot be opened or created ({detail}). "
            "Check the path in CREDITDASH_DB_URL or --db and its folder's permissions.",
            where=_where(parsed),
            detail=err.strerror or str(err),
        ) from err


def _explain(ctx, where: str) -> None:
    """handle_error: raise a StoreError for a failure the user can act on, else leave it be."""
    if getattr(ctx, "is_pre_ping", False):  # the pool's liveness probe handles its own errors
        return
    original = ctx.original_exception
    raise_for(original, where)


def raise_for(error: BaseException, where: str) -> None:
    """Raise the StoreError that explains `error` (a driver error or OSError); else return."""
    said = _detail(error)
    low = said.lower()
    if "database or disk is full" in low or "no space left" in low or _errno(error) == 28:
        raise StoreError.coded(
            "error.store.disk_full",
            "The disk holding the database {where} is full; nothing was written. "
            "Free some space and try again.",
            where=where,
        ) from error
    if "readonly database" in low or "read-only" in low or "read only" in low:
        raise StoreError.coded(
            "error.store.read_only",
            "The database {where} is read-only here, so nothing can be written. "
            "Ask whoever manages it for write access, or point CREDITDASH_DB_URL at a copy.",
            where=where,
        ) from error
    if "database is locked" in low or "table is locked" in low or "lock timeout" in low:
        raise StoreError.coded(
            "error.store.busy",
            "The database {where} is busy with another change; nothing was written. "
            "Try again in a moment.",
            where=where,
        ) from error
    if "file is not a database" in low or "database disk image is malformed" in low:
        raise StoreError.coded(
            "error.store.not_a_database",
            "{where} is not a SQLite database creditdash can read ({detail}).",
            where=where,
            detail=said,
        ) from error
    if "unable to open database file" in low:
        raise StoreError.coded(
            "error.store.cannot_open",
            "The SQLite database {where} cannot be opened or created ({detail}). "
            "Check the path in CREDITDASH_DB_URL or --db and its folder's permissions.",
            where=where,
            detail=said,
        ) from error
    if 'database "' in low and "does not exist" in low:
        raise StoreError.coded(
            "error.store.no_database",
            "The database {where} does not exist on its server. Create it (createdb) "
            "or correct the name in CREDITDASH_DB_URL or --db.",
            where=where,
        ) from error
    if (
        "password authentication failed" in low
        or "pg_hba.conf" in low
        or ('role "' in low and "does not exist" in low)
    ):
        raise StoreError.coded(
            "error.store.login_refused",
            "The database server refused the login for {where} ({detail}). "
            "Check the user and password in CREDITDASH_DB_URL or --db.",
            where=where,
            detail=said,
        ) from error
    if any(
        sign in low
        for sign in (
            "connection refused",
            "could not connect",
            "connection failed",
            "timeout expired",
            "could not translate host name",
            "name or service not known",
            "no route to host",
            "server closed the connection",
            "terminating connection",
        )
    ):
        raise StoreError.coded(
            "error.store.unreachable",
            "The database server for {where} does not answer ({detail}). "
            "Check that PostgreSQL is running and the host and port in CREDITDASH_DB_URL or --db.",
            where=where,
            detail=said,
        ) from error


def _detail(error: BaseException) -> str:
    """The driver's own words, first line only (psycopg adds hints on further lines)."""
    text_ = str(getattr(error, "orig", None) or error).strip()
    return text_.splitlines()[0].strip() if text_ else type(error).__name__


def _errno(error: BaseException | None) -> int | None:
    while error is not None:
        if isinstance(error, OSError) and error.errno is not None:
            return error.errno
        error = error.__cause__ or error.__context__
    return None


@contextmanager
def store_errors(engine: Engine) -> Iterator[None]:
    """Explain a driver error or OSError that escaped an engine's own handler (see raise_for)."""
    try:
        yield
    except (DBAPIError, OSError) as err:
        raise_for(err, _where(engine.url))
        raise


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration of every branch.

    Each domain (ledger, risk, forecast, ...) keeps its tables on its own
    branch off the ledger's first revision, so all heads are applied. A store that
    records exactly the current heads has nothing to apply and is left as it is.
    """
    if set(applied_revisions(engine)) == SCHEMA_HEADS:
        return
    from alembic import command

    command.upgrade(_alembic_config(engine), "heads")


def open_store(url: str) -> Engine:
    """An engine whose schema is current: what the app and the command line use.

    Migrates on open, except a SQLite file this process may not write: that
    one is opened read-only, and refused when its schema is not current.
    """
    parsed = parse_url(url)
    path = _sqlite_file(parsed)
    if path is not None and path.is_file() and not os.access(path, os.W_OK):
        engine = make_engine(url, read_only=True)
        missing = sorted(SCHEMA_HEADS - set(applied_revisions(engine)))
        if missing:
            engine.dispose()
            _refuse_outdated(path, missing)
        return engine
    engine = make_engine(url)
    try:
        with store_errors(engine):
            migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _refuse_outdated(path: Path, missing: list[str]) -> NoReturn:
    raise StoreError.coded(
        "error.store.read_only_outdated",
        "The database {where} is read-only here and its schema is older than this version of "
        "creditdash (missing {revisions}). Open it once with write access to upgrade it.",
        where=str(path),
        revisions=", ".join(missing),
    )


def applied_revisions(engine: Engine) -> list[str]:
    """The migration revisions the database records (none for an empty database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return []
        return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def is_read_only(engine: Engine) -> bool:
    """True for an engine opened read-only (a SQLite file this process may not write)."""
    query = engine.url.query
    return engine.url.get_backend_name() == "sqlite" and (
        query.get("mode") == "ro" or query.get("immutable") == "1"
    )


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("invoices")


def migration_heads() -> list[str]:
    """The newest revision of every migration branch."""
    from alembic.script import ScriptDirectory

    return list(ScriptDirectory(str(MIGRATIONS)).get_heads())
