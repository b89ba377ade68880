"""Payments that name a document rather than one of its items.

An invoice paid in instalments or keeping retention money is stored item
by item (`creditdash.frames`: `document_id`, `part`). A receipt often names
only the document; it pays the document's items oldest due first, as a
credit team applies cash: the first instalment before the second, the
invoice before its retention. `spread_over_items` does this whenever a
`Ledger` is built, so a payment imported later, from another file, still
finds the items.

Within one document, payments are applied in date order (then payment id).
A payment naming an item counts against that item; a payment naming the
document fills the items still open, oldest due date first, and what is
left over (an overpayment) goes to the last item. A negative one (a
reversal) takes back from the items paid, newest due first. Each payment
becomes one row per item it pays: its own id when it pays one item, else
`<payment_id>><item id>` per item, so payment ids stay unique and the
amounts sum to the payment exactly. A payment's `original_cents` (its
amount in its own currency, where the ledger has one) is split in the same
proportions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def spread_over_items(invoices: pd.DataFrame, payments: pd.DataFrame) -> pd.DataFrame:
    """`payments` with every payment naming a document split over the document's items.

    invoices  canonical invoices (invoice_id, due_date, amount_cents, document_id)
    payments  canonical payments (payment_id, invoice_id, payment_date, amount_cents)

    Returns the payments unchanged (the same frame) when none names a document,
    else a new frame with the same columns in which rows that name an item, an
    ordinary invoice or no invoice are as they were (spread rows come last). A document id that is also
    an invoice's own id is that invoice, not a document.
    """
    if "document_id" not in invoices or payments.empty:
        return payments
    items = invoices[invoices["document_id"].notna()]
    if items.empty:
        return payments
    named = payments["invoice_id"]
    to_document = (named.isin(items["document_id"]) & ~named.isin(invoices["invoice_id"])).to_numpy(
        dtype=bool
    )
    if not to_document.any():
        return payments
    documents = pd.unique(named[to_document])
    items = items[items["document_id"].isin(documents)].sort_values(
        ["document_id", "due_date", "invoice_id"], kind="stable"
    )
    touched = payments[named.isin(documents) | named.isin(items["invoice_id"])]
    touched = touched.assign(_doc=touched["invoice_id"].map(_document_of(items)))
    pieces = [
        _allocate(group.drop(columns="_doc"), items[items["document_id"] == doc])
        for doc, group in touched.groupby("_doc", sort=False)
    ]
    spread = pd.concat(pieces, ignore_index=True).astype(payments.dtypes.to_dict())
    return pd.concat([payments[~to_document], spread], ignore_index=True)


def _document_of(items: pd.DataFrame) -> pd.Series:
    """The document of each item id and of each document id itself."""
    own = pd.Series(items["document_id"].to_numpy(), index=items["invoice_id"].to_numpy())
    docs = pd.unique(items["document_id"])
    return pd.concat([own, pd.Series(docs, index=docs)])


def _allocate(payments: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """One document's document-level payments as rows per item (items in due order)."""
    ids = items["invoice_id"].to_numpy()
    amount = items["amount_cents"].to_numpy(dtype=np.int64)
    paid = np.zeros(len(ids), dtype=np.int64)
    position = {item: i for i, item in enumerate(ids)}
    rows = []
    ordered = payments.sort_values(["payment_date", "payment_id"], kind="stable")
    for row in ordered.itertuples(index=False):
        cents = int(row.amount_cents)
        if row.invoice_id in position:  # names an item: it counts there
            paid[position[row.invoice_id]] += cents
            continue
        shares = _fill(amount, paid, cents) if cents >= 0 else _take_back(paid, cents)
        paid += shares
        paying = np.flatnonzero(shares)
        if not len(paying):  # a zero payment still shows, on the first item
            paying = np.array([0])
        for i in paying.tolist():
            piece = row._asdict()
            piece["invoice_id"] = ids[i]
            piece["amount_cents"] = int(shares[i])
            if "original_cents" in piece:
                piece["original_cents"] = _part_of(row.original_cents, shares, i, cents)
            if len(paying) > 1:
                piece["payment_id"] = f"{row.payment_id}>{ids[i]}"
            rows.append(piece)
    return pd.DataFrame.from_records(rows, columns=list(payments.columns))


def _part_of(original: int, shares: np.ndarray, i: int, cents: int) -> int:
    """Share `i` of a payment's own-currency amount, in proportion; the last share takes the rest."""
    if cents == 0:
        return int(original) if i == 0 else 0
    cumulative = np.round(np.cumsum(shares) * int(original) / cents).astype(np.int64)
    return int(cumulative[i] - (cumulative[i - 1] if i else 0))


def _fill(amount: np.ndarray, paid: np.ndarray, cents: int) -> np.ndarray:
    """Shares of a payment: each item's open amount in order, the rest on the last item."""
    open_ = np.clip(amount - paid, 0, None)
    before = np.concatenate([[0], np.cumsum(open_)[:-1]])
    shares = np.clip(cents - before, 0, open_)
    shares[-1] += cents - int(shares.sum())
    return shares


def _take_back(paid: np.ndarray, cents: int) -> np.ndarray:
    """Shares of a reversal: from the items paid, newest due first; the rest on the last item."""
    back = np.clip(paid, 0, None)[::-1]
    before = np.concatenate([[0], np.cumsum(back)[:-1]])
    shares = -np.clip(-cents - before, 0, back)[::-1]
    shares[-1] += cents - int(shares.sum())
    return shares
