"""Cells and rows that read without error but may not say what the user meant.

Run by `batch` on each parsed sheet (`headerless_data`, `uncached_formulas`)
and on the whole batch (`credit_notes`, `overpayments`):

    headerless_data     data below the header in a column without header text:
                        it is not imported (warning, per column, naming rows)
    uncached_formulas   formula cells whose result was never saved read as
                        empty: an error where the cell is imported, a warning
                        elsewhere (naming the cells)
    credit_notes        invoices with a negative amount are credit notes
                        (warning, per sheet, naming rows)
    overpayments        payments applied to an invoice that add up to more than
                        its amount (error on each payment row)

Overpayments are checked within the batch only: an invoice and the payments
that name it must both be in the upload. A payment for an invoice stored by
an earlier import (or adding to payments stored earlier) is not checked: the
batch sees neither that invoice nor its earlier payments.
"""

from __future__ import annotations

import pandas as pd

import creditdash.ingest.checks as checks
import creditdash.ingest.sheetxml as sheetxml
from creditdash.frames import text_in
from creditdash.ingest.mapping import SheetMapping
from creditdash.ingest.problems import Message, ProblemLog, SheetContext, message
from creditdash.ingest.read import RawSheet

SHOWN = 10  # rows or cells named in one message


def listed(items: list, total: int | None = None) -> str:
    """'5, 9, 12' with ', ...' when there are more than SHOWN (or than listed)."""
    total = len(items) if total is None else total
    shown = ", ".join(str(i) for i in items[:SHOWN])
    return shown + (", ..." if total > min(len(items), SHOWN) else "")


def _column(ctx: SheetContext, column: str) -> str:
    """The field whose header a problem about canonical `column` cites (see checks.SOURCE_FIELDS)."""
    for name in checks.SOURCE_FIELDS.get(column, (column,)):
        if name in ctx.headers:
            return name
    return column


def _where(ctxs: list[SheetContext], here: int, ctx_id: int, row: int) -> dict[str, object]:
    """Parameters naming a row: its number, and its file and sheet when not on sheet `here`."""
    if ctx_id == here:
        return {"row": row}
    ctx = ctxs[ctx_id]
    return {"row": row, "file": ctx.file, "sheet": f" [{ctx.sheet}]" if ctx.sheet else ""}


def headerless_data(
    raw: RawSheet, mapping: SheetMapping, ctx: SheetContext, log: ProblemLog
) -> None:
    """Warn about each column without header text that holds data on the sheet's data rows."""
    if ctx.body is None or ctx.body.empty:
        return
    positions = ctx.body.index.to_numpy() - 1
    for i, header in enumerate(mapping.headers):
        if (
            not header.startswith("(column ")
            or mapping.mapping.get(header)
            or i >= raw.cells.shape[1]
        ):
            continue
        cells = raw.cells[i].iloc[positions].fillna("").str.strip()
        rows = [int(r) for r in ctx.body.index[(cells != "").to_numpy()]]
        if rows:
            said = _headerless(sheetxml.column_letters(i + 1), rows)
            log.sheet(ctx, said, level="warning", column=header, row=rows[0],
                      value=str(cells.loc[rows[0] - 1]))  # fmt: skip


def _headerless(column: str, rows: list[int]) -> Message:
    if len(rows) == 1:
        return message(
            "ingest.headerless_column.one",
            "Column {column} has no header but holds data on row {rows}; it was not imported. "
            "Give the column a header and map it, or delete the data.",
            column=column,
            rows=listed(rows),
        )
    return message(
        "ingest.headerless_column",
        "Column {column} has no header but holds data on {n:,} rows ({rows}); it was not "
        "imported. Give the column a header and map it, or delete the data.",
        column=column,
        n=len(rows),
        rows=listed(rows),
    )


def uncached_formulas(
    raw: RawSheet, mapping: SheetMapping, ctx: SheetContext, log: ProblemLog
) -> None:
    """Formula cells with no saved result: an error on imported cells, a warning on the rest."""
    if not raw.uncached:
        return
    imported_columns = {i + 1 for i, h in enumerate(mapping.headers) if mapping.mapping.get(h)}
    data_rows = set() if ctx.body is None else {int(r) for r in ctx.body.index}
    imported: list[str] = []
    other: list[str] = []
    for ref in raw.uncached:
        row, column = sheetxml.parse_ref(ref)
        (imported if row in data_rows and column in imported_columns else other).append(ref)
    known = len(raw.uncached)
    unknown = raw.n_uncached - known  # past sheetxml.KEPT: counted, not located
    if imported:
        log.sheet(
            ctx, _uncached(imported, len(imported), ""), row=sheetxml.parse_ref(imported[0])[0]
        )
    if other or unknown:
        total = len(other) + unknown
        level = "error" if unknown else "warning"
        log.sheet(ctx, _uncached(other, total, ".outside" if not unknown else ""), level=level)


def _uncached(refs: list[str], total: int, variant: str) -> Message:
    """Cells holding formulas never calculated; `.outside`: none of them is imported."""
    fix = "Open the workbook in Excel (or LibreOffice), let it recalculate and save it again."
    if variant == ".outside":
        head = (
            "Formula cells outside the imported columns and rows have no saved result and read "
            "as empty ({n:,}: {cells}). "
        )
    else:
        head = (
            "Formula cells with no saved result read as empty here ({n:,}: {cells}): the "
            "program that wrote the file did not calculate them. "
        )
    return message(
        f"ingest.formula_not_calculated{variant}",
        head + fix,
        n=total,
        cells=listed(refs, total),
    )


def credit_notes(invoices: pd.DataFrame, ctxs: list[SheetContext], log: ProblemLog) -> None:
    """One warning per sheet naming the invoice rows with a negative amount."""
    if invoices.empty:
        return
    negative = invoices[(invoices["amount_cents"] < 0).fillna(False).to_numpy(dtype=bool)]
    for ctx_id, rows in negative.groupby("_ctx", sort=True)["_row"]:
        ctx = ctxs[int(ctx_id)]
        rows = sorted(int(r) for r in rows)
        column = _column(ctx, "amount_cents")
        log.sheet(ctx, _credit_notes(rows), level="warning", column=column, row=rows[0],
                  value=ctx.raw(column, rows[0]))  # fmt: skip


def _credit_notes(rows: list[int]) -> Message:
    fix = "If a row is a payment or a refund, import it as a payment instead."
    if len(rows) == 1:
        return message(
            "ingest.credit_notes.one",
            "The amount on row {rows} is negative, so the row was read as a credit note. " + fix,
            rows=listed(rows),
        )
    return message(
        "ingest.credit_notes",
        "{n:,} rows have a negative amount and were read as credit notes: rows {rows}. " + fix,
        n=len(rows),
        rows=listed(rows),
    )


def overpayments(
    payments: pd.DataFrame, invoices: pd.DataFrame, ctxs: list[SheetContext], log: ProblemLog
) -> None:
    """An error on each payment row of an invoice whose payments exceed its amount.

    Credit notes (amount 0 or less) are left alone: the payments that clear them are negative.
    """
    if payments.empty or invoices.empty:
        return
    owed = invoices[(invoices["amount_cents"] > 0).fillna(False).to_numpy(dtype=bool)]
    owed = owed.drop_duplicates("invoice_id").set_index("invoice_id")
    applied = payments[text_in(payments["invoice_id"], owed.index)]
    if applied.empty:
        return
    paid = applied.groupby("invoice_id")["amount_cents"].sum()
    over = paid.index[(paid > owed.loc[paid.index, "amount_cents"]).to_numpy(dtype=bool)]
    if not len(over):
        return
    rows = applied[text_in(applied["invoice_id"], over)]
    found = {
        (int(c), int(r)): i
        for c, r, i in zip(rows["_ctx"], rows["_row"], rows["invoice_id"], strict=True)
    }
    for ctx_id, group in rows.groupby("_ctx", sort=True):

        def said(row: int, _value: str | None, c: int = int(ctx_id)) -> Message:
            invoice = found[(c, row)]
            return _overpaid(invoice, owed.loc[invoice], int(paid[invoice]), c, ctxs)

        ctx = ctxs[int(ctx_id)]
        log.rows(ctx, group["_row"].to_numpy(), _column(ctx, "amount_cents"), said)


def _overpaid(
    invoice: str, owed: pd.Series, paid: int, here: int, ctxs: list[SheetContext]
) -> Message:
    """One code for an invoice on the payment's sheet, one for an invoice elsewhere."""
    where = _where(ctxs, here, int(owed["_ctx"]), int(owed["_row"]))
    at = "row {row} of {file}{sheet}" if "file" in where else "row {row}"
    return message(
        "ingest.overpaid" + (".elsewhere" if "file" in where else ""),
        "Invoice {invoice} (" + at + ") is for {amount} {currency}, but the payments applied "
        "to it add up to {paid} {currency}. A payment cannot pay more than its invoice: correct "
        "the amount, or leave the invoice column empty for the excess so that it is imported "
        "as unapplied cash.",
        invoice=invoice,
        amount=f"{int(owed['amount_cents']) / 100:,.2f}",
        paid=f"{paid / 100:,.2f}",
        currency=str(owed["currency"]),
        **where,
    )
