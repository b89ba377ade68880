"""Engines: SQLite pragmas on every connection, migrations applied on open, both backends."""

from __future__ import annotations

from sqlalchemy import inspect, text

from creditdash.settings import DEFAULT_DB_URL, Settings
from creditdash.store import has_schema, make_engine, open_store
from creditdash.store.engine import SCHEMA_HEADS, applied_revisions, migration_heads


def test_sqlite_connections_get_wal_foreign_keys_and_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.sqlite'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()


def test_open_store_migrates_to_head_and_is_idempotent(engine):
    assert has_schema(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"imports", "customers", "invoices", "payments", "rates", "row_changes"} <= tables
    with engine.connect() as conn:
        applied = {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
    assert applied == set(migration_heads())
    url = engine.url.render_as_string(hide_password=False)
    open_store(url).dispose()  # a second open changes nothing


def test_foreign_keys_are_enforced(sqlite_engine):
    import pytest
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), sqlite_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO invoices (invoice_id, customer_id, invoice_date, due_date, amount, "
                "currency, disputed, source, import_id) VALUES ('I', 'nobody', '2024-01-01', "
                "'2024-01-31', 1, 'CNY', 0, 'x', 99)"
            )
        )


def test_settings_from_env_defaults_and_overrides():
    assert Settings.from_env({}).db_url == DEFAULT_DB_URL
    s = Settings.from_env(
        {
            "CREDITDASH_DB_URL": "postgresql+psycopg://u@h/db",
            "CREDITDASH_CURRENCY": "usd",
            "CREDITDASH_DEMO": "0",
            "CREDITDASH_MAX_UPLOAD_MB": "50",
        }
    )
    assert (s.db_url, s.reporting_currency, s.load_demo_on_empty, s.max_upload_mb) == (
        "postgresql+psycopg://u@h/db",
        "USD",
        False,
        50,
    )


def test_the_heads_a_current_store_is_checked_against_are_alembics_heads():
    # a new migration must be added to SCHEMA_HEADS, or stores at the old heads skip it
    assert set(migration_heads()) == SCHEMA_HEADS


def test_a_store_missing_a_branch_head_is_migrated_on_open(tmp_path):
    url = f"sqlite:///{tmp_path / 'behind.sqlite'}"
    open_store(url).dispose()
    engine = make_engine(url)
    with engine.begin() as conn:  # as a store written before 0012 records it
        conn.execute(
            text("UPDATE alembic_version SET version_num = '0009_invoice_parts' "
                 "WHERE version_num = '0012_audit_not_null'")
        )  # fmt: skip
    engine.dispose()
    open_store(url).dispose()
    engine = make_engine(url)
    assert set(applied_revisions(engine)) == SCHEMA_HEADS
    engine.dispose()


def test_a_current_store_opens_without_running_alembic(tmp_path, monkeypatch):
    import alembic.command

    url = f"sqlite:///{tmp_path / 'current.sqlite'}"
    open_store(url).dispose()

    def refuse(*_args, **_kwargs):
        raise AssertionError("Alembic ran on a store already at every head")

    monkeypatch.setattr(alembic.command, "upgrade", refuse)
    open_store(url).dispose()
