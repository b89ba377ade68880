"""Engines and schema: SQLite (embedded default) or PostgreSQL, migrated by Alembic on open."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration of every branch.

    Each domain (ledger, risk, forecast, ...) keeps its tables on its own
    branch off the ledger's first revision, so all heads are applied.
    """
    from alembic import command

    command.upgrade(_alembic_config(engine), "heads")


def open_store(url: str) -> Engine:
    """An engine whose schema is migrated: what the app and the command line use."""
    engine = make_engine(url)
    migrate(engine)
    return engine


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("invoices")


def migration_heads() -> list[str]:
    """The newest revision of every migration branch."""
    from alembic.script import ScriptDirectory

    return list(ScriptDirectory(str(MIGRATIONS)).get_heads())
