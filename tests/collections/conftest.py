"""A small company whose dunning stages are worked out by hand, as frames and as a store.

At AS_OF = 2026-06-30, under the default (standard) strategy
(-3 courtesy, +1 reminder, +15 second_reminder, +30 warning, +60 final, +90 legal):

    C1 上海甲公司 (emails ar@jia.cn; boss@jia.cn)
        I11  due 2026-07-03  dpd -3   1,000.00   courtesy
        I12  due 2026-06-29  dpd  1   2,000.00   reminder
        I13  due 2026-06-10  dpd 20   3,000.00   second_reminder
        I14  due 2026-04-30  dpd 61   4,000.00   final
    C2 Beta Trading Ltd (finance@beta.com)
        I21  due 2026-05-31  dpd 30   5,000.00   warning
        I22  due 2026-05-01, paid in full on 2026-06-05
    C3 丙公司 (no email)
        I31  due 2026-06-20  dpd 10     600.00   reminder
        I32  due 2026-04-01  dpd 90     700.00   legal
    C4 Delta (no open item): I41 paid in full
"""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.importing import import_sources
from creditdash.ingest import Source
from creditdash.ledger import Ledger

AS_OF = "2026-06-30"

CUSTOMERS_CSV = """客户编号,客户名称,区域,客户分类,业务员,账期,联系邮箱
C1,上海甲公司,华东,Key account,张伟,30,ar@jia.cn; boss@jia.cn
C2,Beta Trading Ltd,华南,SME,李娜,30,finance@beta.com
C3,丙公司,华北,SME,张伟,30,
C4,Delta,华东,SME,李娜,30,
"""

LEDGER_CSV = """Invoice No,Customer ID,Invoice Date,Due Date,Amount,Settled Date
I11,C1,2026-06-03,2026-07-03,1000.00,
I12,C1,2026-05-30,2026-06-29,2000.00,
I13,C1,2026-05-11,2026-06-10,3000.00,
I14,C1,2026-03-31,2026-04-30,4000.00,
I21,C2,2026-05-01,2026-05-31,5000.00,
I22,C2,2026-04-01,2026-05-01,800.00,2026-06-05
I31,C3,2026-05-21,2026-06-20,600.00,
I32,C3,2026-03-02,2026-04-01,700.00,
I41,C4,2026-01-01,2026-01-31,900.00,2026-02-10
"""


def company_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    d = pd.Timestamp
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3", "C4"],
            "customer_name": ["上海甲公司", "Beta Trading Ltd", "丙公司", "Delta"],
            "region": ["华东", "华南", "华北", "华东"],
            "segment": ["Key account", "SME", "SME", "SME"],
            "salesperson": ["张伟", "李娜", "张伟", "李娜"],
            "email": ["ar@jia.cn; boss@jia.cn", "finance@beta.com", None, None],
        }
    )
    rows = [
        ("I11", "C1", "2026-06-03", "2026-07-03", 100_000),
        ("I12", "C1", "2026-05-30", "2026-06-29", 200_000),
        ("I13", "C1", "2026-05-11", "2026-06-10", 300_000),
        ("I14", "C1", "2026-03-31", "2026-04-30", 400_000),
        ("I21", "C2", "2026-05-01", "2026-05-31", 500_000),
        ("I22", "C2", "2026-04-01", "2026-05-01", 80_000),
        ("I31", "C3", "2026-05-21", "2026-06-20", 60_000),
        ("I32", "C3", "2026-03-02", "2026-04-01", 70_000),
        ("I41", "C4", "2026-01-01", "2026-01-31", 90_000),
    ]
    invoices = pd.DataFrame(rows, columns=["invoice_id", "customer_id", "invoice_date",
                                           "due_date", "amount_cents"])  # fmt: skip
    invoices["invoice_date"] = pd.to_datetime(invoices["invoice_date"])
    invoices["due_date"] = pd.to_datetime(invoices["due_date"])
    payments = pd.DataFrame(
        {
            "payment_id": ["P22", "P41"],
            "customer_id": ["C2", "C4"],
            "invoice_id": ["I22", "I41"],
            "payment_date": [d("2026-06-05"), d("2026-02-10")],
            "amount_cents": [80_000, 90_000],
        }
    )
    return customers, invoices, payments


@pytest.fixture
def company() -> Ledger:
    return Ledger.from_frames(*company_frames())


@pytest.fixture
def store(engine):
    """The company imported as a customer master and a ledger, on SQLite and PostgreSQL."""
    import_sources(
        engine,
        [
            Source("customers.csv", CUSTOMERS_CSV.encode()),
            Source("ledger.csv", LEDGER_CSV.encode()),
        ],
    )
    return engine


@pytest.fixture
def sqlite_store(sqlite_engine):
    import_sources(
        sqlite_engine,
        [
            Source("customers.csv", CUSTOMERS_CSV.encode()),
            Source("ledger.csv", LEDGER_CSV.encode()),
        ],
    )
    return sqlite_engine


def promise_rows(*rows: tuple) -> pd.DataFrame:
    """Promises as `records.promises` returns them: (id, customer, cents, date, made_on,
    invoices)."""
    frame = pd.DataFrame(
        [
            {"promise_id": pid, "customer_id": c, "amount_cents": cents,
             "promised_date": pd.Timestamp(due), "made_on": pd.Timestamp(made),
             "invoice_ids": tuple(ids), "note": "", "recorded_by": "t",
             "recorded_at": pd.Timestamp(made)}
            for pid, c, cents, due, made, ids in rows
        ],
        columns=["promise_id", "customer_id", "amount_cents", "promised_date", "made_on",
                 "invoice_ids", "note", "recorded_by", "recorded_at"],
    )  # fmt: skip
    return frame.astype({"promise_id": "int64", "amount_cents": "int64"})


def dispute_rows(*rows: tuple) -> pd.DataFrame:
    """Disputes as `records.disputes` returns them: (id, invoice, customer, opened_on,
    resolution or None, resolved_on or None)."""
    return pd.DataFrame(
        [
            {"dispute_id": did, "invoice_id": inv, "customer_id": c, "reason": "quality",
             "owner": "o", "note": "", "opened_on": pd.Timestamp(opened), "opened_by": "t",
             "resolution": res, "resolved_on": pd.Timestamp(resolved) if resolved else pd.NaT,
             "resolved_by": None, "resolution_note": None}
            for did, inv, c, opened, res, resolved in rows
        ]
    )  # fmt: skip


def inputs_with(policy=None, *, promises=None, disputes=None, sent=None, contacts=None,
                assignments=None, statuses=None):  # fmt: skip
    """CollectionsInputs under `policy` (default: the default policy) with these records."""
    from dataclasses import replace

    from creditdash.collections.worklist import CollectionsInputs
    from creditdash.risk.policy import default_policy

    base = CollectionsInputs.empty(policy or default_policy())
    changes = {
        k: v
        for k, v in {"promises": promises, "disputes": disputes, "sent": sent,
                     "contacts": contacts, "assignments": assignments,
                     "statuses": statuses}.items()
        if v is not None
    }  # fmt: skip
    return replace(base, **changes)


def sent_rows(*rows: tuple) -> pd.DataFrame:
    """The sent log: (invoice, stage, channel)."""
    return pd.DataFrame(
        [{"invoice_id": i, "stage_id": s, "channel": c, "send_id": n, "sent_at": pd.Timestamp(0)}
         for n, (i, s, c) in enumerate(rows, start=1)]
    )  # fmt: skip


@pytest.fixture(scope="session")
def demo_ledger() -> Ledger:
    from creditdash.demo import generate_demo

    demo = generate_demo()
    return Ledger.from_frames(demo.customers, demo.invoices, demo.payments)
