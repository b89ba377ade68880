"""One customer's detail at an as-of date: payments with their lateness, open items, limits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.aging import open_items
from creditdash.ledger import DateLike, Ledger, day_number, ledger_arrays


def payment_history(ledger: Ledger, as_of: DateLike, customer_id: str) -> pd.DataFrame:
    """Payments dated <= as_of applied to the customer's invoices: invoice_id, invoice_date,
    due_date, payment_date, amount_cents, days_late (payment - due, early is negative)."""
    arrays = ledger_arrays(ledger)
    day = day_number(as_of)
    n, m = arrays.invoices_until(day), arrays.payments_until(day)
    codes = np.flatnonzero(arrays.customers["customer_id"].to_numpy() == customer_id)
    target = arrays.payment_invoice[:m]
    applied = target.view(np.uintp) < n
    mine = applied & np.isin(arrays.payment_customer[:m], codes)
    mine &= arrays.payment_amount[:m] > 0
    inv = target[mine]
    rows = arrays.invoice_order[inv]
    return pd.DataFrame(
        {
            "invoice_id": ledger.invoices["invoice_id"].to_numpy()[rows],
            "invoice_date": ledger.invoices["invoice_date"].to_numpy()[rows],
            "due_date": ledger.invoices["due_date"].to_numpy()[rows],
            "payment_date": pd.to_datetime(
                arrays.payment_day[:m][mine].astype("datetime64[D]")
            ).as_unit("us"),
            "amount_cents": arrays.payment_amount[:m][mine],
            "days_late": arrays.payment_day[:m][mine] - arrays.due_day[inv],
        }
    )


def customer_open_items(ledger: Ledger, as_of: DateLike, customer_id: str) -> pd.DataFrame:
    """The customer's open invoices at as_of (`aging.open_items` columns), oldest due first."""
    items = open_items(ledger, as_of)
    mine = items[items["customer_id"] == customer_id]
    return mine.sort_values("due_date").reset_index(drop=True)
