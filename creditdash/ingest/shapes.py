"""One mapped sheet -> staging frames of its kind.

Staging frames have the canonical columns (amounts as nullable Int64
cents) plus `_ctx` (which sheet) and `_row` (Excel row), so later checks
can cite the row. Rows whose text could not be parsed are reported here
and left out; what remains is validated in `checks`.

kind        becomes
ledger      invoices + a payment per settled row (payment_id "<invoice_id>/settled")
invoices    invoices
payments    payments (payment_id from its column or derived in `checks`)
open_items  one snapshot (as-of date from the argument, an as-of column or a title line)
customers   customers
rates       rates
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from creditdash.ingest import parse
from creditdash.ingest.fields import ATTRIBUTES, BAD_VALUE, PARSERS, USES
from creditdash.ingest.problems import Message, ProblemLog, SheetContext, message


@dataclass(frozen=True)
class Options:
    """The caller's settings that shape the frames (see `parse_sources`)."""

    as_of: dt.date | None = None
    complete: bool = False
    default_terms_days: int = 30
    terms_by_customer: Mapping[str, int] = field(default_factory=dict)
    default_currency: str = "CNY"


@dataclass
class Masters:
    """What the batch's customer masters say, for the sheets parsed after them."""

    terms: dict[str, int] = field(default_factory=dict)  # customer_id -> payment terms (days)
    ids_by_name: dict[str, str] = field(default_factory=dict)  # customer_name -> customer_id

    def learn(self, customers: pd.DataFrame) -> None:
        """Remember a customer master's terms and ids (the first sheet naming one wins)."""
        if "payment_terms_days" in customers.columns:
            terms = customers.dropna(subset=["customer_id", "payment_terms_days"])
            for customer, days in zip(
                terms["customer_id"], terms["payment_terms_days"], strict=True
            ):
                self.terms.setdefault(customer, int(days))
        if "customer_name" in customers.columns:
            named = customers.dropna(subset=["customer_id", "customer_name"])
            for customer, name in zip(named["customer_id"], named["customer_name"], strict=True):
                self.ids_by_name.setdefault(name, customer)


@dataclass
class Staged:
    """What one sheet produced (staging frames, see the module docstring)."""

    invoices: pd.DataFrame | None = None
    payments: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None
    rates: pd.DataFrame | None = None
    snapshot: tuple[pd.Timestamp, pd.DataFrame] | None = None
    kind: str = ""
    ctx_id: int = -1


def stage(
    ctx: SheetContext,
    ctx_id: int,
    log: ProblemLog,
    opts: Options,
    known: Masters,
) -> Staged:
    """Parse the sheet's body and build the staging frames of its kind."""
    body = ctx.body
    assert body is not None
    parsed: dict[str, parse.Parsed] = {}
    broken = np.zeros(len(body), dtype=bool)
    for name in USES[ctx.kind]:
        if name not in body.columns:
            continue
        parser = PARSERS[name]
        result = parser(body[name])
        parsed[name] = result
        bad = result.bad.to_numpy(dtype=bool)
        if bad.any():
            code, template = BAD_VALUE[parser]
            log.rows(
                ctx,
                body.index[bad],
                name,
                lambda _r, v, c=code, t=template: message(c, t, value=v),
            )
        for note in result.notes:
            said = Message(note.code, note.message, note.params) if note.code else note.message
            log.sheet(ctx, said, level=note.level, column=name, row=note.row, value=note.value)
        broken |= bad
        if result.void is not None:
            broken |= result.void.to_numpy(dtype=bool)
    keep = ~broken
    values = {name: p.values[keep] for name, p in parsed.items()}
    signs = {k: p.currency for k, p in parsed.items()}
    frame = _Frame(ctx, ctx_id, body.index[keep], values, signs, known)
    builder = {
        "invoices": _invoices,
        "ledger": _invoices,
        "payments": _payments,
        "open_items": _open_items,
        "customers": _customers,
        "rates": _rates,
    }[ctx.kind]
    result = builder(frame, log, opts, known)
    result.kind, result.ctx_id = ctx.kind, ctx_id
    return result


@dataclass
class _Frame:
    ctx: SheetContext
    ctx_id: int
    rows: pd.Index
    values: dict[str, pd.Series]
    signs: dict[str, pd.Series | None]
    known: Masters

    def has(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, dtype: str = "object") -> pd.Series:
        if name in self.values:
            return self.values[name]
        return pd.Series(pd.NA, index=self.rows, dtype=dtype)

    def customer_id(self) -> pd.Series:
        """The customer id column, else the master's id for the name, else the name."""
        names = self.get("customer_name", "str")
        if not self.has("customer_id") and self.known.ids_by_name:
            names = names.map(self.known.ids_by_name).astype("str").fillna(names)
        return self.get("customer_id", "str").fillna(names)

    def staging(self, columns: dict[str, pd.Series]) -> pd.DataFrame:
        out = pd.DataFrame(columns, index=self.rows)
        out["_ctx"] = self.ctx_id
        out["_row"] = self.rows.to_numpy(dtype="int64")
        return out

    def currency(self, money: str, default: str) -> pd.Series:
        """Currency column, else the sign in the amount text, else the default."""
        sign = self.signs.get(money)
        out = self.get("currency", "str")
        if sign is not None:
            out = out.fillna(sign[self.rows])
        return out.fillna(default).astype("str")


def _due_dates(f: _Frame, log: ProblemLog, opts: Options, known: Masters) -> pd.Series:
    """The due date column, filling blanks with invoice date + terms (one warning)."""
    due = f.get("due_date", "datetime64[us]").astype("datetime64[us]")
    invoice_date = f.get("invoice_date", "datetime64[us]").astype("datetime64[us]")
    need = due.isna() & invoice_date.notna()
    if not need.any():
        return due
    customer = f.customer_id()[need]
    days = f.get("payment_terms_days", "Int64")[need].astype("Float64")
    for lookup in (opts.terms_by_customer, known.terms):
        if lookup:
            days = days.fillna(customer.map(dict(lookup)).astype("Float64"))
    days = days.fillna(opts.default_terms_days).astype("int64")
    due[need] = invoice_date[need] + pd.to_timedelta(days.to_numpy(), unit="D")
    n = int(need.sum())
    filled = message(
        "ingest.due_date_filled.one" if n == 1 else "ingest.due_date_filled",
        "The due date was missing on {n:,} "
        + ("row" if n == 1 else "rows")
        + " and was set to the invoice date plus the customer's payment terms "
        "(default {days} days).",
        n=n,
        days=opts.default_terms_days,
    )
    log.sheet(f.ctx, filled, level="warning", column="due_date" if f.has("due_date") else None)
    return due


def _drop_sum_rows(f: _Frame, key: str, money: str, log: ProblemLog) -> None:
    """Drop rows without an id whose amount equals the sum of the rows with one (totals rows)."""
    if not (f.has(key) and f.has(money)):
        return
    ids, amounts = f.values[key], f.values[money]
    blank = ids.isna() & amounts.notna()
    if not blank.any():
        return
    total = amounts[ids.notna()].sum()
    totals = blank & (amounts == total)
    rows = f.rows[totals.to_numpy(dtype=bool)]
    if len(rows):
        dropped = message(
            "ingest.sum_row_dropped",
            "This looks like a totals row (its amount is the sum of the rows above); "
            "it was dropped.",
        )
        log.rows(f.ctx, rows, money, dropped, level="warning")
        keep = ~f.rows.isin(rows)
        f.rows = f.rows[keep]
        f.values = {k: v[keep] for k, v in f.values.items()}


def _invoices(f: _Frame, log: ProblemLog, opts: Options, known: Masters) -> Staged:
    _drop_sum_rows(f, "invoice_id", "amount", log)
    ledger = f.ctx.kind == "ledger"
    invoices = f.staging(
        {
            "invoice_id": f.get("invoice_id", "str"),
            "customer_id": f.customer_id(),
            "invoice_date": f.get("invoice_date", "datetime64[us]"),
            "due_date": _due_dates(f, log, opts, known),
            "amount_cents": f.get("amount", "Int64"),
            "currency": f.currency("amount", opts.default_currency),
            "disputed": f.get("disputed", "boolean").fillna(False).astype(bool),
            "source": "ledger" if ledger else "invoice",
        }
    )
    payments = _settlements(f, log, invoices) if ledger else None
    return Staged(invoices=invoices, payments=payments, customers=_attributes(f))


def _settlements(f: _Frame, log: ProblemLog, invoices: pd.DataFrame) -> pd.DataFrame | None:
    paid = f.get("paid_amount", "Int64")
    if not f.has("payment_date"):
        log.sheet(
            f.ctx,
            message(
                "ingest.paid_without_date_column",
                "The sheet has a paid amount but no settled/payment date column, so no payments "
                "were recorded. Map the column with the payment date to payment_date.",
            ),
            level="warning",
            column="paid_amount",
        )
        return None
    settled = f.values["payment_date"]
    undated = (paid.notna() & (paid != 0) & settled.isna()).to_numpy(dtype=bool)
    if undated.any():
        unpaid = message(
            "ingest.paid_without_date",
            "This row has a paid amount but no settled date, so no payment was recorded. "
            "Add the date it was paid.",
        )
        log.rows(f.ctx, f.rows[undated], "paid_amount", unpaid, level="warning")
    take = (settled.notna() & (paid.isna() | (paid != 0))).to_numpy(dtype=bool)
    rows = invoices[take]
    amount = paid[take].fillna(rows["amount_cents"])
    return pd.DataFrame(
        {
            "payment_id": rows["invoice_id"] + "/settled",
            "customer_id": rows["customer_id"],
            "invoice_id": rows["invoice_id"],
            "payment_date": settled[take],
            "amount_cents": amount,
            "source": "ledger",
            "_explicit": True,
            "_ctx": rows["_ctx"],
            "_row": rows["_row"],
        }
    )


def _payments(f: _Frame, log: ProblemLog, opts: Options, known: Masters) -> Staged:
    money = "paid_amount" if f.has("paid_amount") else "amount"
    explicit = f.get("payment_id", "str")
    payments = f.staging(
        {
            "payment_id": explicit,
            "customer_id": f.customer_id(),
            "invoice_id": f.get("invoice_id", "str"),
            "payment_date": f.get("payment_date", "datetime64[us]"),
            "amount_cents": f.get(money, "Int64"),
            "source": "payment",
            "_explicit": explicit.notna(),
        }
    )
    return Staged(payments=payments, customers=_attributes(f))


def _open_items(f: _Frame, log: ProblemLog, opts: Options, known: Masters) -> Staged:
    _drop_sum_rows(f, "invoice_id", "open_amount", log)
    as_of = _snapshot_date(f, log, opts)
    items = f.staging(
        {
            "invoice_id": f.get("invoice_id", "str"),
            "customer_id": f.customer_id(),
            "invoice_date": f.get("invoice_date", "datetime64[us]").astype("datetime64[us]"),
            "due_date": _due_dates(f, log, opts, known),
            "amount_cents": f.get("amount", "Int64").astype("Int64"),
            "open_cents": f.get("open_amount", "Int64"),
            "currency": f.currency("open_amount", opts.default_currency),
        }
    )
    snapshot = (as_of, items) if as_of is not None else None
    return Staged(snapshot=snapshot, customers=_attributes(f))


def _snapshot_date(f: _Frame, log: ProblemLog, opts: Options) -> pd.Timestamp | None:
    """The as-of date: the argument, else the as-of column, else a title line."""
    if opts.as_of is not None:
        return pd.Timestamp(opts.as_of)
    if f.has("as_of"):
        dates = f.values["as_of"].dropna().unique()
        if len(dates) == 1:
            return pd.Timestamp(dates[0])
        if len(dates) > 1:
            shown = ", ".join(f"{pd.Timestamp(d):%Y-%m-%d}" for d in sorted(dates)[:5])
            several = message(
                "ingest.as_of_several",
                "The as-of column holds several dates ({dates}); one open-items list must have "
                "one as-of date. Split the file by date or pass the as-of date.",
                dates=shown,
            )
            log.sheet(f.ctx, several, column="as_of")
            return None
    for line in f.ctx.title:
        found = parse.find_date(line)
        if found is not None:
            return pd.Timestamp(found)
    log.sheet(
        f.ctx,
        message(
            "ingest.as_of_missing",
            "This open-items list has no as-of date. Pass it (--as-of 2024-03-31, or the as-of "
            "date field), add an as-of column, or put it in a title line such as '截至2024年3月31日'.",
        ),
    )
    return None


def _customers(f: _Frame, log: ProblemLog, opts: Options, known: Masters) -> Staged:
    return Staged(customers=_attributes(f, master=True))


def _attributes(f: _Frame, *, master: bool = False) -> pd.DataFrame:
    """Customer rows from whatever customer columns the sheet has (duplicates removed).

    On a customer master (`master`) a row without id or name is kept so that
    validation reports it; elsewhere such rows are reported with the invoice.
    """
    columns = {"customer_id": f.customer_id()}
    for name in ATTRIBUTES:
        if f.has(name):
            columns[name] = f.values[name]
    if f.has("credit_limit"):
        columns["credit_limit_cents"] = f.values["credit_limit"]
    if f.has("payment_terms_days"):
        columns["payment_terms_days"] = f.values["payment_terms_days"]
    if master and f.has("currency"):
        columns["currency"] = f.values["currency"]
    out = f.staging(columns)
    if not master:
        out = out.dropna(subset=["customer_id"]).drop_duplicates(subset=list(columns))
    return out


def _rates(f: _Frame, log: ProblemLog, opts: Options, known: Masters) -> Staged:
    default_date = pd.Timestamp(opts.as_of) if opts.as_of is not None else pd.NaT
    rate_date = f.get("rate_date", "datetime64[us]").astype("datetime64[us]").fillna(default_date)
    rates = f.staging(
        {
            "currency": f.get("currency", "str"),
            "rate_date": rate_date,
            "rate": f.get("rate", "float64"),
        }
    )
    return Staged(rates=rates)
