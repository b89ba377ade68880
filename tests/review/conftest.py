"""A small hand-built ledger whose figures are worked out by hand in the tests."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.ledger import Ledger

EVIL = '=HYPERLINK("http://x","y")'
CMD = "+cmd|' /C calc'!A0"


def small_ledger() -> Ledger:
    """Two salespeople (张伟: C1, C2; Li: C3), as of 2026-11-20 (a Friday).

    C1 owes 1,000 current and 500 overdue (dpd 20); C2 owes 2,000 at dpd 100
    (over 90) and is over its 1,500 limit; C3 has a disputed 300, not yet due.
    """
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "customer_name": [EVIL, CMD, "Plain Ltd"],
            "salesperson": ["张伟", "张伟", "Li"],
            "region": ["华东", "华东", "华南"],
            "credit_limit_cents": [1_000_000, 150_000, None],
        }
    )
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3", "I4"],
            "customer_id": ["C1", "C1", "C2", "C3"],
            "invoice_date": pd.to_datetime(
                ["2026-11-01", "2026-10-01", "2026-07-13", "2026-11-10"]
            ),
            "due_date": pd.to_datetime(["2026-12-01", "2026-10-31", "2026-08-12", "2026-12-10"]),
            "amount_cents": [100_000, 50_000, 200_000, 30_000],
            "currency": "CNY",
            "disputed": [False, False, False, True],
            "source": "test",
        }
    )
    payments = pd.DataFrame(
        {
            "payment_id": pd.Series([], dtype="str"),
            "customer_id": pd.Series([], dtype="str"),
            "invoice_id": pd.Series([], dtype="str"),
            "payment_date": pd.to_datetime(pd.Series([], dtype="str")),
            "amount_cents": pd.Series([], dtype="int64"),
            "source": pd.Series([], dtype="str"),
        }
    )
    return Ledger.from_frames(customers, invoices, payments)


@pytest.fixture
def ledger() -> Ledger:
    return small_ledger()
