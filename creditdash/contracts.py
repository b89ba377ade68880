"""The canonical frames' contracts (pandera), checked once at the import boundary.

`CustomersFrame`, `InvoicesFrame`, `PaymentsFrame` and `RatesFrame` are the
contracts of the frames `creditdash.frames` describes: `canonical(frame,
table)` coerces a frame to its table's columns and dtypes, then validates
it, reporting every failing value at once. Only the import job needs this
module; the ledger, the figures and the app's pages never load pandera.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing.pandas import Series

from creditdash.frames import (
    CUSTOMER_COLUMNS,
    INVOICE_COLUMNS,
    PARTS,
    PAYMENT_COLUMNS,
    RATE_COLUMNS,
    conform,
)


class _Contract(pa.DataFrameModel):
    class Config:
        strict = True  # exactly the canonical columns,
        ordered = True  # in their order


class CustomersFrame(_Contract):
    """customers: one row per customer_id (see the module docstring)."""

    customer_id: Series[str] = pa.Field(unique=True)
    customer_name: Series[str] = pa.Field(nullable=True)
    credit_code: Series[str] = pa.Field(nullable=True)
    industry: Series[str] = pa.Field(nullable=True)
    region: Series[str] = pa.Field(nullable=True)
    segment: Series[str] = pa.Field(nullable=True)
    salesperson: Series[str] = pa.Field(nullable=True)
    credit_limit_cents: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    payment_terms_days: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    currency: Series[str] = pa.Field(nullable=True)
    email: Series[str] = pa.Field(nullable=True)


class InvoicesFrame(_Contract):
    """invoices: one row per invoice_id (an item of a document counts as one)."""

    invoice_id: Series[str] = pa.Field(unique=True)
    customer_id: Series[str]
    invoice_date: Series[pa.DateTime]
    due_date: Series[pa.DateTime]
    amount_cents: Series[pa.Int64]
    currency: Series[str]
    disputed: Series[bool]
    source: Series[str]
    document_id: Series[str] = pa.Field(nullable=True)
    part: Series[str] = pa.Field(nullable=True, isin=list(PARTS))


class PaymentsFrame(_Contract):
    """payments: one row per payment_id; invoice_id <NA> is unapplied cash."""

    payment_id: Series[str] = pa.Field(unique=True)
    customer_id: Series[str]
    invoice_id: Series[str] = pa.Field(nullable=True)
    payment_date: Series[pa.DateTime]
    amount_cents: Series[pa.Int64]
    source: Series[str]


class RatesFrame(_Contract):
    """rates: units of reporting currency per unit of `currency` on `rate_date`."""

    currency: Series[str]
    rate_date: Series[pa.DateTime]
    rate: Series[float] = pa.Field(gt=0)


CONTRACTS: dict[str, tuple[type[pa.DataFrameModel], list[str]]] = {
    "customers": (CustomersFrame, CUSTOMER_COLUMNS),
    "invoices": (InvoicesFrame, INVOICE_COLUMNS),
    "payments": (PaymentsFrame, PAYMENT_COLUMNS),
    "rates": (RatesFrame, RATE_COLUMNS),
}


def canonical(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """`frame` coerced to the canonical columns and dtypes of `table`, then validated.

    Raises pandera's SchemaErrors listing every failing value: a frame that
    breaks its contract after the checks of `creditdash.ingest` is a bug.
    """
    model, columns = CONTRACTS[table]
    return model.validate(conform(frame, columns), lazy=True)
