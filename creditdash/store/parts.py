"""Stored invoices that an import's documents replace (instalments and retention).

A document is stored either as one ordinary invoice (its own id) or item by
item (`<doc>#1`, `<doc>#R`, ...; see `creditdash.frames`). When a newer
invoice or ledger file shows a stored document in the other shape, or with
other items, the newer file is right (as for any upsert): the stored rows of
that document which the file no longer has are removed, their state kept in
`row_changes` so a rollback puts them back. Payments that named the old
invoice by the document's id then pay its items (`creditdash.documents`).

Open-items snapshots never replace rows: they list only what is still open.
"""

from __future__ import annotations

import pandas as pd

from creditdash.ingest.problems import message

_FULL = ("invoice", "ledger")  # invoice sources that list whole documents


def superseded(incoming: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """The stored invoice rows (canonical columns) that `incoming` invoices replace."""
    if incoming.empty or stored.empty:
        return stored.iloc[0:0]
    full = incoming[incoming["source"].isin(_FULL)]
    items = full["document_id"].notna()
    documents = pd.Index(full.loc[items, "document_id"].unique())
    plain = pd.Index(full.loc[~items, "invoice_id"].unique())
    old_shape = stored["invoice_id"].isin(documents) | stored["document_id"].isin(documents)
    now_plain = stored["document_id"].isin(plain)
    gone = (old_shape | now_plain) & ~stored["invoice_id"].isin(incoming["invoice_id"])
    return stored[gone.to_numpy(dtype=bool)]


def replaced_warning(rows: pd.DataFrame, files: list[str]):
    """The import's warning that it replaced stored invoices by another shape of them."""
    said = message(
        "import.invoices_replaced",
        "{n} stored invoice row(s) (e.g. {example}) were replaced: this upload shows the same "
        "documents split into instalments / retention, or no longer split.",
        n=len(rows),
        example=str(rows["invoice_id"].iloc[0]),
    )
    return said.problem(file=", ".join(files), level="warning")
