"""Shared fixtures: a fresh database on SQLite and, where configured, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from creditdash.store import open_store
from creditdash.store.engine import make_engine

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "data" / "ibm_ar_sample.csv"
PG_URL = os.environ.get("CREDITDASH_TEST_PG_URL")


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'test.sqlite'}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine():
    if not PG_URL:
        pytest.skip("CREDITDASH_TEST_PG_URL is not set: PostgreSQL tests need a server")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = open_store(_with_search_path(PG_URL, schema))
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    """The same test on SQLite and on PostgreSQL."""
    return request.getfixturevalue("sqlite_engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
def sample_path():
    if not SAMPLE.is_file():
        pytest.skip(f"sample ledger not found at {SAMPLE}")
    return SAMPLE
