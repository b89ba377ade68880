"""Large synthetic ledgers for benchmarks (vectorised, seeded)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.ledger import Ledger


def synthetic_frames(
    n_invoices: int = 1_000_000, n_customers: int = 10_000, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Customers, invoices and one payment per invoice (most paid, some open, some unapplied)."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2021-01-01")
    inv_day = np.sort(rng.integers(0, 3 * 365, n_invoices))
    terms = rng.choice([30, 45, 60, 90], n_invoices)
    cust = rng.integers(0, n_customers, n_invoices)
    amount = np.round(rng.lognormal(9, 1.2, n_invoices) * 100).astype("int64")
    invoice_ids = np.char.add("INV", np.arange(n_invoices).astype(str))
    customer_ids = np.char.add("C", np.arange(n_customers).astype(str))
    invoices = pd.DataFrame(
        {
            "invoice_id": invoice_ids,
            "customer_id": customer_ids[cust],
            "invoice_date": (start + inv_day).astype("datetime64[us]"),
            "due_date": (start + inv_day + terms).astype("datetime64[us]"),
            "amount_cents": amount,
            "currency": "CNY",
            "disputed": rng.random(n_invoices) < 0.03,
            "source": "invoice",
        }
    )
    delay = np.clip(rng.normal(8, 20, n_invoices), -20, 400).astype(int)
    pay_day = inv_day + terms + delay
    partial = rng.random(n_invoices) < 0.1
    paid = np.where(partial, amount // 2, amount)
    applied = rng.random(n_invoices) > 0.01
    payments = pd.DataFrame(
        {
            "payment_id": np.char.add("P", np.arange(n_invoices).astype(str)),
            "customer_id": invoices["customer_id"],
            "invoice_id": pd.Series(invoice_ids).where(applied),
            "payment_date": (start + pay_day).astype("datetime64[us]"),
            "amount_cents": paid,
            "source": "payment",
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": customer_ids,
            "customer_name": np.char.add("Customer ", np.arange(n_customers).astype(str)),
            "segment": rng.choice(["Key account", "SME", "Distributor"], n_customers),
            "region": rng.choice(["华东", "华南", "华北", "西南"], n_customers),
            "salesperson": rng.choice([f"S{i}" for i in range(12)], n_customers),
        }
    )
    return customers, invoices, payments


def synthetic_ledger(
    n_invoices: int = 1_000_000, n_customers: int = 10_000, seed: int = 1
) -> Ledger:
    customers, invoices, payments = synthetic_frames(n_invoices, n_customers, seed)
    return Ledger.from_frames(customers, invoices, payments)
