"""The migrations build exactly the tables the models declare, on SQLite and PostgreSQL.

Alembic's autogenerate comparison of a freshly migrated database with the
metadata of every model module finds nothing to add, drop or alter; and the
migration environment imports every model module, so a future autogenerate
sees every table.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from creditdash import audit
from creditdash.store.engine import _alembic_config
from creditdash.store.models import Base

STORE = Path(__file__).resolve().parents[2] / "creditdash" / "store"
MODEL_MODULES = sorted(p.stem for p in STORE.glob("*models.py"))


def _metadata():
    for name in MODEL_MODULES:
        importlib.import_module(f"creditdash.store.{name}")
    return Base.metadata


def test_the_environment_imports_every_model_module():
    tree = ast.parse((STORE / "migrations" / "env.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "creditdash.store":
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module.startswith("creditdash.store."):
            imported.add(node.module.rsplit(".", 1)[1])
    assert set(MODEL_MODULES) <= imported


def _drift(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, _metadata())


def test_no_drift_on_sqlite(sqlite_engine):
    assert _drift(sqlite_engine) == []


@pytest.mark.pg
def test_no_drift_on_postgresql(pg_engine):
    assert _drift(pg_engine) == []


def _revision(name: str):
    path = STORE / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_audit_chain_migration_hashes_as_the_library_does():
    chain = _revision("0008_audit_chain")
    entry = {"seq": 3, "at": datetime(2026, 3, 5, 9, 30, 0, 12), "who": "王芳", "action": "import",
             "entity": "import", "entity_id": "7", "before": None, "after": '{"n": 1}',
             "detail": "ok"}  # fmt: skip
    assert chain.GENESIS == audit.GENESIS
    assert chain.chain_hash(audit.GENESIS, entry) == audit.chain_hash(audit.GENESIS, entry)


def _nullable(engine, column: str) -> bool:
    return {c["name"]: c["nullable"] for c in inspect(engine).get_columns("audit_log")}[column]


def test_sqlite_audit_entries_keep_their_chain_and_guards_through_the_rebuild(sqlite_engine):
    for who in ("ana", "bo", "mei"):
        with sqlite_engine.begin() as conn:
            audit.record(conn, who, "profile_saved", "import_profile", who, after={"n": 1})
    before = audit.audit_log(sqlite_engine)
    config = _alembic_config(sqlite_engine)
    command.downgrade(config, "0009_invoice_parts")
    assert _nullable(sqlite_engine, "seq") and _nullable(sqlite_engine, "entry_hash")
    command.upgrade(config, "heads")
    assert not _nullable(sqlite_engine, "seq") and not _nullable(sqlite_engine, "entry_hash")
    pd.testing.assert_frame_equal(audit.audit_log(sqlite_engine), before)
    check = audit.verify_chain(sqlite_engine)
    assert check.intact and check.entries == 3
    for change in ("UPDATE audit_log SET who = 'eve'", "DELETE FROM audit_log"):
        with pytest.raises(IntegrityError, match="append-only"), sqlite_engine.begin() as conn:
            conn.execute(text(change))
