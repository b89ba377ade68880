"""The canonical frames every part of creditdash exchanges.

Money is held as whole cents in int64 columns named `*_cents`, so sums are
exact; it becomes a 2-decimal figure only at the edge (display, export, the
database's Numeric(18, 2)). Dates are pandas datetime64 at midnight, no
time zone. Ids are strings.

customers  customer_id, customer_name, credit_code, industry, region,
           segment, salesperson, credit_limit_cents (Int64, nullable),
           payment_terms_days (Int64, nullable), currency, email (contact
           addresses for statements and dunning letters; several separated
           by `;`, `,` or spaces)
invoices   invoice_id, customer_id, invoice_date, due_date, amount_cents,
           currency, disputed (bool), source, document_id, part
payments   payment_id, customer_id, invoice_id (<NA> = unapplied cash),
           payment_date, amount_cents, source
rates      currency, rate_date, rate (units of reporting currency per one
           unit of `currency`)

Invoices paid in instalments and retention money (质保金) are stored item by
item: each item is an invoice row of its own with its own due date and
amount, so every figure ages it on its own date and nothing else has to
know. `document_id` names the ERP document the items belong to (<NA> for
an ordinary invoice) and `part` says what an item is: "instalment" (one due
date of a payment schedule, or the invoice less its retention) or
"retention" (the retention, due when the warranty period ends); <NA> for an
ordinary invoice. Item ids are derived from the document's and stable:
`<doc>#1`, `<doc>#2`, ... (the file's instalment number, else the order of
the due dates) and `<doc>#R` for the retention (`<doc>#R2`, ... when
several rows of one document keep one). A payment whose invoice_id names a
document rather than an item is spread over the document's items oldest due
first when a Ledger is built (`creditdash.documents`).

`CustomersFrame`, `InvoicesFrame`, `PaymentsFrame` and `RatesFrame` are the
contracts of these frames (pandera): `canonical(frame, table)` coerces a
frame to its table's columns and dtypes, then validates it, reporting every
failing value at once. The import validates what `creditdash.ingest` hands
it this way, once; the functions downstream trust their input.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing.pandas import Series

CUSTOMER_COLUMNS = [
    "customer_id",
    "customer_name",
    "credit_code",
    "industry",
    "region",
    "segment",
    "salesperson",
    "credit_limit_cents",
    "payment_terms_days",
    "currency",
    "email",
]
INVOICE_COLUMNS = [
    "invoice_id",
    "customer_id",
    "invoice_date",
    "due_date",
    "amount_cents",
    "currency",
    "disputed",
    "source",
    "document_id",
    "part",
]
PARTS = ("instalment", "retention")  # values of invoices.part besides <NA>
PAYMENT_COLUMNS = [
    "payment_id",
    "customer_id",
    "invoice_id",
    "payment_date",
    "amount_cents",
    "source",
]
RATE_COLUMNS = ["currency", "rate_date", "rate"]

_DTYPES: dict[str, str] = {
    "customer_id": "str",
    "customer_name": "str",
    "credit_code": "str",
    "industry": "str",
    "region": "str",
    "segment": "str",
    "salesperson": "str",
    "credit_limit_cents": "Int64",
    "payment_terms_days": "Int64",
    "currency": "str",
    "invoice_id": "str",
    "invoice_date": "datetime64[us]",
    "due_date": "datetime64[us]",
    "amount_cents": "int64",
    "disputed": "bool",
    "source": "str",
    "payment_id": "str",
    "payment_date": "datetime64[us]",
    "rate_date": "datetime64[us]",
    "rate": "float64",
    "document_id": "str",
    "part": "str",
    "email": "str",
}


def empty_frame(columns: list[str]) -> pd.DataFrame:
    """An empty frame with the canonical columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=_DTYPES[c]) for c in columns})


def conform(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The frame with exactly `columns` (missing ones added empty) in canonical dtypes."""
    out = pd.DataFrame(index=frame.index)
    for c in columns:
        if c in frame.columns:
            out[c] = frame[c]
        else:
            out[c] = pd.Series(pd.NA, index=frame.index, dtype="object")
        dtype = _DTYPES[c]
        if dtype == "str":
            out[c] = out[c].astype("str")
        elif dtype == "bool":
            out[c] = out[c].fillna(False).astype("bool")
        else:
            out[c] = out[c].astype(dtype)
    return out.reset_index(drop=True)


def cents_to_money(cents: pd.Series | int) -> pd.Series | float:
    """Cents as a 2-decimal float, for display and export (exact to the cent)."""
    return cents / 100


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
