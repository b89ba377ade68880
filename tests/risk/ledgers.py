"""Generated ledgers for the PD model's tests: an ordinary book with no credit limits and
no third-party reports, where the chance of default rises with what a customer leaves
overdue."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.ledger import Ledger


def plain_book(
    seed: int = 7, customers: int = 80, start: str = "2023-01-01", end: str = "2024-12-31"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(customers, invoices, payments) of a book with no credit limits.

    Every customer has a hidden risk r in [0, 1]: it pays r x 40 days late on average,
    holds back a share r / 2 of each invoice until 75 days past due (so its overdue share rises
    with r) and, with chance r^2, stops paying altogether on a day in the book's second
    half. Invoices every two weeks or so, 30 days' terms.
    """
    rng = np.random.default_rng(seed)
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    span = (last - first).days
    ids = [f"K{i:03d}" for i in range(customers)]
    invoices, payments = [], []
    for code in ids:
        risk = rng.uniform()
        lateness = risk * 40.0
        held = risk / 2
        stops = span // 2 + rng.integers(0, span // 2) if rng.uniform() < risk**2 else span + 1
        day = int(rng.integers(0, 60))
        while day <= span:
            number = len(invoices)
            amount = int(rng.lognormal(11, 0.5)) * 100
            when = first + pd.Timedelta(days=day)
            due = when + pd.Timedelta(days=30)
            invoices.append((f"I{number:06d}", code, when, due, amount))
            paid_on = 30 + day + max(-10, int(rng.normal(lateness, 8)))
            parts = [(paid_on, amount - int(amount * held)), (30 + day + 75, int(amount * held))]
            for k, (pay_day, cents) in enumerate(parts):
                if cents > 0 and pay_day < stops and pay_day <= span:
                    payments.append((f"P{number:06d}-{k}", code, f"I{number:06d}",
                                     first + pd.Timedelta(days=pay_day), cents))  # fmt: skip
            day += int(rng.integers(10, 20))
    customer_frame = pd.DataFrame(
        {
            "customer_id": ids,
            "customer_name": [f"Customer {c}" for c in ids],
            "credit_code": [None] * customers,
            "credit_limit_cents": pd.array([None] * customers, dtype="Int64"),
            "payment_terms_days": pd.array([30] * customers, dtype="Int64"),
        }
    )
    invoice_frame = pd.DataFrame(
        invoices, columns=["invoice_id", "customer_id", "invoice_date", "due_date", "amount_cents"]
    )
    payment_frame = pd.DataFrame(
        payments,
        columns=["payment_id", "customer_id", "invoice_id", "payment_date", "amount_cents"],
    )
    return customer_frame, invoice_frame, payment_frame


def plain_ledger(seed: int = 7, customers: int = 80) -> Ledger:
    """`plain_book` as a Ledger."""
    return Ledger.from_frames(*plain_book(seed, customers))
