"""Fixtures: the small ledger the provision tests work by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.ledger import Ledger


@pytest.fixture
def ledger() -> Ledger:
    """Seven invoices, one customer each, over month-ends 2025-01-31, 02-28, 03-31.

    A 100 due 01-31; 40 paid 03-10          Jan current -> Feb 1-30 -> Mar 31-60 (60 left)
    B 200 due 01-20; paid 02-15             Jan 1-30, paid in Feb
    C 300 due 01-15 (dated 2024-12-15)      Jan 1-30 -> Feb 31-60 -> Mar >60, never paid
    D 400 due 02-20; 100 paid 02-10, 300 03-05   Jan current -> Feb 1-30 (300) -> paid
    F 500 due 03-15                          current in Jan and Feb -> Mar 1-30
    G 1,000 due 03-31; 250 paid 02-05       current throughout
    Segments: A, B, C in S1; D, F, G in S2.
    """
    ids = ["A", "B", "C", "D", "F", "G"]
    invoices = pd.DataFrame(
        {
            "invoice_id": ids,
            "customer_id": [f"C{i}" for i in ids],
            "invoice_date": pd.to_datetime(
                ["2025-01-01", "2024-12-21", "2024-12-15", "2025-01-21", "2025-01-15", "2025-01-20"]
            ),
            "due_date": pd.to_datetime(
                ["2025-01-31", "2025-01-20", "2025-01-15", "2025-02-20", "2025-03-15", "2025-03-31"]
            ),
            "amount_cents": [10_000, 20_000, 30_000, 40_000, 50_000, 100_000],
        }
    )
    payments = pd.DataFrame(
        {
            "payment_id": ["pA", "pB", "pD1", "pD2", "pG"],
            "customer_id": ["CA", "CB", "CD", "CD", "CG"],
            "invoice_id": ["A", "B", "D", "D", "G"],
            "payment_date": pd.to_datetime(
                ["2025-03-10", "2025-02-15", "2025-02-10", "2025-03-05", "2025-02-05"]
            ),
            "amount_cents": [4_000, 20_000, 10_000, 30_000, 25_000],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in ids],
            "segment": ["S1", "S1", "S1", "S2", "S2", "S2"],
        }
    )
    return Ledger.from_frames(customers, invoices, payments)
