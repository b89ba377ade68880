"""Comparing an import's canonical frames with the stored rows.

Each table is upserted by its key (`TABLES`): an incoming row is new, changed
(the stored row before it is kept so a rollback can restore it) or
unchanged. Customers keep a stored value where the incoming row has none.

Instalments and retention: a document is stored either as one ordinary
invoice (its own id) or item by item (`<doc>#1`, `<doc>#R`, ...; see
`creditdash.frames`). When a newer invoice or ledger file shows a stored
document in the other shape, or with other items, the newer file is right
(as for any upsert): the stored rows of that document which the file no
longer has are removed (`superseded`), their state kept in `row_changes` so
a rollback puts them back. Payments that named the old invoice by the
document's id then pay its items (`creditdash.documents`). Open-items
snapshots never replace rows: they list only what is still open.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.errors import Problem
from creditdash.frames import CUSTOMER_COLUMNS, INVOICE_COLUMNS, PAYMENT_COLUMNS, text_in
from creditdash.ingest.problems import message
from creditdash.store.models import Base, Customer, Invoice, Payment, Rate

# table name -> (model, key column, canonical columns compared)
TABLES: dict[str, tuple[type[Base], str, list[str]]] = {
    "customers": (Customer, "customer_id", CUSTOMER_COLUMNS[1:]),
    "invoices": (Invoice, "invoice_id", INVOICE_COLUMNS[1:]),
    "payments": (Payment, "payment_id", PAYMENT_COLUMNS[1:]),
    "rates": (Rate, "rate_key", ["rate"]),
}
# canonical column -> database column, where they differ
DB_NAMES = {"amount_cents": "amount", "credit_limit_cents": "credit_limit"}
_FULL = ("invoice", "ledger")  # invoice sources that list whole documents


def rates_frame(rates: pd.DataFrame) -> pd.DataFrame:
    """The rates (currency, rate_date, rate) with their key `rate_key` ("USD@2024-01-31")."""
    out = rates[["currency", "rate_date", "rate"]].copy()
    out["rate_key"] = out["currency"].astype(str) + "@" + out["rate_date"].dt.strftime("%Y-%m-%d")
    return out


def equal(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Elementwise equality where two missing values are equal."""
    missing = "\0missing"
    left = a.astype(object).where(a.notna(), missing).to_numpy()
    right = b.astype(object).where(b.notna(), missing).to_numpy()
    return np.asarray(left == right, dtype=bool)


def diff_table(
    incoming: pd.DataFrame,
    existing: pd.DataFrame,
    key: str,
    columns: list[str],
    keep_existing: bool,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    """Split incoming rows into new, changed (+ the stored row before) and the unchanged count.

    With keep_existing, a value missing in the incoming row keeps the stored one.
    """
    if existing.empty:
        return incoming, incoming.iloc[0:0], existing.iloc[0:0], 0
    merged = incoming.merge(existing, on=key, how="left", suffixes=("", "__old"), indicator=True)
    is_new = (merged["_merge"] == "left_only").to_numpy()
    old = merged.loc[~is_new]
    same = np.ones(len(old), dtype=bool)
    updated = old[[key, *columns]].copy()
    for c in columns:
        if keep_existing:
            updated[c] = old[c].where(old[c].notna(), old[f"{c}__old"])
        same &= equal(updated[c], old[f"{c}__old"])
    changed = updated.loc[~same]
    before = old.loc[~same, [key, *(f"{c}__old" for c in columns)]]
    before.columns = [key, *columns]
    return merged.loc[is_new, [key, *columns]], changed, before, int(same.sum())


def superseded(incoming: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """The stored invoice rows (canonical columns) that `incoming` invoices replace."""
    if incoming.empty or stored.empty:
        return stored.iloc[0:0]
    full = incoming[incoming["source"].isin(_FULL)]
    items = full["document_id"].notna()
    documents = pd.Index(full.loc[items, "document_id"].unique())
    plain = pd.Index(full.loc[~items, "invoice_id"].unique())
    old_shape = text_in(stored["invoice_id"], documents) | text_in(stored["document_id"], documents)
    now_plain = text_in(stored["document_id"], plain)
    gone = (old_shape | now_plain) & ~text_in(stored["invoice_id"], incoming["invoice_id"])
    return stored[gone]


def replaced_warning(rows: pd.DataFrame, files: list[str]) -> Problem:
    """The import's warning that it replaced stored invoices by another shape of them."""
    said = message(
        "import.invoices_replaced",
        "{n} stored invoice row(s) (e.g. {example}) were replaced: this upload shows the same "
        "documents split into instalments / retention, or no longer split.",
        n=len(rows),
        example=str(rows["invoice_id"].iloc[0]),
    )
    return said.problem(file=", ".join(files), level="warning")
