"""Small ledgers with known payment behaviour for the forecast tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditdash.ledger import Ledger


def regular_ledger(
    as_of: str = "2024-06-30", days_late: int = 10, terms: int = 30, customers: int = 1
) -> Ledger:
    """Each customer invoices 1,000.00 every 7 days for a year and pays exactly `days_late` late."""
    end = pd.Timestamp(as_of)
    rows, pays = [], []
    for c in range(customers):
        for i, day in enumerate(pd.date_range(end - pd.Timedelta(days=365), end, freq="7D")):
            inv = f"C{c}-{i}"
            due = day + pd.Timedelta(days=terms)
            rows.append((inv, f"C{c}", day, due, 100_000, "Key account" if c == 0 else "SME"))
            paid = due + pd.Timedelta(days=days_late)
            if paid <= end:
                pays.append((f"P{inv}", f"C{c}", inv, paid, 100_000))
    invoices = pd.DataFrame(
        rows,
        columns=[
            "invoice_id",
            "customer_id",
            "invoice_date",
            "due_date",
            "amount_cents",
            "segment",
        ],
    )
    customers_frame = invoices[["customer_id", "segment"]].drop_duplicates()
    payments = pd.DataFrame(
        pays, columns=["payment_id", "customer_id", "invoice_id", "payment_date", "amount_cents"]
    )
    return Ledger.from_frames(customers_frame, invoices.drop(columns="segment"), payments)


def first_run_on_or_after(day: pd.Timestamp, run: int = 25) -> pd.Timestamp:
    """The first `run`-th of a month on or after `day`."""
    this = day.replace(day=run)
    return this if this >= day else (day + pd.offsets.MonthBegin(1)).replace(day=run)


def run_ledger(as_of: str = "2024-06-30", run: int = 25, terms: int = 30) -> Ledger:
    """One customer invoices 1,000.00 every 3 days for a year and pays each invoice on the
    first `run`-th of a month on or after its due date (a payment run)."""
    end = pd.Timestamp(as_of)
    rows, pays = [], []
    for i, day in enumerate(pd.date_range(end - pd.Timedelta(days=365), end, freq="3D")):
        due = day + pd.Timedelta(days=terms)
        rows.append((f"R{i}", "C0", day, due, 100_000))
        paid = first_run_on_or_after(due, run)
        if paid <= end:
            pays.append((f"P{i}", "C0", f"R{i}", paid, 100_000))
    invoices = pd.DataFrame(
        rows, columns=["invoice_id", "customer_id", "invoice_date", "due_date", "amount_cents"]
    )
    payments = pd.DataFrame(
        pays, columns=["payment_id", "customer_id", "invoice_id", "payment_date", "amount_cents"]
    )
    return Ledger.from_frames(None, invoices, payments)


def random_ledger(seed: int = 3, customers: int = 12, invoices: int = 900) -> Ledger:
    """Two years of invoices with customer-specific delays (seeded)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2022-01-01")
    cust = rng.integers(0, customers, invoices)
    day = np.sort(rng.integers(0, 730, invoices))
    mean_delay = rng.uniform(-5, 40, customers)
    delay = np.rint(rng.normal(mean_delay[cust], 6)).astype(int)
    inv_date = start + pd.to_timedelta(day, unit="D")
    due = inv_date + pd.Timedelta(days=30)
    amount = (rng.lognormal(8, 0.8, invoices) * 100).astype(np.int64)
    ids = [f"I{i}" for i in range(invoices)]
    inv = pd.DataFrame(
        {
            "invoice_id": ids,
            "customer_id": [f"C{c}" for c in cust],
            "invoice_date": inv_date,
            "due_date": due,
            "amount_cents": amount,
            "disputed": rng.random(invoices) < 0.05,
        }
    )
    pay_date = due + pd.to_timedelta(np.maximum(delay, -29), unit="D")
    pay = pd.DataFrame(
        {
            "payment_id": [f"P{i}" for i in range(invoices)],
            "customer_id": inv["customer_id"],
            "invoice_id": ids,
            "payment_date": pay_date,
            "amount_cents": amount,
        }
    )
    segs = pd.DataFrame(
        {
            "customer_id": [f"C{c}" for c in range(customers)],
            "segment": ["SME" if c % 2 else "OEM" for c in range(customers)],
        }
    )
    return Ledger.from_frames(segs, inv, pay)


@pytest.fixture
def ledger() -> Ledger:
    return random_ledger()
