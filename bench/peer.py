"""The plain pandas peer of `python -m creditdash aging`: read_sql of the two tables, a groupby aging.

    python -m bench.peer DB_URL AS_OF

Prints the book's total receivable at AS_OF in cents. What a competent
analyst would write with pandas and SQLAlchemy alone, and the figure the
command line's aging is held to (speed and cents).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from sqlalchemy import create_engine

EDGES = [-np.inf, 0, 30, 60, 90, 180, 365, np.inf]
LABELS = ["current", "1-30", "31-60", "61-90", "91-180", "181-365", ">365"]


def aging_total(url: str, as_of: str) -> tuple[pd.DataFrame, int]:
    engine = create_engine(url)
    invoices = pd.read_sql(
        "SELECT invoice_id, customer_id, invoice_date, due_date, amount FROM invoices", engine,
        parse_dates=["invoice_date", "due_date"],
    )  # fmt: skip
    payments = pd.read_sql(
        "SELECT customer_id, invoice_id, payment_date, amount FROM payments", engine,
        parse_dates=["payment_date"],
    )  # fmt: skip
    day = pd.Timestamp(as_of)
    invoices["cents"] = np.round(invoices["amount"].astype(float) * 100).astype("int64")
    payments["cents"] = np.round(payments["amount"].astype(float) * 100).astype("int64")
    invoices = invoices[invoices["invoice_date"] <= day]
    payments = payments[payments["payment_date"] <= day]
    paid = payments.dropna(subset=["invoice_id"]).groupby("invoice_id")["cents"].sum()
    invoices["open"] = invoices["cents"] - invoices["invoice_id"].map(paid).fillna(0).astype(
        "int64"
    )
    late = (day - invoices["due_date"]).dt.days
    invoices["bucket"] = pd.cut(late, EDGES, labels=LABELS, right=True)
    table = invoices.pivot_table(
        index="customer_id", columns="bucket", values="open", aggfunc="sum", observed=False
    ).fillna(0)
    unapplied = payments[payments["invoice_id"].isna()].groupby("customer_id")["cents"].sum()
    table["unapplied"] = -unapplied.reindex(table.index).fillna(0)
    table["total"] = table.sum(axis=1)
    return table, int(table["total"].sum())


if __name__ == "__main__":
    _table, total = aging_total(sys.argv[1], sys.argv[2])
    print(total)
