"""Shared fixtures: a fresh database on SQLite and, where configured, PostgreSQL; small ledgers
and files that several test modules work by hand."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from creditdash.ledger import Ledger
from creditdash.store import open_store
from creditdash.store.engine import make_engine

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "data" / "ibm_ar_sample.csv"
PG_URL = os.environ.get("CREDITDASH_TEST_PG_URL")


@pytest.fixture(autouse=True)
def _ledger_cache_in_tmp(tmp_path, monkeypatch):
    """The app and the command line keep their saved ledgers in the test's folder, not data/."""
    monkeypatch.setenv("CREDITDASH_LEDGER_CACHE", str(tmp_path / "ledger-cache"))


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


@pytest.fixture
def two_customer_ledger() -> Ledger:
    """C1 (segment A, region X) and C2 (segment B, region Y): sales 6,000 in 2025, and AR
    2,500 at 2025-12-31, all of it overdue.

    I1 C1 1,000 dated 2025-03-01 due 03-31, paid 04-10 (10 days late)
    I2 C1 2,000 dated 2025-11-01 due 12-01, open
    I3 C2 3,000 dated 2025-06-01 due 07-31, paid 07-21 (10 days early)
    I4 C2   500 dated 2024-05-01 due 2024-08-01, never paid
    """
    customers = pd.DataFrame(
        {"customer_id": ["C1", "C2"], "segment": ["A", "B"], "region": ["X", "Y"]}
    )
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3", "I4"],
            "customer_id": ["C1", "C1", "C2", "C2"],
            "invoice_date": pd.to_datetime(
                ["2025-03-01", "2025-11-01", "2025-06-01", "2024-05-01"]
            ),
            "due_date": pd.to_datetime(["2025-03-31", "2025-12-01", "2025-07-31", "2024-08-01"]),
            "amount_cents": [100_000, 200_000, 300_000, 50_000],
        }
    )
    payments = pd.DataFrame(
        {
            "payment_id": ["P1", "P3"],
            "customer_id": ["C1", "C2"],
            "invoice_id": ["I1", "I3"],
            "payment_date": pd.to_datetime(["2025-04-10", "2025-07-21"]),
            "amount_cents": [100_000, 300_000],
        }
    )
    return Ledger.from_frames(customers, invoices, payments)


@pytest.fixture
def retention_csv() -> str:
    """One invoice of 1,000,000.00 keeping 100,000.00 retention (质保金) due 2025-01-10, as a
    Chinese ERP exports it: the rest is due 2024-02-09."""
    return (
        "发票号,客户编号,客户名称,开票日期,到期日,金额,质保金,质保期到期日\n"
        'FP-1,C1,甲公司,2024-01-10,2024-02-09,"1,000,000.00","100,000.00",2025-01-10\n'
    )
