"""Fixtures: a tiny hand-worked ledger and the demo company (truth known)."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.demo import generate_demo
from creditdash.ledger import Ledger

AS_OF = "2025-06-30"


def tiny_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "customer_name": ["Alpha 有限公司", "Beta Ltd"],
            "credit_code": ["91310115MA1FL0XX1A", None],
            "credit_limit_cents": pd.array([100_000, None], dtype="Int64"),
            "payment_terms_days": pd.array([30, 30], dtype="Int64"),
        }
    )
    d = pd.Timestamp
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3", "I4"],
            "customer_id": ["C1", "C1", "C1", "C2"],
            "invoice_date": [d("2025-01-01"), d("2025-03-01"), d("2025-05-01"), d("2025-06-01")],
            "due_date": [d("2025-01-31"), d("2025-03-31"), d("2025-05-31"), d("2025-07-01")],
            "amount_cents": [100_000, 200_000, 50_000, 30_000],
        }
    )
    payments = pd.DataFrame(
        {
            "payment_id": ["P1", "P2"],
            "customer_id": ["C1", "C1"],
            "invoice_id": ["I1", "I2"],
            "payment_date": [d("2025-02-10"), d("2025-04-30")],
            "amount_cents": [100_000, 200_000],
        }
    )
    return customers, invoices, payments


@pytest.fixture
def tiny() -> Ledger:
    return Ledger.from_frames(*tiny_frames())


@pytest.fixture(scope="session")
def demo():
    return generate_demo()


@pytest.fixture(scope="session")
def demo_ledger(demo) -> Ledger:
    return Ledger.from_frames(demo.customers, demo.invoices, demo.payments)


def truncated(demo, as_of: str) -> Ledger:
    """The demo ledger as it was at as_of: nothing dated after it exists."""
    cut = pd.Timestamp(as_of)
    inv = demo.invoices[demo.invoices["invoice_date"] <= cut]
    pay = demo.payments[demo.payments["payment_date"] <= cut]
    return Ledger.from_frames(demo.customers, inv, pay)
