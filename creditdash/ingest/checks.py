"""Row checks across a whole batch, on the staging frames of `shapes`.

pandera schemas (validated lazily) report every empty required value,
every due date before its invoice date and every non-positive rate; the
functions below find duplicate ids (identical copies dropped with a
warning, conflicting ones are errors), fill a payment's customer from its
invoice, derive payment ids, and warn about payments dated before their
invoice. Each returns the frame without the rows it rejected.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from creditdash.ingest.problems import Message, ProblemLog, SheetContext, message

if TYPE_CHECKING:
    import pandera.pandas as pa

DUE_BEFORE_INVOICE = "due date before invoice date"
RATE_NOT_POSITIVE = "rate not positive"
# each staging frame's schema: the columns that must not be empty
REQUIRED = {
    "invoices": (
        "invoice_id",
        "customer_id",
        "invoice_date",
        "due_date",
        "amount_cents",
        "currency",
    ),
    "payments": ("customer_id", "payment_date", "amount_cents"),
    "open_items": ("invoice_id", "customer_id", "open_cents"),
    "customers": ("customer_id",),
    "rates": ("currency", "rate"),
}


@functools.cache
def schema(name: str) -> pa.DataFrameSchema:
    """The pandera schema of the staging frame `name` (a key of `REQUIRED`): its required
    columns and, for invoices and rates, the check across columns. Built on first use, so
    pandera (about a quarter of a second to load) loads only when a file is read."""
    import pandera.pandas as pa

    checks = []
    if name == "invoices":
        checks.append(
            pa.Check(
                lambda df: ~(df["due_date"] < df["invoice_date"]),
                name=DUE_BEFORE_INVOICE,
                error=DUE_BEFORE_INVOICE,
            )
        )
    if name == "rates":
        checks.append(
            pa.Check(lambda df: df["rate"] > 0, name=RATE_NOT_POSITIVE, error=RATE_NOT_POSITIVE)
        )
    columns = {column: pa.Column(nullable=False) for column in REQUIRED[name]}
    return pa.DataFrameSchema(columns, checks=checks, strict=False)


# the widths of the store's text columns (creditdash/store/models.py): longer values cannot be stored
STORED_LENGTHS = {
    "customer_id": 100,
    "customer_name": 300,
    "credit_code": 40,
    "industry": 200,
    "region": 200,
    "segment": 200,
    "salesperson": 200,
    "email": 1000,
    "invoice_id": 100,
    "payment_id": 200,
}

# canonical column -> the fields whose header a problem about it cites, first present wins
SOURCE_FIELDS = {
    "customer_id": ("customer_id", "customer_name", "invoice_id"),
    "amount_cents": ("paid_amount", "amount"),
    "open_cents": ("open_amount",),
}
INVOICE_CONTENT = [
    "customer_id",
    "invoice_date",
    "due_date",
    "amount_cents",
    "currency",
    "disputed",
]
PAYMENT_CONTENT = ["customer_id", "invoice_id", "payment_date", "amount_cents"]
ITEM_CONTENT = ["customer_id", "invoice_date", "due_date", "amount_cents", "open_cents", "currency"]


def _field(ctx: SheetContext, column: str) -> str:
    for name in SOURCE_FIELDS.get(column, (column,)):
        if name in ctx.headers:
            return name
    return column


def _empty_message(column: str) -> Message:
    """`ingest.empty.<column>`: one code per column, so the column's name is translated too."""
    what = {
        "customer_id": "customer (id or name)",
        "amount_cents": "amount",
        "open_cents": "open amount",
    }.get(column, column.replace("_", " "))
    return message(f"ingest.empty.{column}", f"The {what} is empty. Fill it in or delete the row.")


def report(
    frame: pd.DataFrame,
    ctxs: list[SheetContext],
    log: ProblemLog,
    column: str,
    message: str | Message | Callable[[int, str | None], str | Message],
    *,
    level: str = "error",
) -> None:
    """Problems for every row of `frame` (a staging frame), grouped by sheet."""
    for ctx_id, rows in frame.groupby("_ctx", sort=True)["_row"]:
        ctx = ctxs[int(ctx_id)]
        log.rows(ctx, rows.to_numpy(), _field(ctx, column), message, level=level)


def validate(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    ctxs: list[SheetContext],
    log: ProblemLog,
    *,
    empty: dict[str, Message] | None = None,
) -> pd.DataFrame:
    """The frame without the rows that fail `schema`; every failure is reported.

    `empty` replaces the message for an empty value in the named columns.
    """
    frame = too_long(frame.reset_index(drop=True), ctxs, log).reset_index(drop=True)
    if frame.empty:
        return frame
    from pandera.errors import SchemaErrors

    try:
        schema.validate(frame, lazy=True)
        return frame
    except SchemaErrors as exc:
        cases = exc.failure_cases
    failing = pd.Index(cases["index"].dropna().astype("int64").unique())
    wide = cases["check"].astype(str)
    due = cases.loc[wide == DUE_BEFORE_INVOICE, "index"].astype("int64").unique()
    if len(due):
        bad = frame.loc[due]
        dates = {
            (int(c), int(r)): (d, i)
            for c, r, d, i in zip(
                bad["_ctx"], bad["_row"], bad["due_date"], bad["invoice_date"], strict=True
            )
        }
        for ctx_id, rows in bad.groupby("_ctx")["_row"]:
            ctx = ctxs[int(ctx_id)]

            def before(row, _value, c=int(ctx_id)):
                d, i = dates[(c, row)]
                return message(
                    "ingest.due_before_invoice",
                    "The due date {due} is before the invoice date {invoice}. "
                    "Correct one of the two dates.",
                    due=f"{d:%Y-%m-%d}",
                    invoice=f"{i:%Y-%m-%d}",
                )

            log.rows(ctx, rows.to_numpy(), "due_date", before)
    rates = cases.loc[wide == RATE_NOT_POSITIVE, "index"].astype("int64").unique()
    if len(rates):
        not_positive = message(
            "ingest.rate_not_positive",
            "The exchange rate must be greater than 0 (units of reporting currency per unit).",
        )
        report(frame.loc[rates], ctxs, log, "rate", not_positive)
    nulls = cases[(wide == "not_nullable") & cases["index"].notna()]
    for column in schema.columns:
        if column == "due_date":  # only empty when the invoice date is; reported there
            continue
        idx = nulls.loc[nulls["column"] == column, "index"].astype("int64").unique()
        if len(idx):
            text = (empty or {}).get(column) or _empty_message(column)
            report(frame.loc[idx], ctxs, log, column, text)
    return frame.drop(index=failing)


def too_long_message(length: int, limit: int) -> Message:
    return message(
        "ingest.too_long",
        "The value is {length} characters long; the store keeps at most {limit}. Shorten it.",
        length=length,
        limit=limit,
    )


def too_long(frame: pd.DataFrame, ctxs: list[SheetContext], log: ProblemLog) -> pd.DataFrame:
    """The frame without rows holding a text longer than its store column (STORED_LENGTHS)."""
    over_any = pd.Series(False, index=frame.index)
    for column, limit in STORED_LENGTHS.items():
        if column not in frame.columns:
            continue
        lengths = frame[column].astype("string").str.len()
        over = (lengths > limit).fillna(False).astype(bool)
        if not over.any():
            continue
        bad = frame.loc[over, ["_ctx", "_row"]].assign(length=lengths[over])
        for ctx_id, group in bad.groupby("_ctx", sort=True):
            ctx = ctxs[int(ctx_id)]
            sized = dict(zip(group["_row"].astype(int), group["length"].astype(int), strict=True))

            def long(row, _value, sized=sized, limit=limit):
                return too_long_message(sized[row], limit)

            log.rows(ctx, group["_row"].to_numpy(), _field(ctx, column), long)
        over_any |= over
    return frame.loc[~over_any]


def _where(ctxs: list[SheetContext], here: int, ctx_id: int, row: int) -> dict[str, object]:
    """Parameters naming a row: its number, and its file and sheet when not on sheet `here`."""
    if ctx_id == here:
        return {"row": row}
    ctx = ctxs[ctx_id]
    return {"row": row, "file": ctx.file, "sheet": f" [{ctx.sheet}]" if ctx.sheet else ""}


def _duplicate(
    what: str, level: str, key: str, where: dict[str, object], fields: list[str]
) -> Message:
    """A repeated `what` id: an exact copy (warning) or different content (error).

    One code per kind of id and per place of the first row (`.elsewhere`: another
    file or sheet), so each translates as a whole sentence.
    """
    elsewhere = "file" in where
    at = "row {row} of {file}{sheet}" if elsewhere else "row {row}"
    variant = f"{what}.elsewhere" if elsewhere else what
    if level == "warning":
        return message(
            f"ingest.duplicate_copy.{variant}",
            f"This row repeats {at} exactly ({what} {{id}}); the copy was dropped.",
            id=key,
            **where,
        )
    return message(
        f"ingest.duplicate_conflict.{variant}",
        f"{what.capitalize()} {{id}} also appears on {at} with a different {{fields}}. "
        f"Keep one row per {what}, or give the rows different ids.",
        id=key,
        fields=", ".join(f.replace("_cents", "").replace("_", " ") for f in fields),
        **where,
    )


def deduplicate(
    frame: pd.DataFrame,
    key: str,
    content: list[str],
    ctxs: list[SheetContext],
    log: ProblemLog,
    *,
    what: str,
    warn_copies: bool = True,
    label: str | None = None,
) -> pd.DataFrame:
    """One row per `key`: exact copies dropped (warning), different content an error.

    `label` names the column whose value a message cites as the id (default `key`).
    """
    repeated = frame[key].duplicated(keep=False).to_numpy(dtype=bool)
    if not repeated.any():
        return frame
    sub = frame[repeated]
    firsts = sub[~sub[key].duplicated(keep="first")].set_index(key)
    ref = firsts.reindex(sub[key].to_numpy())
    ref.index = sub.index
    differs = pd.DataFrame(
        {c: ~((sub[c] == ref[c]).fillna(False) | (sub[c].isna() & ref[c].isna())) for c in content}
    )
    is_first = ~sub[key].duplicated(keep="first")
    copy = ~is_first & ~differs.any(axis=1)
    conflict = ~is_first & differs.any(axis=1)
    for mask, level in ((copy, "warning"), (conflict, "error")):
        if level == "warning" and not warn_copies:
            continue
        rows = sub[mask]
        for ctx_id, group in rows.groupby("_ctx"):
            ctx = ctxs[int(ctx_id)]
            info = {
                int(r): (
                    k,
                    _where(ctxs, int(ctx_id), int(c), int(fr)),
                    [x for x in content if d[x]],
                )
                for r, k, c, fr, (_, d) in zip(
                    group["_row"],
                    group[label or key],
                    ref.loc[group.index, "_ctx"],
                    ref.loc[group.index, "_row"],
                    differs.loc[group.index].iterrows(),
                    strict=True,
                )
            }

            def duplicate(row, _v, info=info, level=level):
                k, where, fields = info[row]
                return _duplicate(what, level, k, where, fields)

            log.rows(ctx, group["_row"].to_numpy(), label or key, duplicate, level=level)
    return frame.drop(index=sub.index[(copy | conflict).to_numpy(dtype=bool)])


def payment_ids(payments: pd.DataFrame) -> pd.Series:
    """Ids for payments without one: customer/date/invoice/cents, '#n' for repeats."""
    base = (
        payments["customer_id"].astype("str")
        + "/"
        + payments["payment_date"].dt.strftime("%Y-%m-%d")
        + "/"
        + payments["invoice_id"].astype("str").fillna("")
        + "/"
        + payments["amount_cents"].astype("int64").astype("str")
    )
    n = base.groupby(base, sort=False).cumcount()
    suffix = ("#" + (n + 1).astype("str")).where(n > 0, "")
    return (base + suffix).astype("str")


def early_payments(
    payments: pd.DataFrame, invoices: pd.DataFrame, ctxs: list[SheetContext], log: ProblemLog
) -> None:
    """Warn about payments dated before the invoice they pay (both in this batch)."""
    if payments.empty or invoices.empty:
        return
    dates = invoices.set_index("invoice_id")["invoice_date"]
    invoice_date = payments["invoice_id"].map(dates)
    early = payments[(payments["payment_date"] < invoice_date).fillna(False).to_numpy(dtype=bool)]
    if early.empty:
        return
    info = {
        (int(c), int(r)): (i, d)
        for c, r, i, d in zip(
            early["_ctx"],
            early["_row"],
            early["invoice_id"],
            invoice_date[early.index],
            strict=True,
        )
    }
    for ctx_id, group in early.groupby("_ctx"):
        ctx = ctxs[int(ctx_id)]

        def early(row, value, c=int(ctx_id)):
            invoice, date = info[(c, row)]
            return message(
                "ingest.payment_before_invoice",
                "The payment date {value} is before the date of invoice {invoice} "
                "({invoice_date}). Check both dates.",
                value=value,
                invoice=invoice,
                invoice_date=f"{date:%Y-%m-%d}",
            )

        log.rows(ctx, group["_row"].to_numpy(), "payment_date", early, level="warning")
