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

The contracts of these frames (pandera) are in `creditdash.contracts`:
the import validates what `creditdash.ingest` hands it there, once; the
functions downstream trust their input. They live apart so that reading
the ledger back never loads pandera.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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


@overload
def cents_to_money(cents: int) -> float: ...
@overload
def cents_to_money(cents: pd.Series) -> pd.Series: ...
def cents_to_money(cents: pd.Series | int) -> pd.Series | float:
    """Cents as a 2-decimal float, for display and export (exact to the cent)."""
    return cents / 100


def text_in(values: pd.Series | pd.Index, allowed: pd.Series | pd.Index) -> np.ndarray:
    """Whether each of `values` is one of `allowed` (ids as text; a missing value never is).

    The same answer as `values.isin(allowed)`, as a bool array. pandas' own isin on
    Arrow-backed text turns every allowed value into a Python object first, which takes
    seconds for the hundreds of thousands of ids of a big import; this stays in Arrow.
    """
    if len(values) == 0 or len(allowed) == 0:
        return np.zeros(len(values), dtype=bool)
    found = pc.is_in(_arrow_text(values), value_set=_arrow_text(allowed), skip_nulls=True)
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def _arrow_text(values: pd.Series | pd.Index) -> pa.Array:
    """`values` as one Arrow large_string array (missing values null)."""
    text = pd.Series(values, copy=False).astype("str")
    found = pa.array(text)
    if isinstance(found, pa.ChunkedArray):
        found = found.combine_chunks()
    return found.cast(pa.large_string())
