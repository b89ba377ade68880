"""What an import would do: parse the files, check them against the stored rows, diff.

`parse` reads the files through `creditdash.ingest` (before the import lock);
`plan_import` then compares the batch with what is stored, on the
connection that holds the lock, and returns the `ImportPlan` that
`creditdash.importing.write` writes. Open-items snapshots become the invoices
and payment events they imply here. Every problem found is raised at once
as `ImportRejected`; nothing is written by this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from creditdash.documents import spread_over_items
from creditdash.errors import ImportRejected, Problem
from creditdash.frames import (
    CUSTOMER_COLUMNS,
    INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    conform,
    text_in,
)
from creditdash.i18n import Text
from creditdash.importing.diff import (
    DB_NAMES,
    TABLES,
    diff_table,
    rates_frame,
    replaced_warning,
    superseded,
)
from creditdash.ingest import ParsedBatch, SheetMapping, Source, parse_sources
from creditdash.ingest.checks import too_long_message
from creditdash.ingest.problems import message
from creditdash.store.load import read_customers, read_invoices, read_payments, read_rates

Progress = Callable[[float, Text], None]  # (share done, what is being done)


@dataclass
class TableCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    """What an import did (or, with dry_run, would do)."""

    import_id: int | None
    files: list[str]
    kinds: list[str]
    rows_read: int
    counts: dict[str, TableCounts] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    snapshots: int = 0
    dry_run: bool = False
    as_of_dates: list[tuple[str, date]] = field(default_factory=list)  # file, report date
    as_of_reasons: list[Text] = field(default_factory=list)  # why each date was taken
    ignored_columns: list[str] = field(default_factory=list)  # "file: header" read for nothing
    mappings: list[SheetMapping] = field(default_factory=list)  # how each sheet was read

    @property
    def new(self) -> int:
        return sum(c.new for c in self.counts.values())

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.counts.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.counts.values())

    @property
    def nothing_changed(self) -> bool:
        return self.new == 0 and self.changed == 0

    def texts(self) -> list[Text]:
        """The summary, a headline then one line per file set and table, to render in a language."""
        if self.dry_run:
            head = Text("import.summary.dry_run")
        elif self.nothing_changed:
            head = Text("import.summary.nothing_changed")
        else:
            head = Text("import.summary.written", {"id": self.import_id})
        kinds = [Text(f"kind.{k}") for k in self.kinds]
        out = [
            head,
            Text("import.summary.files",
                 {"files": ", ".join(self.files), "kinds": kinds, "rows": self.rows_read}),
        ]  # fmt: skip
        for table, c in self.counts.items():
            if c.new or c.changed or c.unchanged:
                out.append(Text("import.summary.table", {
                    "table": Text(f"import.table.{table}"), "new": c.new, "changed": c.changed,
                    "unchanged": c.unchanged}))  # fmt: skip
        if self.snapshots:
            out.append(Text("import.summary.snapshots", {"n": self.snapshots}))
        for m in self.mappings:
            where = m.file if m.sheet is None else f"{m.file} [{m.sheet}]"
            layout = Text(f"layout.{m.layout}")
            out.append(Text("import.summary.layout", {"file": where, "layout": layout}))
            if m.profile:
                out.append(Text("import.summary.profile", {"file": where, "name": m.profile}))
        for (file, day), why in zip(self.as_of_dates, self.as_of_reasons, strict=True):
            out.append(Text("import.summary.as_of", {"file": file, "date": f"{day:%Y-%m-%d}",
                                                     "why": why}))  # fmt: skip
        if self.ignored_columns:
            out.append(Text("import.summary.ignored", {"columns": ", ".join(self.ignored_columns)}))
        return out

    def lines(self) -> list[str]:
        """The summary as printable English lines, the warnings last."""
        return [str(t) for t in self.texts()] + [str(w) for w in self.warnings]


def _read_as(batch: ParsedBatch) -> dict:
    """How the files were read: layouts, report dates and why, columns read for nothing."""
    snaps = sorted(batch.snapshots, key=lambda s: s.file)
    reasons = [
        Text(s.as_of_note.code, s.as_of_note.params, s.as_of_note.text)
        if s.as_of_note is not None
        else Text("ingest.as_of_from.argument")
        for s in snaps
    ]
    return {
        "as_of_dates": [(s.file, s.as_of.date()) for s in snaps],
        "as_of_reasons": reasons,
        "ignored_columns": [f"{m.file}: {h}" for m in batch.mappings for h in m.ignored],
        "mappings": list(batch.mappings),
    }


@dataclass
class ImportPlan:
    """What an import writes: per table the new rows, the changed rows and their stored state
    before (`tables`), the stored frames compared with (`existing`), the stored invoices its
    documents replace (`gone`) and the open-items snapshots it records."""

    summary: ImportSummary
    tables: dict[str, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]
    existing: dict[str, pd.DataFrame]
    gone: pd.DataFrame
    snapshots: list
    reporting_currency: str


def parse(
    engine: Engine,
    sources: list[Source],
    *,
    reporting_currency: str,
    default_terms_days: int,
    **options,
) -> ParsedBatch:
    """The files read by `creditdash.ingest.parse_sources` (`options` are its keywords), with
    the stored customers' payment terms; ImportRejected listing every problem when any is an
    error. Its frames are canonical (`creditdash.contracts.canonical`)."""
    stored_customers = read_customers(engine)
    terms = stored_customers.dropna(subset=["payment_terms_days"])
    batch = parse_sources(
        sources,
        default_terms_days=default_terms_days,
        terms_by_customer=dict(
            zip(terms["customer_id"], terms["payment_terms_days"].astype(int), strict=True)
        ),
        default_currency=reporting_currency,
        **options,
    )
    if any(p.level == "error" for p in batch.problems):
        raise ImportRejected(list(batch.problems))
    # the boundary: every frame the import takes from ingest is coerced, then held to its
    # contract (pandera's, loaded here: the app's pages start without it)
    from creditdash.contracts import canonical

    return replace(
        batch,
        customers=canonical(batch.customers, "customers"),
        invoices=canonical(batch.invoices, "invoices"),
        payments=canonical(batch.payments, "payments"),
        rates=canonical(batch.rates, "rates"),
    )


def plan_import(
    conn: Connection,
    sources: list[Source],
    batch: ParsedBatch,
    reporting_currency: str,
    dry_run: bool,
    report: Progress,
) -> ImportPlan:
    """Compare `batch` with the stored rows read on `conn`; ImportRejected on any error."""
    problems = list(batch.problems)
    stored_customers = read_customers(conn)
    stored_invoices = read_invoices(conn)
    stored_payments = read_payments(conn) if batch.snapshots or len(batch.payments) else None
    stored_rates = read_rates(conn)
    invoices = batch.invoices
    payments = batch.payments
    if batch.snapshots:
        everything_inv = pd.concat([stored_invoices, invoices], ignore_index=True).drop_duplicates(
            "invoice_id", keep="last"
        )
        everything_pay = pd.concat([stored_payments, payments], ignore_index=True).drop_duplicates(
            "payment_id", keep="last"
        )
        snap_inv, snap_pay, snap_warn = _snapshot_rows(batch, everything_inv, everything_pay)
        invoices = pd.concat([invoices, snap_inv], ignore_index=True) if len(snap_inv) else invoices
        payments = pd.concat([payments, snap_pay], ignore_index=True) if len(snap_pay) else payments
        problems.extend(snap_warn)
    stored_ids = pd.concat([stored_invoices["invoice_id"], stored_invoices["document_id"].dropna()])
    problems.extend(
        _cross_check(batch, invoices, payments, stored_ids, stored_rates, reporting_currency)
    )
    gone = superseded(invoices, stored_invoices)
    if len(gone):
        problems.append(replaced_warning(gone, [s.name for s in sources]))
    if any(p.level == "error" for p in problems):
        raise ImportRejected(problems)

    customers = _customers_for(batch.customers, invoices, payments, stored_customers)
    incoming = {
        "customers": customers,
        "invoices": invoices,
        "payments": payments,
        "rates": rates_frame(batch.rates),
    }
    too_long = _too_long(batch, incoming)
    if too_long:
        raise ImportRejected(problems + too_long)
    existing = {
        "customers": stored_customers,
        "invoices": stored_invoices,
        "payments": stored_payments if stored_payments is not None else read_payments(conn),
        "rates": rates_frame(stored_rates),
    }
    report(0.55, Text("import.step.comparing"))
    plans, counts = {}, {}
    for table, (_model, key, columns) in TABLES.items():
        new, changed, before, unchanged = diff_table(
            incoming[table], existing[table], key, columns, keep_existing=(table == "customers")
        )
        plans[table] = (new, changed, before)
        counts[table] = TableCounts(len(new), len(changed), unchanged)
    counts["invoices"].changed += len(gone)  # replaced by their items, or items by the invoice

    summary = ImportSummary(
        import_id=None,
        files=[s.name for s in sources],
        kinds=sorted({m.kind for m in batch.mappings}),
        rows_read=sum(m.n_rows for m in batch.mappings),
        counts=counts,
        warnings=[p for p in problems if p.level == "warning"],
        snapshots=len(batch.snapshots),
        dry_run=dry_run,
        **_read_as(batch),
    )
    return ImportPlan(
        summary=summary,
        tables=plans,
        existing=existing,
        gone=gone,
        snapshots=list(batch.snapshots),
        reporting_currency=reporting_currency,
    )


# ---------------------------------------------------------------- snapshots


def _open_state(invoices: pd.DataFrame, payments: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Open cents per invoice_id at `as_of` from invoices and applied payments dated <= as_of."""
    payments = spread_over_items(invoices, payments)
    paid = (
        payments.loc[payments["invoice_id"].notna() & (payments["payment_date"] <= as_of)]
        .groupby("invoice_id")["amount_cents"]
        .sum()
    )
    inv = invoices.loc[invoices["invoice_date"] <= as_of].set_index("invoice_id")["amount_cents"]
    return inv.sub(paid.reindex(inv.index, fill_value=0), fill_value=0)


def _snapshot_rows(
    batch: ParsedBatch,
    invoices: pd.DataFrame,
    payments: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """New invoices and the payment events (source `snapshot`) that the batch's snapshots imply.

    `invoices`/`payments` are everything known before: stored plus this batch.
    """
    new_invoices, events, warnings = [], [], []
    for snap in sorted(batch.snapshots, key=lambda s: s.as_of):
        items = snap.items
        as_of = pd.Timestamp(snap.as_of)
        fresh = items.loc[~text_in(items["invoice_id"], invoices["invoice_id"])]
        if len(fresh):
            amount = (
                fresh["amount_cents"].astype("Int64").fillna(fresh["open_cents"]).astype("int64")
            )
            created = conform(
                fresh.assign(amount_cents=amount, source="snapshot", disputed=False),
                INVOICE_COLUMNS,
            )
            new_invoices.append(created)
            invoices = pd.concat([invoices, created], ignore_index=True)
        state = _open_state(invoices, payments, as_of)
        listed = items.set_index("invoice_id")["open_cents"]
        prior = state.reindex(listed.index).fillna(listed).astype("int64")
        drop = prior - listed
        rises = drop[drop < 0]
        if len(rises):
            rose = message(
                "import.open_amount_rose",
                "{n} invoice(s) show a higher open amount on {as_of} than before "
                "(e.g. {example}); their balance is kept as last known.",
                n=len(rises),
                as_of=f"{as_of:%Y-%m-%d}",
                example=str(rises.index[0]),
            )
            warnings.append(rose.problem(file=snap.file, level="warning"))
        paid = drop[drop > 0]
        if snap.complete:
            gone = state[(state != 0).to_numpy(dtype=bool) & ~text_in(state.index, listed.index)]
            paid = pd.concat([paid, gone])
        if len(paid):
            cust = invoices.drop_duplicates("invoice_id").set_index("invoice_id")["customer_id"]
            ev = pd.DataFrame(
                {
                    "payment_id": [f"{i}@{as_of:%Y-%m-%d}" for i in paid.index],
                    "customer_id": cust.reindex(paid.index).to_numpy(),
                    "invoice_id": paid.index.to_numpy(),
                    "payment_date": as_of,
                    "amount_cents": paid.to_numpy(dtype="int64"),
                    "source": "snapshot",
                }
            )
            ev = conform(ev, PAYMENT_COLUMNS)
            events.append(ev)
            payments = pd.concat([payments, ev], ignore_index=True)
    inv = pd.concat(new_invoices, ignore_index=True) if new_invoices else None
    pay = pd.concat(events, ignore_index=True) if events else None
    return (
        inv if inv is not None else conform(pd.DataFrame(), INVOICE_COLUMNS),
        pay if pay is not None else conform(pd.DataFrame(), PAYMENT_COLUMNS),
        warnings,
    )


# ---------------------------------------------------------------- checks


def _cross_check(
    batch: ParsedBatch,
    invoices: pd.DataFrame,
    payments: pd.DataFrame,
    stored_invoice_ids: pd.Series,
    rates: pd.DataFrame,
    reporting_currency: str,
) -> list[Problem]:
    """Problems that need the stored data: unknown invoices, currencies without a rate."""
    problems: list[Problem] = []
    applied = payments.loc[payments["invoice_id"].notna(), ["payment_id", "invoice_id"]]
    refs = applied["invoice_id"]
    # a payment may name an invoice, an item, or a document paid in items
    known = text_in(refs, invoices["invoice_id"]) | text_in(refs, invoices["document_id"].dropna())
    unknown = applied.loc[~(known | text_in(refs, stored_invoice_ids))]
    for _, row in unknown.head(1000).iterrows():
        file, sheet, excel_row = _where(batch, "payments", row["payment_id"])
        problems.append(
            _UNKNOWN_INVOICE.problem(
                file=file,
                sheet=sheet,
                row=excel_row,
                column="invoice_id",
                value=str(row["invoice_id"]),
            )
        )
    rated = set(rates["currency"]) | set(batch.rates["currency"]) | {reporting_currency}
    for code in sorted(_distinct(invoices["currency"]) - rated):
        no_rate = message(
            "import.no_rate",
            "No exchange rate from {currency} to the reporting currency {reporting}: "
            "upload a rates file (currency, date, rate) with it.",
            currency=code,
            reporting=reporting_currency,
        )
        problems.append(
            no_rate.problem(
                file=", ".join(sorted({m.file for m in batch.mappings})) or "upload",
                column="currency",
                value=code,
            )
        )
    return problems


_UNKNOWN_INVOICE = message(
    "import.unknown_invoice",
    "The payment refers to an invoice that is neither in this upload nor stored; import the "
    "invoice first or leave the invoice column empty for unapplied cash.",
)


def _where(batch: ParsedBatch, table: str, key: str) -> tuple[str, str | None, int | None]:
    """The file, sheet and Excel row the row `key` of `table` came from (the first file else)."""
    found = batch.row_source.get((table, key))
    if found:
        return found[0], found[1], found[2]
    files = sorted({m.file for m in batch.mappings})
    return (files[0] if files else "upload"), None, None


def _too_long(batch: ParsedBatch, incoming: dict[str, pd.DataFrame]) -> list[Problem]:
    """Values longer than their store column that the sheet checks did not see.

    (Customer details carried on invoice rows, payment ids made up from long
    parts.) One problem per value, at the first row that holds it.
    """
    problems: list[Problem] = []
    for table in ("customers", "invoices", "payments"):
        model, key, _columns = TABLES[table]
        frame = incoming[table]
        for column in frame.columns:
            stored = model.__table__.c.get(DB_NAMES.get(column, column))
            limit = getattr(getattr(stored, "type", None), "length", None)
            if not limit or frame.empty:
                continue
            sizes = frame[column].astype("string").str.len()
            over = (sizes > limit).fillna(False).to_numpy(dtype=bool)
            for k, value, size in zip(
                frame.loc[over, key], frame.loc[over, column], sizes[over], strict=True
            ):
                file, sheet, row = _where(batch, table, str(k))
                said = too_long_message(int(size), limit)
                header = _header(batch, file, sheet, column)
                problems.append(
                    said.problem(file=file, sheet=sheet, row=row, column=header, value=str(value))
                )
    return problems[:1000]


def _header(batch: ParsedBatch, file: str, sheet: str | None, column: str) -> str:
    """The header the user gave the field `column` in that sheet (the field's name without one)."""
    for m in batch.mappings:
        if m.file == file and m.sheet == sheet:
            for header, field_ in m.mapping.items():
                if field_ == column:
                    return header
    return column


def _customers_for(
    batch_customers: pd.DataFrame,
    invoices: pd.DataFrame,
    payments: pd.DataFrame,
    stored: pd.DataFrame,
) -> pd.DataFrame:
    """The batch's customers plus a bare row for any referenced customer not known yet."""
    referenced = _distinct(invoices["customer_id"]) | _distinct(payments["customer_id"])
    known = _distinct(batch_customers["customer_id"]) | _distinct(stored["customer_id"])
    missing = sorted(referenced - known)
    if not missing:
        return batch_customers
    bare = conform(pd.DataFrame({"customer_id": missing}), CUSTOMER_COLUMNS)
    if batch_customers.empty:
        return bare
    return pd.concat([batch_customers, bare], ignore_index=True)


def _distinct(values: pd.Series) -> set:
    """The distinct non-missing values of a column (found in C, then made a set)."""
    return set(values.dropna().unique().tolist())
