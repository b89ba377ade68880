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
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import creditdash.ingest.movements as movements
import creditdash.ingest.parse as parse
import creditdash.ingest.parts as parts
from creditdash.i18n import Text
from creditdash.ingest.asof import find_as_of
from creditdash.ingest.fields import ATTRIBUTES, BAD_VALUE, PARSERS, USES
from creditdash.ingest.problems import Message, ProblemLog, SheetContext, message
from creditdash.money import format_cents


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
    as_of_note: Message | None = None  # why the snapshot's date was taken
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
        if parser is parse.parse_money:
            result = parse.parse_money(body[name], decimal_mark=ctx.decimal_mark)
        else:
            result = parser(body[name])
        parsed[name] = result
        bad = result.bad.to_numpy(dtype=bool)
        if bad.any():
            code, template = BAD_VALUE[parser]
            noted = [c.cells.to_numpy(dtype=bool) for c in result.cell_notes]
            log.rows(
                ctx, body.index[bad & ~np.logical_or.reduce(noted)], name, _said(code, template)
            )
            for cell_note, cells in zip(result.cell_notes, noted, strict=True):
                noted_said = _said(cell_note.code, cell_note.template, cell_note.params)
                log.rows(ctx, body.index[cells], name, noted_said)
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
        "movements": _movements,
    }[ctx.kind]
    staged = builder(frame, log, opts, known)
    staged.kind, staged.ctx_id = ctx.kind, ctx_id
    return staged


def _said(
    code: str, template: str, params: Mapping[str, object] | None = None
) -> Callable[[int, str | None], Message]:
    """The message of a bad cell, from (its row, its text)."""
    return lambda _row, value: message(code, template, value=value, **(params or {}))


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


def _invoices(f: _Frame, log: ProblemLog, opts: Options, known: Masters) -> Staged:
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
            **parts.staging_columns(f.values),
        }
    )
    payments = _settlements(f, log, invoices, opts) if ledger else None
    return Staged(invoices=invoices, payments=payments, customers=_attributes(f))


def _settlements(
    f: _Frame, log: ProblemLog, invoices: pd.DataFrame, opts: Options
) -> pd.DataFrame | None:
    """A payment per ledger row with a settled date or a paid amount.

    A paid amount without a settled date is paid on the export date when the
    file or the caller gives one; otherwise the row is refused, never dropped.
    """
    paid = f.get("paid_amount", "Int64")
    settled = f.get("payment_date", "datetime64[us]").astype("datetime64[us]")
    undated = (paid.notna() & (paid != 0) & settled.isna()).to_numpy(dtype=bool)
    if undated.any():
        found = _report_date(f, opts)
        if found is None:
            unpaid = message(
                "ingest.paid_without_date",
                "This row has a paid amount but no settled date, and the file gives no export "
                "date to date it by. Add the date it was paid, or give the export date "
                "(--as-of, or the date on the Data page).",
            )
            log.rows(f.ctx, f.rows[undated], "paid_amount", unpaid)
            return None
        day, why = found
        settled = settled.copy()
        settled[undated] = day
        log.sheet(f.ctx, _paid_on_export_date(int(undated.sum()), day, why), level="warning",
                  column="paid_amount")  # fmt: skip
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


def _paid_on_export_date(n: int, day: pd.Timestamp, why: Message) -> Message:
    return message(
        "ingest.paid_on_export_date",
        "{n:,} paid amounts have no settled date; they were taken as paid on the export date "
        "{date} ({why}).",
        n=n,
        date=f"{day:%Y-%m-%d}",
        why=Text(why.code, why.params, why.text),
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
            **parts.staging_columns(f.values),
        }
    )
    return Staged(payments=payments, customers=_attributes(f))


def _open_items(f: _Frame, log: ProblemLog, opts: Options, known: Masters) -> Staged:
    """One open-items snapshot (module docstring).

    The open amount is the file's, else amount less paid (and credited); where
    the file gives all three, each row must add up. Items without a document
    number (payments on account, credits) get a stable derived id; items the
    file marks as cleared are not open.
    """
    if not _open_amounts(f, log) or not _cleared_items(f, log):
        return Staged(customers=_attributes(f))
    found = _report_date(f, opts, log)
    ids = _item_ids(f, log)
    items = f.staging(
        {
            "invoice_id": ids,
            "customer_id": f.customer_id(),
            "invoice_date": f.get("invoice_date", "datetime64[us]").astype("datetime64[us]"),
            "due_date": _due_dates(f, log, opts, known),
            "amount_cents": f.get("amount", "Int64").astype("Int64"),
            "open_cents": f.get("open_amount", "Int64"),
            "currency": f.currency("open_amount", opts.default_currency),
            **parts.staging_columns(f.values),
        }
    )
    if found is None:
        return Staged(customers=_attributes(f))
    _check_arrears(f, found[0], log)
    return Staged(snapshot=(found[0], items), as_of_note=found[1], customers=_attributes(f))


def _open_amounts(f: _Frame, log: ProblemLog) -> bool:
    """Fill the open amount from amount - paid - credited, or check it against them."""
    parts = [n for n in ("paid_amount", "credit_note_amount") if f.has(n)]
    if not f.has("open_amount"):
        open_ = f.values["amount"].copy()
        for name in parts:
            open_ = open_ - f.values[name].fillna(0)
        f.values["open_amount"] = open_
        return True
    if not (f.has("amount") and parts):
        return True
    expected = f.values["amount"].copy()
    for name in parts:
        expected = expected - f.values[name].fillna(0)
    given = f.values["open_amount"]
    wrong = (expected.notna() & given.notna() & (expected != given)).to_numpy(dtype=bool)
    if wrong.any():
        shown = dict(zip(f.rows[wrong], expected[wrong], strict=True))
        log.rows(
            f.ctx,
            f.rows[wrong],
            "open_amount",
            lambda r, v: message(
                "ingest.open_amount_does_not_add_up",
                "The outstanding amount {value} is not the amount less what was paid and "
                "credited ({expected}). Export the report again; creditdash will not guess which "
                "figure is right.",
                value=v,
                expected=format_cents(int(shown[r]), ","),
            ),
        )
        return False
    return True


def _cleared_items(f: _Frame, log: ProblemLog) -> bool:
    """Rows with a clearing document are paid: refused in an open-items list without their date."""
    if not f.has("clearing_id"):
        return True
    cleared = f.values["clearing_id"].notna().to_numpy(dtype=bool)
    if not cleared.any():
        return True
    log.rows(
        f.ctx,
        f.rows[cleared],
        "clearing_id",
        message(
            "ingest.cleared_item_in_open_items",
            "This item has a clearing document, so it is paid, but the sheet has no clearing "
            "date to say when. Export open items only, or add the clearing date column.",
        ),
    )
    return False


def _item_ids(f: _Frame, log: ProblemLog) -> pd.Series:
    """The document number, else `<customer>/<date>/<cents>` (then `/2`, `/3` for repeats).

    The derived id depends only on the row's content, so importing the same
    export twice changes nothing.
    """
    ids = f.get("invoice_id", "str").astype("str")
    missing = ids.isna().to_numpy(dtype=bool)
    if not missing.any():
        return ids
    customer = f.customer_id()[missing].astype("str").fillna("")
    day = f.get("invoice_date", "datetime64[us]").astype("datetime64[us]")
    day = day.fillna(f.get("due_date", "datetime64[us]").astype("datetime64[us]"))[missing]
    cents = f.values["open_amount"][missing]
    base = (
        customer
        + "/"
        + day.dt.strftime("%Y-%m-%d").fillna("")
        + "/"
        + cents.astype("str").fillna("")
    )
    repeat = base.groupby(base).cumcount()
    derived = base.where(repeat == 0, base + "/" + (repeat + 1).astype(str))
    ids = ids.copy()
    ids[missing] = derived
    log.sheet(f.ctx, _derived(int(missing.sum()), str(derived.iloc[0])), level="warning",
              column="invoice_id" if f.has("invoice_id") else None)  # fmt: skip
    return ids


def _derived(n: int, example: str) -> Message:
    return message(
        "ingest.item_id_derived",
        "{n:,} open items have no document number (payments on account, credits); each was "
        "given an id from its customer, date and amount, e.g. {example!r}.",
        n=n,
        example=example,
    )


def _check_arrears(f: _Frame, as_of: pd.Timestamp, log: ProblemLog) -> None:
    """Days overdue the file gives must be counted at the as-of date used (a warning)."""
    if not (f.has("days_overdue") and f.has("due_date")):
        return
    days = f.values["days_overdue"]
    due = f.values["due_date"].astype("datetime64[us]")
    counted = (as_of - due).dt.days
    off = (days.notna() & counted.notna() & (days != counted)).to_numpy(dtype=bool)
    if off.any():
        implied = _arrears_date(f)
        log.sheet(
            f.ctx,
            message(
                "ingest.arrears_other_date",
                "The file's days overdue were counted at another date ({implied}) than the "
                "as-of date used ({as_of}); aging follows {as_of}.",
                implied=f"{implied:%Y-%m-%d}" if implied is not None else "?",
                as_of=f"{as_of:%Y-%m-%d}",
            ),
            level="warning",
            column="days_overdue",
        )


def _arrears_date(f: _Frame) -> pd.Timestamp | None:
    """The one date that every row's due date + days overdue gives, else None."""
    if not (f.has("days_overdue") and f.has("due_date")):
        return None
    due = f.values["due_date"].astype("datetime64[us]")
    days = f.values["days_overdue"]
    both = (due.notna() & days.notna()).to_numpy(dtype=bool)
    if not both.any():
        return None
    offsets = pd.to_timedelta(days[both].astype("float64").to_numpy(), unit="D")
    dates = (due[both] + offsets).unique()
    return pd.Timestamp(dates[0]) if len(dates) == 1 else None


def _report_date(
    f: _Frame, opts: Options, log: ProblemLog | None = None
) -> tuple[pd.Timestamp, Message] | None:
    """(the export date, why it was taken): the argument, an as-of column, a title or footer
    line, or the due dates plus days overdue (SAP). With `log`, its absence is an error."""
    if opts.as_of is not None:
        return pd.Timestamp(opts.as_of), message("ingest.as_of_from.argument", "given on import")
    if f.has("as_of"):
        dates = f.values["as_of"].dropna().unique()
        if len(dates) == 1:
            why = message("ingest.as_of_from.column", "from the column '{column}'",
                          column=f.ctx.header("as_of"))  # fmt: skip
            return pd.Timestamp(dates[0]), why
        if len(dates) > 1:
            if log is not None:
                shown = ", ".join(f"{pd.Timestamp(d):%Y-%m-%d}" for d in sorted(dates)[:5])
                several = message(
                    "ingest.as_of_several",
                    "The as-of column holds several dates ({dates}); one open-items list must "
                    "have one as-of date. Split the file by date or pass the as-of date.",
                    dates=shown,
                )
                log.sheet(f.ctx, several, column="as_of")
            return None
    found = find_as_of(f.ctx.title + f.ctx.footer)
    if found is not None:
        code = "ingest.as_of_from.period" if found.period else "ingest.as_of_from.title"
        text = "from the end of the period in '{line}'" if found.period else "from '{line}'"
        return pd.Timestamp(found.date), message(code, text, line=found.line)
    implied = _arrears_date(f)
    if implied is not None:
        why = message("ingest.as_of_from.arrears", "the due dates plus the days overdue in "
                      "'{column}'", column=f.ctx.header("days_overdue"))  # fmt: skip
        return implied, why
    if log is not None:
        log.sheet(
            f.ctx,
            message(
                "ingest.as_of_missing",
                "This open-items list has no as-of date. Pass it (--as-of 2024-03-31, or the "
                "as-of date field), add an as-of column, or put it in a title line such as "
                "'截至2024年3月31日'.",
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
    if master:
        columns.update(parts.staging_columns(f.values))
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


# --- debit / credit / balance ledgers ---------------------------------------------------

_CREDIT_SIDE = ("贷", "cr", "credit", "h", "haben")
_FLAT = ("平", "0", "flat", "nil")


def _movements(f: _Frame, log: ProblemLog, opts: Options, known: Masters) -> Staged:
    """A customer ledger of debits, credits and running balances (用友 三栏式): the open items
    are rebuilt from the movements (see `movements`); its balances and totals are checks."""
    dates = _movement_dates(f, log)
    if dates is None:
        return Staged(customers=_attributes(f))
    summary = f.get("summary", "str")
    lines = pd.DataFrame(
        {
            "customer_id": f.customer_id(),
            "customer_name": f.get("customer_name", "str"),
            "date": dates,
            "voucher": f.get("voucher", "str"),
            "document": f.get("invoice_id", "str"),
            "summary": summary,
            "debit_cents": f.get("debit", "Int64"),
            "credit_cents": f.get("credit", "Int64"),
            "balance_cents": _signed_balance(f),
            "line_kind": movements.classify_lines(summary),
        },
        index=f.rows,
    )
    rebuilt = movements.rebuild(lines)
    rebuilt.report(log, f.ctx)
    if rebuilt.has_errors:
        return Staged(customers=_attributes(f))
    inv, pay = rebuilt.invoices, rebuilt.payments
    days = _terms(inv["customer_id"], opts, known)
    invoices = pd.DataFrame(
        {
            "invoice_id": inv["invoice_id"],
            "customer_id": inv["customer_id"],
            "invoice_date": inv["invoice_date"],
            "due_date": inv["invoice_date"] + pd.to_timedelta(days, unit="D"),
            "amount_cents": inv["amount_cents"],
            "currency": _one_currency(f, opts),
            "disputed": False,
            "source": "movements",
            "_ctx": f.ctx_id,
            "_row": inv["_row"].astype("int64"),
        }
    )
    payments = pd.DataFrame(
        {
            "payment_id": pay["payment_id"],
            "customer_id": pay["customer_id"],
            "invoice_id": pay["invoice_id"],
            "payment_date": pay["payment_date"],
            "amount_cents": pay["amount_cents"],
            "source": "movements",
            "_explicit": True,
            "_ctx": f.ctx_id,
            "_row": pay["_row"].astype("int64"),
        }
    )
    return Staged(invoices=invoices, payments=payments, customers=_attributes(f))


def _one_currency(f: _Frame, opts: Options) -> str:
    """The ledger's currency: its currency column's one value, else the default."""
    if f.has("currency"):
        found = f.values["currency"].dropna().unique()
        if len(found) == 1:
            return str(found[0])
    return opts.default_currency


def _signed_balance(f: _Frame) -> pd.Series:
    """The running balance, negative on the credit side (方向 贷), 0 where 平."""
    balance = f.get("open_amount", "Int64")
    if not f.has("direction"):
        return balance
    side = f.values["direction"].fillna("").str.strip().str.casefold()
    credit = side.isin(_CREDIT_SIDE).to_numpy(dtype=bool)
    flat = side.isin(_FLAT).to_numpy(dtype=bool)
    out = balance.copy()
    out[credit] = -out[credit].abs()
    out[flat] = 0
    return out


def _terms(customers: pd.Series, opts: Options, known: Masters) -> np.ndarray:
    """Payment terms in days per row: the customer's, else the default."""
    days = pd.Series(np.nan, index=customers.index)
    for lookup in (opts.terms_by_customer, known.terms):
        if lookup:
            days = days.fillna(customers.map(dict(lookup)).astype("float64"))
    return days.fillna(opts.default_terms_days).to_numpy(dtype="int64")


def _movement_dates(f: _Frame, log: ProblemLog) -> pd.Series | None:
    """The line dates: a date column, else year / month / day columns (the year from a title
    line such as '2025年度' when the sheet has no year column)."""
    if f.has("invoice_date"):
        return f.values["invoice_date"].astype("datetime64[us]")
    if f.has("year"):
        year = f.values["year"]
    else:
        found = re.search(r"(19|20)\d{2}", " ".join(f.ctx.title))
        if found is None:
            log.sheet(
                f.ctx,
                message(
                    "ingest.movements_year_missing",
                    "The ledger gives months and days but no year: add the year column, or the "
                    "year in a title line such as '2025年度'.",
                ),
            )
            return None
        year = pd.Series(float(found.group(0)), index=f.rows)
    parts_ = pd.DataFrame(
        {"year": year, "month": f.get("month", "Float64"), "day": f.get("day", "Float64")}
    ).astype("float64")
    return pd.to_datetime(parts_, errors="coerce").astype("datetime64[us]")
