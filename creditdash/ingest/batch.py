"""A batch of uploaded files -> canonical frames and every problem.

`parse_sources` reads each file (`read`), finds each sheet's header and
mapping (`mapping`), builds the staging frames of its kind (`shapes`),
checks the rows across the whole batch (`checks`) and returns a
`ParsedBatch`. It never raises for bad data: the caller raises
`errors.ImportRejected` when `batch.errors` is not empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pandas as pd

import creditdash.ingest.checks as checks
import creditdash.ingest.parse as parse
import creditdash.ingest.parts as parts
import creditdash.ingest.suspicious as suspicious
from creditdash import frames
from creditdash.errors import InvalidArgument, Problem
from creditdash.ingest.fields import missing_columns
from creditdash.ingest.guard import ReadLimits
from creditdash.ingest.layout import Control, read_structure
from creditdash.ingest.mapping import SheetMapping, adopt, duplicate_fields, propose, title_lines
from creditdash.ingest.problems import Message, ProblemLog, SheetContext, message
from creditdash.ingest.read import RawSheet, Source, read_source
from creditdash.ingest.shapes import Masters, Options, Staged, stage

ITEM_COLUMNS = [
    "invoice_id",
    "customer_id",
    "invoice_date",
    "due_date",
    "amount_cents",
    "open_cents",
    "currency",
    "document_id",
    "part",
]
_ITEM_DTYPES = {
    "invoice_id": "str",
    "customer_id": "str",
    "invoice_date": "datetime64[us]",
    "due_date": "datetime64[us]",
    "amount_cents": "Int64",
    "open_cents": "int64",
    "currency": "str",
    "document_id": "str",
    "part": "str",
}
_SHEET_EMPTY = message(
    "ingest.sheet_empty", "The sheet is empty. Upload the sheet that holds the data."
)
_NO_ROWS = message("ingest.sheet_no_rows", "The sheet has a header but no data rows.")
_MAP_EXAMPLE = 'e.g. --map "Bill Ref=invoice_id".'


@dataclass
class Snapshot:
    """One open-items export: the invoices open on `as_of` (ITEM_COLUMNS, cents).

    `complete` says the export lists every open invoice, so an invoice
    missing from it was paid.
    """

    as_of: pd.Timestamp
    complete: bool
    file: str
    items: pd.DataFrame
    as_of_note: Message | None = None  # why `as_of` was taken (given, a title line, ...)


class RowSource(Mapping):
    """(table, key) -> (file, sheet, excel_row) of the row a canonical row came from.

    Tables: "invoices" (invoice_id), "payments" (payment_id), "customers"
    (customer_id, the first row naming it). Lookups are built on first use.
    """

    def __init__(self, ctxs: list[SheetContext], tables: dict[str, pd.DataFrame]):
        self._ctxs = ctxs
        self._tables = tables  # table -> frame with columns key, _ctx, _row
        self._index: dict[str, pd.Series] = {}

    def _positions(self, table: str) -> pd.Series:
        if table not in self._index:
            keys = self._tables[table]["key"]
            first = ~keys.duplicated()
            self._index[table] = pd.Series(keys.index[first], index=keys[first].to_numpy())
        return self._index[table]

    def __getitem__(self, item: tuple[str, str]) -> tuple[str, str | None, int]:
        table, key = item
        if table not in self._tables or key not in self._positions(table).index:
            raise KeyError(item)
        row = self._tables[table].loc[self._positions(table)[key]]
        ctx = self._ctxs[int(row["_ctx"])]
        return ctx.file, ctx.sheet, int(row["_row"])

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for table in self._tables:
            for key in self._positions(table).index:
                yield table, key

    def __len__(self) -> int:
        return sum(len(self._positions(t)) for t in self._tables)


@dataclass
class ParsedBatch:
    """Everything a batch of files holds, in canonical frames (see creditdash.frames).

    invoices carry amount_cents in each row's own currency; payments with
    invoice_id <NA> are unapplied cash. `problems` lists every error and
    warning; `row_source` tells which file, sheet and row a key came from.
    """

    customers: pd.DataFrame
    invoices: pd.DataFrame
    payments: pd.DataFrame
    snapshots: list[Snapshot]
    rates: pd.DataFrame
    problems: list[Problem]
    mappings: list[SheetMapping]
    row_source: Mapping = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


def propose_mappings(
    sources: list[Source],
    *,
    sheet: str | None = None,
    header_rows: Mapping[tuple[str, str | None], int] | None = None,
    read_limits: ReadLimits | None = None,
) -> list[SheetMapping]:
    """The proposed mapping of every non-empty sheet of every file (unreadable files skipped).

    `header_rows` gives the header's Excel row of some sheets, by (file, sheet);
    `read_limits` bounds what reading a workbook may cost (see `guard.ReadLimits`).
    """
    log = ProblemLog()
    rows = header_rows or {}
    return [
        propose(raw, rows.get((raw.file, raw.sheet)))
        for source in sources
        for raw in read_source(source, log, sheet=sheet, limits=read_limits)
        if not raw.is_empty
    ]


def parse_sources(
    sources: list[Source],
    *,
    overrides: dict[str, str] | None = None,
    mappings: list[SheetMapping] | None = None,
    sheet: str | None = None,
    as_of: dt.date | None = None,
    complete: bool = False,
    default_terms_days: int = 30,
    terms_by_customer: Mapping[str, int] | None = None,
    default_currency: str = "CNY",
    max_bytes: int = 200 * 2**20,
    header_row: int | None = None,
    read_limits: ReadLimits | None = None,
) -> ParsedBatch:
    """Read, map, parse and check `sources`; every problem is in the result, none is raised.

    overrides   header text -> field ("" or "ignore" to ignore), for every sheet
    mappings    mappings edited by the user; they take precedence over proposals
    as_of       the date of open-items exports (else an as-of column or title line)
    header_row  the Excel row of the header in every sheet, instead of finding it
    read_limits what reading a workbook may cost (see `guard.ReadLimits`)
    """
    opts = _options(as_of, complete, default_terms_days, terms_by_customer, default_currency)
    log = ProblemLog()
    plans, adopted = _plan(
        sources, log, sheet, max_bytes, mappings or [], overrides or {}, header_row, read_limits
    )
    ctxs: list[SheetContext] = []
    staged: list[Staged] = []
    known = Masters()
    for raw, mapping in sorted(plans, key=lambda p: p[1].kind != "customers"):
        ctx = _context(raw, mapping, log)
        if ctx is None:
            continue
        ctxs.append(ctx)
        result = stage(ctx, len(ctxs) - 1, log, opts, known)
        staged.append(result)
        if result.kind == "customers":
            known.learn(result.customers)
    return _assemble(staged, ctxs, log, opts, adopted)


def _options(as_of, complete, default_terms_days, terms_by_customer, default_currency) -> Options:
    currency = str(default_currency).strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise InvalidArgument.coded(
            "error.ingest.currency",
            "`default_currency` must be a 3-letter code such as CNY. Got {currency!r}.",
            currency=default_currency,
        )
    if int(default_terms_days) < 0:
        raise InvalidArgument.coded(
            "error.ingest.terms_days", "`default_terms_days` must be 0 or more. Got {days}.",
            days=default_terms_days,
        )  # fmt: skip
    day = None if as_of is None else pd.Timestamp(as_of).date()
    return Options(
        day, bool(complete), int(default_terms_days), dict(terms_by_customer or {}), currency
    )


def _plan(
    sources: list[Source],
    log: ProblemLog,
    sheet: str | None,
    max_bytes: int,
    mappings: list[SheetMapping],
    overrides: Mapping[str, str],
    header_row: int | None = None,
    read_limits: ReadLimits | None = None,
) -> tuple[list[tuple[RawSheet, SheetMapping]], list[SheetMapping]]:
    """(sheets worth parsing with the mapping to use, every non-empty sheet's mapping).

    Empty sheets and sheets of unknown kind are reported: as errors when
    nothing else in their file can be read, else as warnings (skipped).
    """
    edited = {(m.file, m.sheet): m for m in mappings}
    plans: list[tuple[RawSheet, SheetMapping]] = []
    adopted: list[SheetMapping] = []
    for source in sources:
        raws = read_source(source, log, sheet=sheet, max_bytes=max_bytes, limits=read_limits)
        candidates: list[tuple[RawSheet, SheetMapping | None, Message | None]] = []
        for raw in raws:
            if raw.is_empty:
                candidates.append((raw, None, _SHEET_EMPTY))
                continue
            mapping = adopt(
                propose(raw),
                raw,
                user=edited.get((raw.file, raw.sheet)),
                overrides=overrides,
                header_row=header_row,
            )
            why = None
            if mapping.kind == "unknown":
                why = _SUMMARY_ONLY if mapping.layout == "summary_aging" else _unrecognised(mapping)
            elif mapping.n_rows == 0:
                why = _NO_ROWS
            candidates.append((raw, mapping, why))
            adopted.append(mapping)
        usable = any(why is None for _, _, why in candidates)
        for raw, chosen, why in candidates:
            if why is None:
                assert chosen is not None  # only an empty sheet has none, and it says why
                plans.append((raw, chosen))
                continue
            if usable and sheet is None:
                log.file(raw.file, _skipped(why), sheet=raw.sheet, level="warning")
            else:
                log.file(raw.file, why, sheet=raw.sheet)
    return plans, adopted


def _found(mapping: SheetMapping) -> str:
    """The sheet's header texts as `'A', 'B'` (columns without a header left out)."""
    return ", ".join(repr(h) for h in mapping.headers if not h.startswith("(column "))


def _unrecognised(mapping: SheetMapping) -> Message:
    """A sheet of unknown kind: no invoice id, date or amount column was found."""
    found = _found(mapping)
    if not found:
        return message(
            "ingest.sheet_unrecognised_no_headers",
            "No recognisable invoice id, date or amount column (columns found: none). "
            "Rename the headers or map them, " + _MAP_EXAMPLE,
        )
    return message(
        "ingest.sheet_unrecognised",
        "No recognisable invoice id, date or amount column (columns found: {found}). "
        "Rename the headers or map them, " + _MAP_EXAMPLE,
        found=found,
    )


def _skipped(why: Message) -> Message:
    """`why` as a warning: the sheet is left out and the rest of the file imported."""
    return Message(f"{why.code}.skipped", why.text + " The sheet was skipped.", why.params)


def _context(raw: RawSheet, mapping: SheetMapping, log: ProblemLog) -> SheetContext | None:
    """The sheet's context with its body, or None (reported) when it cannot be parsed."""
    ctx = SheetContext(file=raw.file, sheet=raw.sheet, kind=mapping.kind, headers=mapping.fields)
    for name, headers in duplicate_fields(mapping).items():
        log.sheet(ctx, _same_field(name, headers))
        return None
    structure = read_structure(raw, mapping)
    ctx.headers = structure.headers
    missing = missing_columns(mapping.kind, set(structure.headers))
    if missing:
        log.sheet(ctx, _missing(mapping, missing))
        return None
    ctx.title = title_lines(raw.cells, mapping.header_row - 1)
    ctx.footer = structure.footer
    ctx.decimal_mark = raw.decimal_mark
    ctx.body = structure.body
    suspicious.headerless_data(raw, mapping, ctx, log)
    suspicious.uncached_formulas(raw, mapping, ctx, log)
    for why in structure.dropped.values():
        log.sheet(ctx, why, level="warning")
    if mapping.kind == "customers":
        figures = _unmapped_figures(raw, mapping)
        if figures:
            log.sheet(ctx, _master_with_figures(figures), level="warning")
    for row, column, said, level in structure.problems:
        log.sheet(ctx, said, level=level, column=column, row=row)
    if structure.headings and structure.headers.get("customer_name") == "(group heading)":
        first = min(structure.headings)
        log.sheet(ctx, _carried(len(structure.headings), first, structure.headings[first]),
                  level="warning", row=first)  # fmt: skip
    if structure.controls and not structure.problems:
        log.sheet(ctx, _totals_checked(structure.controls), level="warning",
                  row=structure.controls[0].row)  # fmt: skip
    return ctx


def _unmapped_figures(raw: RawSheet, mapping: SheetMapping, sample: int = 200) -> list[str]:
    """Headers of unmapped columns whose cells are mostly amounts or dates."""
    data = raw.cells.iloc[mapping.header_row : mapping.header_row + sample]
    found = []
    for header in mapping.ignored:
        text = data[mapping.headers.index(header)].fillna("").astype("str").str.strip()
        text = text[text != ""]
        if len(text) < 2:
            continue
        money, dates = parse.parse_money(text), parse.parse_dates(text)
        readable = max(int(money.values.notna().sum()), int(dates.values.notna().sum()))
        if readable >= 0.8 * len(text):
            found.append(header)
    return found


def _master_with_figures(headers: list[str]) -> Message:
    return message(
        "ingest.master_with_figures",
        "This sheet was read as a customer master, so its columns {columns} (amounts or dates) "
        "were not imported. If it lists invoices, map the invoice id, date and amount columns.",
        columns=", ".join(repr(h) for h in headers),
    )


_SUMMARY_ONLY = message(
    "ingest.summary_aging",
    "This is a summary aging report: one row per customer with totals by age, and no invoices. "
    "It cannot give the invoices or their payment history. Export the detailed report instead "
    "(e.g. SAP FBL5N open items, 金蝶 应收款明细表, QuickBooks A/R Aging Detail, Xero Aged "
    "Receivables Detail), or map the sheet as a customer master.",
)


def _carried(n: int, row: int, text: str) -> Message:
    return message(
        "ingest.customer_from_headings",
        "The customer of each row was taken from the group heading above it ({n} headings, "
        "the first on row {row}: {text!r}).",
        n=n,
        row=row,
        text=text,
    )


def _totals_checked(controls: list[Control]) -> Message:
    return message(
        "ingest.totals_checked",
        "{n} subtotal and total rows were recognised and each equals the rows it totals; "
        "they were not imported as data.",
        n=len(controls),
    )


def _missing(mapping: SheetMapping, missing: list[str]) -> Message:
    """Required columns absent; one code per kind, so the kind translates with the sentence."""
    template = (
        "No {missing} column was recognised in this "
        + mapping.kind.replace("_", " ")
        + " sheet (columns found: {found}). Rename the header or map a column to it, "
        + _MAP_EXAMPLE
    )
    return message(
        f"ingest.missing_columns.{mapping.kind}",
        template,
        missing=" / ".join(missing),
        found=_found(mapping),
    )


def _same_field(name: str, headers: list[str]) -> Message:
    """Several columns mapped to field `name` (two in practice; more get one joined list)."""
    if len(headers) == 2:
        return message(
            "ingest.columns_same_field",
            "The columns {first!r} and {second!r} are all mapped to {field}. "
            "Map all but one of them to 'ignore'.",
            first=headers[0],
            second=headers[1],
            field=name,
        )
    return message(
        "ingest.columns_same_field.many",
        "The columns {columns} are all mapped to {field}. Map all but one of them to 'ignore'.",
        columns=" and ".join(repr(h) for h in headers),
        field=name,
    )


def _concat(parts: list[pd.DataFrame | None]) -> pd.DataFrame:
    parts = [p for p in parts if p is not None and len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["_ctx", "_row"])


def _assemble(
    staged: list[Staged],
    ctxs: list[SheetContext],
    log: ProblemLog,
    opts: Options,
    mappings: list[SheetMapping],
) -> ParsedBatch:
    """The batch-wide checks, then the canonical frames."""
    invoices = _concat([s.invoices for s in staged])
    if len(invoices):
        invoices = checks.validate(invoices, checks.schema("invoices"), ctxs, log)
        masters = (s.customers for s in staged if s.kind == "customers")
        invoices = parts.split_documents(
            invoices, ctxs, log, checks.INVOICE_CONTENT, parts.retention_terms(masters)
        )
        suspicious.credit_notes(invoices, ctxs, log)
    paying = parts.name_items(_concat([s.payments for s in staged]), invoices)
    payments = _payments(paying, invoices, ctxs, log)
    suspicious.overpayments(payments, invoices, ctxs, log)
    customers = _customers(staged, ctxs, log)
    rates = _concat([s.rates for s in staged])
    if len(rates):
        rates = checks.validate(rates, checks.schema("rates"), ctxs, log)
    snapshots = [_snapshot(s, ctxs, log, opts) for s in staged if s.snapshot is not None]
    tables = {
        "invoices": _keys(invoices, "invoice_id"),
        "payments": _keys(payments, "payment_id"),
        "customers": _keys(customers, "customer_id"),
    }
    return ParsedBatch(
        customers=frames.conform(customers, frames.CUSTOMER_COLUMNS),
        invoices=frames.conform(invoices, frames.INVOICE_COLUMNS),
        payments=frames.conform(payments, frames.PAYMENT_COLUMNS),
        snapshots=snapshots,
        rates=frames.conform(rates, frames.RATE_COLUMNS),
        problems=log.problems,
        mappings=mappings,
        row_source=RowSource(ctxs, tables),
    )


def _keys(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    if key not in frame.columns:
        return pd.DataFrame({"key": pd.Series(dtype="str"), "_ctx": [], "_row": []})
    return pd.DataFrame({"key": frame[key], "_ctx": frame["_ctx"], "_row": frame["_row"]})


def _payments(
    payments: pd.DataFrame, invoices: pd.DataFrame, ctxs: list[SheetContext], log: ProblemLog
) -> pd.DataFrame:
    """Checked payments with ids; a settled ledger row pays only if its invoice was kept."""
    if payments.empty:
        return payments
    ledger = (payments["source"] == "ledger").to_numpy(dtype=bool)
    if ledger.any():
        kept = pd.MultiIndex.from_arrays([invoices.get("_ctx", []), invoices.get("_row", [])])
        here = pd.MultiIndex.from_arrays([payments["_ctx"], payments["_row"]])
        payments = payments[~ledger | here.isin(kept)]
    if len(invoices):
        owner = parts.owners(invoices)
        payments = payments.assign(
            customer_id=payments["customer_id"].fillna(payments["invoice_id"].map(owner))
        )
    unknown = message(
        "ingest.payment_customer_unknown",
        "The customer is empty and the invoice this pays is not in the upload. "
        "Fill in the customer id or name.",
    )
    payments = checks.validate(
        payments, checks.schema("payments"), ctxs, log, empty={"customer_id": unknown}
    )
    if payments.empty:
        return payments
    explicit = payments["_explicit"].astype(bool).to_numpy()
    if not explicit.all():
        derived = checks.payment_ids(payments[~explicit])
        payments.loc[~explicit, "payment_id"] = derived
    payments = checks.deduplicate(
        payments, "payment_id", checks.PAYMENT_CONTENT, ctxs, log, what="payment"
    )
    checks.early_payments(payments, invoices, ctxs, log)
    return payments


def _customers(staged: list[Staged], ctxs: list[SheetContext], log: ProblemLog) -> pd.DataFrame:
    """One row per customer; a customer master's values come first, then invoice rows'."""
    parts = [s for s in staged if s.customers is not None and len(s.customers)]
    masters = [
        checks.validate(s.customers, checks.schema("customers"), ctxs, log)
        for s in parts
        if s.kind == "customers"
    ]
    rows = _concat([*masters, *(s.customers for s in parts if s.kind != "customers")])
    if rows.empty:
        return rows
    return rows.groupby("customer_id", sort=False).first().reset_index()


def _snapshot(staged: Staged, ctxs: list[SheetContext], log: ProblemLog, opts: Options) -> Snapshot:
    assert staged.snapshot is not None  # called for the sheets that made a snapshot
    as_of, items = staged.snapshot
    items = checks.validate(items, checks.schema("open_items"), ctxs, log)
    items = parts.split_documents(items, ctxs, log, checks.ITEM_CONTENT)
    file = ctxs[staged.ctx_id].file
    out = pd.DataFrame(
        {c: items[c] if c in items else pd.Series(dtype="object") for c in ITEM_COLUMNS}
    )
    out = out.astype(_ITEM_DTYPES).reset_index(drop=True)
    return Snapshot(
        as_of=pd.Timestamp(as_of),
        complete=opts.complete,
        file=file,
        items=out,
        as_of_note=staged.as_of_note,
    )
