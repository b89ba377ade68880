"""Instalments and retention money (质保金): invoice rows -> the items they are paid in.

An ERP document can be due in parts: a payment schedule (30% / 50% / 20%;
SAP lists the line items of one document, ERPNext its payment terms), and
retention money (质保金 / 尾款 / retainage) kept until a warranty period ends.
Each part is stored as an invoice row of its own (see `creditdash.frames`),
so every figure ages it on its own due date.

Rows and what they become (`split_documents`):

- Rows sharing an invoice id with different due dates, or with different
  values in an instalment column (行号 / 分期 / 期次 / item / installment /
  payment term / Zeile / Position), are the instalments of one document:
  items `<doc>#<instalment>` (the column's value, `1` for `001`), else
  `<doc>#1`, `<doc>#2`, ... in due-date order. They must agree on customer,
  invoice date and currency. Rows with one id and one due date (or one
  instalment) are still duplicates: an exact copy is dropped with a
  warning, a different amount is an error.
- A row with retention is split: the invoice amount less the retention is
  an item due on the row's due date, the retention is an item `<doc>#R`
  (`<doc>#R<instalment>` when several rows of a document keep one) due on
  the retention due date. The retention comes from the row's retention
  amount column, else from a retention percentage (the row's, else the
  customer master's) of a positive amount; its due date from the row's
  retention due date, else the invoice date plus the retention period in
  months or days (the row's, else the master's) but never before the
  invoice's own due date. Retention without a due date or period, or
  larger than the invoice, is an error.
- A single row without retention stays an ordinary invoice (its instalment
  value, if any, is ignored: a lone row numbered 1 is just an invoice).

Payments name items through `name_items`: a payment row with an instalment
value pays `<doc>#<instalment>` (`R`, 质保金, retention or 尾款 name the
retention); a settled ledger row pays its own items, the retention last.
A payment naming the document itself is spread over its items oldest due
first when the ledger is built (`creditdash.documents`).

An export that lists only some instalments of a document (an open-items
list after the first was paid) numbers them in due-date order unless it
has an instalment column, so such exports need the column for their ids
to match the stored items.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

import creditdash.ingest.checks as checks
from creditdash.frames import text_in
from creditdash.ingest.problems import ProblemLog, SheetContext, message

# field -> staging column, for the fields of this module a sheet has
STAGING = {
    "instalment": "instalment",
    "retention_amount": "retention_cents",
    "retention_due_date": "retention_due",
    "retention_pct": "retention_pct",
    "retention_months": "retention_months",
    "retention_days": "retention_days",
}
TERMS = ["retention_pct", "retention_months", "retention_days"]
HEADER = ["customer_id", "invoice_date", "currency"]  # what every item of a document shares
_RETENTION_NAMES = {"r", "retention", "retainage", "质保金", "尾款", "质保"}
_SEP = "\x1f"


def staging_columns(values: dict[str, pd.Series]) -> dict[str, pd.Series]:
    """The staging columns of this module's fields among a sheet's parsed `values`."""
    return {column: values[name] for name, column in STAGING.items() if name in values}


def retention_terms(customers: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Retention terms per customer_id from customer-master staging frames (first row wins).

    Columns retention_pct (float, percent), retention_months, retention_days (Int64).
    """
    parts = [
        frame[["customer_id", *(c for c in TERMS if c in frame)]]
        for frame in customers
        if frame is not None and any(c in frame for c in TERMS)
    ]
    empty = pd.DataFrame(columns=TERMS, index=pd.Index([], name="customer_id"))
    if not parts:
        return empty
    rows = pd.concat(parts, ignore_index=True).dropna(subset=["customer_id"])
    for column in TERMS:
        if column not in rows:
            rows[column] = pd.NA
    return rows.groupby("customer_id", sort=False)[TERMS].first()


def split_documents(
    frame: pd.DataFrame,
    ctxs: list[SheetContext],
    log: ProblemLog,
    content: list[str],
    terms: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Staging invoice (or open-item) rows -> one row per item, with document_id and part.

    `content` lists the columns that must match for two rows of one item to be
    copies; `terms` is `retention_terms` of the batch's customer masters.
    """
    frame = frame.reset_index(drop=True)
    if frame.empty:
        return frame.assign(document_id=pd.Series(dtype="str"), part=pd.Series(dtype="str"))
    frame = frame.assign(instalment=_instalments(frame), _doc=False)
    repeated = _repeated(frame["invoice_id"])
    if repeated.any():  # only rows sharing an id can be copies, conflicts or instalments
        rows = frame[repeated]
        rows = rows.assign(_item=_item_keys(rows, rows["instalment"]))
        compared = [*content, *(c for c in ("retention_cents", "retention_due") if c in rows)]
        rows = checks.deduplicate(
            rows, "_item", compared, ctxs, log, what="invoice", label="invoice_id"
        )
        rows = _one_header(rows, ctxs, log).drop(columns="_item")
        rows = rows.assign(_doc=_repeated(rows["invoice_id"]))  # what is left of each document
        frame = pd.concat([frame[~repeated], rows]).sort_index(kind="stable")
    frame = _retention(frame, ctxs, log, terms).reset_index(drop=True)
    items, split = _items(frame)
    if not split:
        return items
    # an item id may, rarely, be another row's own id ("A#1" beside document "A")
    return checks.deduplicate(items, "invoice_id", content, ctxs, log, what="invoice")


def _repeated(ids: pd.Series) -> pd.Series:
    return ids.duplicated(keep=False) & ids.notna()


def _instalments(frame: pd.DataFrame) -> pd.Series:
    """The instalment column as item suffixes: text as typed, whole numbers without zeros."""
    if "instalment" not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="str")
    text = frame["instalment"].astype("str").str.strip()
    text = text.where(text != "")
    number = text.str.fullmatch(r"\d+(?:\.0+)?").fillna(False).astype(bool)
    if not number.any():
        return text.astype("str")
    whole = pd.to_numeric(text.where(number), errors="coerce").round().astype("Int64")
    return whole.astype("str").where(number, text).astype("str")


def _item_keys(frame: pd.DataFrame, instalment: pd.Series) -> pd.Series:
    """Which item a row is: its id with its instalment, else with its due date."""
    due = frame["due_date"].dt.strftime("%Y-%m-%d").fillna("")
    which = ("i" + instalment).where(instalment.notna(), "d" + due)
    return (frame["invoice_id"].astype("str").fillna("") + _SEP + which).astype("str")


def _one_header(frame: pd.DataFrame, ctxs: list[SheetContext], log: ProblemLog) -> pd.DataFrame:
    """Items of one document that disagree on customer, invoice date or currency: errors."""
    shared = [c for c in HEADER if c in frame]
    repeated = frame["invoice_id"].duplicated(keep=False) & frame["invoice_id"].notna()
    if not repeated.any():
        return frame
    sub = frame[repeated]
    first = sub.groupby("invoice_id", sort=False).head(1).set_index("invoice_id")
    ref = first.reindex(sub["invoice_id"].to_numpy())
    ref.index = sub.index
    differs = pd.DataFrame(
        {c: ~((sub[c] == ref[c]).fillna(False) | (sub[c].isna() & ref[c].isna())) for c in shared}
    )
    bad = differs.any(axis=1)
    if not bad.any():
        return frame
    rows = sub[bad]
    for ctx_id, group in rows.groupby("_ctx"):
        info = {
            int(r): (
                doc,
                checks._where(ctxs, int(ctx_id), int(c), int(fr)),
                [x for x in shared if differs.at[i, x]],
            )
            for i, r, doc, c, fr in zip(
                group.index,
                group["_row"],
                group["invoice_id"],
                ref.loc[group.index, "_ctx"],
                ref.loc[group.index, "_row"],
                strict=True,
            )
        }

        def conflict(row, _v, info=info):
            doc, where, fields = info[row]
            return checks._duplicate("invoice", "error", doc, where, fields)

        log.rows(ctxs[int(ctx_id)], group["_row"].to_numpy(), "invoice_id", conflict)
    return frame.drop(index=rows.index)


def _term(frame: pd.DataFrame, terms: pd.DataFrame | None, column: str, dtype: str) -> pd.Series:
    """A retention term per row: the row's own, else its customer's in the master."""
    own = frame[column] if column in frame else pd.Series(pd.NA, index=frame.index)
    own = own.astype(dtype)
    if terms is None or terms.empty or column not in terms:
        return own
    master = frame["customer_id"].map(terms[column].dropna()).astype(dtype)
    return own.fillna(master)


def _retention(
    frame: pd.DataFrame,
    ctxs: list[SheetContext],
    log: ProblemLog,
    terms: pd.DataFrame | None,
) -> pd.DataFrame:
    """Each row's retention cents and due date (`_keep`, `_keep_due`); bad rows reported."""
    if not {"retention_cents", "retention_pct"} & set(frame) and (terms is None or terms.empty):
        return frame.assign(_keep=pd.Series(0, index=frame.index, dtype="int64"), _keep_due=pd.NaT)
    keep = frame.get("retention_cents")
    keep = (
        pd.Series(pd.NA, index=frame.index, dtype="Int64") if keep is None else keep.astype("Int64")
    )
    pct = _term(frame, terms, "retention_pct", "Float64")
    amount = frame["amount_cents"].astype("Int64")
    explicit = (keep.notna() & (keep != 0)).to_numpy(dtype=bool)
    by_pct = (~explicit & (pct.fillna(0) > 0) & (amount.fillna(0) > 0)).to_numpy(dtype=bool)
    if not (explicit.any() or by_pct.any()):
        return frame.assign(_keep=pd.Series(0, index=frame.index, dtype="int64"), _keep_due=pd.NaT)
    share = (amount.astype("Float64") * pct / 100).round().astype("Int64")
    keep = keep.where(~pd.Series(by_pct, index=frame.index), share).fillna(0)
    due = _retention_due(frame, terms)
    named = frame.get("retention_due")
    if named is not None:
        due = named.astype("datetime64[us]").fillna(due)
    wanted = pd.Series(explicit | by_pct, index=frame.index) & (keep != 0)
    no_due = wanted & due.isna()
    over = wanted & ((np.sign(keep) != np.sign(amount)) | (keep.abs() > amount.abs())).fillna(True)
    over &= ~no_due
    column = "retention_amount" if "retention_cents" in frame else "retention_pct"
    _report(frame[no_due], ctxs, log, column, _NO_DUE)
    if over.any():
        _report(frame[over], ctxs, log, "retention_amount", _exceeds(frame[over], keep[over]))
    ok = ~(no_due | over)
    out = frame.assign(_keep=keep.where(wanted, 0).astype("int64"), _keep_due=due.where(wanted))
    return out[ok.to_numpy(dtype=bool)]


def _retention_due(frame: pd.DataFrame, terms: pd.DataFrame | None) -> pd.Series:
    """Invoice date plus the retention period, never before the invoice's due date."""
    months = _term(frame, terms, "retention_months", "Int64")
    days = _term(frame, terms, "retention_days", "Int64")
    start = frame["invoice_date"].astype("datetime64[us]")
    due = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
    by_months = months.notna() & start.notna()
    for n in months[by_months].unique():
        rows = by_months & (months == n)
        due[rows] = start[rows] + pd.DateOffset(months=int(n))
    by_days = due.isna() & days.notna() & start.notna()
    due[by_days] = start[by_days] + pd.to_timedelta(days[by_days].astype("int64"), unit="D")
    invoice_due = frame["due_date"].astype("datetime64[us]")
    return due.where(~(due < invoice_due), invoice_due)


_NO_DUE = message(
    "ingest.retention_no_due",
    "This row keeps retention (质保金) but has no retention due date. Add a 质保期到期日 / "
    "retention due date column, or a retention period (质保期) on the row or in the customer "
    "master.",
)


def _exceeds(rows: pd.DataFrame, keep: pd.Series):
    """The message for retention larger than its invoice (or of the other sign)."""
    said = {
        int(r): (a, k) for r, a, k in zip(rows["_row"], rows["amount_cents"], keep, strict=True)
    }

    def exceeds(row, _value):
        amount, kept = said[row]
        return message(
            "ingest.retention_exceeds",
            "The retention {retention} is not part of the invoice amount {amount}: it must "
            "have the same sign and be no larger. Correct the retention or the amount.",
            retention=f"{int(kept) / 100:,.2f}",
            amount=f"{int(amount) / 100:,.2f}",
        )

    return exceeds


def _report(rows: pd.DataFrame, ctxs: list[SheetContext], log: ProblemLog, column, said) -> None:
    if not rows.empty:
        checks.report(rows, ctxs, log, column, said)


def _items(frame: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """(one row per item in row order, whether any row was split): documents' rows get
    derived ids and their retention a row of its own; ordinary invoices stay as they are.

    `frame` is indexed 0..n-1 (row order).
    """
    keeps = frame["_keep"] != 0
    in_doc = frame["_doc"].astype(bool)
    if keeps.any():
        in_doc |= text_in(frame["invoice_id"], frame["invoice_id"][keeps])
    helpers = ["_doc", "_keep", "_keep_due", "_order", *STAGING.values()]
    if not in_doc.any():
        none = pd.Series(pd.NA, index=frame.index, dtype="str")
        return frame.drop(columns=[c for c in helpers if c in frame]).assign(
            document_id=none, part=none
        ), False
    plain = frame[~in_doc].assign(
        document_id=pd.Series(pd.NA, index=frame.index[~in_doc], dtype="str"),
        part=pd.Series(pd.NA, index=frame.index[~in_doc], dtype="str"),
    )
    parts = [plain.assign(_order=plain.index.to_numpy() * 2), *_split(frame[in_doc])]
    out = pd.concat(parts).sort_values("_order", kind="stable")
    out = out.drop(columns=[c for c in helpers if c in out]).reset_index(drop=True)
    out["document_id"] = out["document_id"].astype("str")
    out["part"] = out["part"].astype("str")
    return out, True


def _split(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """Documents' rows as (their items, their retention items), with `_order` keys that put
    each after the rows before it and a retention right after its own row."""
    doc = frame["invoice_id"].astype("str")
    keeps = frame["_keep"] != 0
    suffix = _suffixes(frame, doc)
    position = frame.index.to_numpy() * 2
    main = frame.assign(
        invoice_id=doc + "#" + suffix,
        document_id=doc,
        part="instalment",
        amount_cents=frame["amount_cents"] - frame["_keep"],
        _order=position,
    )
    held = frame[keeps]
    several = keeps.groupby(doc).transform("sum")[keeps] > 1
    retention = held.assign(
        invoice_id=(doc[keeps] + "#R" + suffix[keeps].where(several, "")),
        document_id=doc[keeps],
        part="retention",
        due_date=held["_keep_due"],
        amount_cents=held["_keep"],
        _order=position[keeps.to_numpy()] + 1,
    )
    return [main, retention]


def _suffixes(frame: pd.DataFrame, doc: pd.Series) -> pd.Series:
    """Each document row's item number: its instalment when every row has one, else due order."""
    instalment = frame["instalment"]
    numbered = instalment.notna().groupby(doc).transform("all")
    order = frame.assign(_doc=doc, _pos=np.arange(len(frame))).sort_values(
        ["_doc", "due_date", "_pos"], kind="stable"
    )
    rank = order.groupby("_doc").cumcount() + 1
    by_due = rank.reindex(frame.index).astype("str")
    return instalment.where(numbered, by_due).astype("str")


def retention_name(value: object) -> bool:
    """Whether an instalment value names the retention (R, 质保金, retention, 尾款)."""
    return isinstance(value, str) and re.sub(r"\s", "", value).casefold() in _RETENTION_NAMES


def name_items(payments: pd.DataFrame, invoices: pd.DataFrame) -> pd.DataFrame:
    """Payments pointed at items: by their instalment column, and settled ledger rows.

    `invoices` are the batch's items (`split_documents`). A payment row naming an
    invoice and an instalment pays `<invoice>#<instalment>` (`#R` for the
    retention) unless the invoice is an ordinary one of this batch. A settled
    ledger row of a split document pays its items: the instalment first, what
    is left (paid in full) its retention.
    """
    if payments.empty:
        return payments
    payments = payments.reset_index(drop=True)
    if "instalment" in payments:
        payments = _by_instalment(payments, invoices)
    if "document_id" not in invoices or invoices["document_id"].isna().all():
        return payments
    return _settled_items(payments, invoices)


def _by_instalment(payments: pd.DataFrame, invoices: pd.DataFrame) -> pd.DataFrame:
    value = _instalments(payments)
    value = value.where(~value.map(retention_name).astype(bool), "R")
    plain = invoices.loc[invoices.get("document_id", pd.Series(dtype="str")).isna(), "invoice_id"]
    named = value.notna() & payments["invoice_id"].notna() & ~text_in(payments["invoice_id"], plain)
    item = (payments["invoice_id"].astype("str") + "#" + value).where(named)
    return payments.assign(invoice_id=item.fillna(payments["invoice_id"])).drop(
        columns="instalment"
    )


def _settled_items(payments: pd.DataFrame, invoices: pd.DataFrame) -> pd.DataFrame:
    """Settled ledger rows of split documents pay the row's items (retention last)."""
    items = invoices[invoices["document_id"].notna()]
    key = ["_ctx", "_row"]
    main = items[items["part"] == "instalment"].drop_duplicates(key).set_index(key)
    held = items[items["part"] == "retention"].drop_duplicates(key).set_index(key)
    settled = (payments["source"] == "ledger").to_numpy(dtype=bool)
    where = pd.MultiIndex.from_frame(payments[key].astype("int64"))
    hit = settled & where.isin(main.index)
    if not hit.any():
        return payments
    rows = payments[hit]
    at = where[hit]
    first = main.reindex(at)
    paid = rows["amount_cents"].astype("int64").to_numpy()
    cap = first["amount_cents"].astype("int64").to_numpy()
    has_held = at.isin(held.index)
    on_main = np.where(has_held & (paid > cap) & (cap >= 0), cap, paid)
    head = rows.assign(
        invoice_id=first["invoice_id"].to_numpy(),
        payment_id=first["invoice_id"].to_numpy() + "/settled",
        amount_cents=on_main,
    )
    rest = paid - on_main
    tail_rows = rest != 0
    tail = rows[tail_rows].assign(
        invoice_id=held.reindex(at[tail_rows])["invoice_id"].to_numpy(),
        amount_cents=rest[tail_rows],
    )
    tail = tail.assign(payment_id=tail["invoice_id"] + "/settled")
    return pd.concat([payments[~hit], head, tail], ignore_index=True)


def owners(invoices: pd.DataFrame) -> pd.Series:
    """customer_id by invoice id and by document id (a payment may name either)."""
    own = invoices.set_index("invoice_id")["customer_id"]
    if "document_id" in invoices:
        docs = invoices.dropna(subset=["document_id"]).drop_duplicates("document_id")
        extra = docs.set_index("document_id")["customer_id"]
        own = pd.concat([own, extra[~text_in(extra.index, own.index)]])
    return own[~own.index.duplicated()]
