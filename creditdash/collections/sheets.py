"""Statements and dunning letters as XLSX (xlsxwriter): one sheet per document.

Every label comes from the `collections.doc.` catalogue in the document's
language. Text cells go through `safe_cell` and `write_string`, and the
workbook is opened with strings_to_formulas and strings_to_urls off, so no
spreadsheet evaluates a customer's name. Amounts are numbers with two
decimals; the total row is the statement's total (the aging total) written
as a number, beside a SUM formula of the rows above for the reader to check.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlsxwriter

from creditdash.collections.documents import Letter, Statement, long_date
from creditdash.exports import safe_cell
from creditdash.i18n import t

_COLUMNS = ["invoice_id", "invoice_date", "due_date", "amount", "paid", "outstanding", "dpd",
            "interest", "fee"]  # fmt: skip
_WIDTHS = [18, 12, 12, 15, 15, 15, 8, 12, 10]


def documents_xlsx(documents: Sequence[Statement | Letter], lang: str = "zh") -> bytes:
    """One workbook, a sheet per statement (in `lang`) or letter (in its own language)."""
    buf = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    book = xlsxwriter.Workbook(buf, options)
    formats = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "bold": book.add_format({"bold": True}),
        "head": book.add_format({"bold": True, "bg_color": "#F3F5F9", "bottom": 1}),
        "money": book.add_format({"num_format": "#,##0.00"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "total": book.add_format({"bold": True, "num_format": "#,##0.00", "top": 1}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "note": book.add_format({"font_color": "#5B6475"}),
    }
    used: set[str] = set()
    for document in documents:
        if isinstance(document, Letter):
            _letter_sheet(book, formats, document, used)
        else:
            _statement_sheet(book, formats, document, lang, used)
    book.close()
    return buf.getvalue()


def _sheet_name(customer_id: str, used: set[str], suffix: str = "") -> str:
    """A unique sheet name from the customer id (Excel: 31 characters, no []:*?/\\)."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in str(customer_id))[: 28 - len(suffix)]
    name, n = f"{base}{suffix}" or "sheet", 1
    while name.lower() in used:
        n += 1
        name = f"{base}{suffix}~{n}"[:31]
    used.add(name.lower())
    return name


def _write(ws, row: int, col: int, value: object, fmt=None) -> None:
    ws.write_string(row, col, str(safe_cell(str(value))), fmt)


def _header(ws, formats, statement: Statement, title: str, lang: str) -> int:
    head = statement.letterhead
    row = 0
    if head.name:
        _write(ws, row, 0, head.name, formats["title"])
        row += 1
        for line in head.lines:
            _write(ws, row, 0, line, formats["note"])
            row += 1
    _write(ws, row, 0, title, formats["title"])
    row += 1
    meta = t("collections.doc.meta", lang, date=long_date(statement.as_of, lang),
             currency=statement.currency)  # fmt: skip
    _write(ws, row, 0, meta, formats["note"])
    row += 1
    to = f"{t('collections.doc.to', lang)} {statement.customer_name} ({statement.customer_id})"
    _write(ws, row, 0, to, formats["bold"])
    return row + 2


def _items(ws, formats, items, row: int, lang: str) -> int:
    for col, (key, width) in enumerate(zip(_COLUMNS, _WIDTHS, strict=True)):
        _write(ws, row, col, t(f"collections.doc.col.{key}", lang), formats["head"])
        ws.set_column(col, col, width)
    first = row + 1
    for r in items.itertuples():
        row += 1
        label = r.invoice_id
        if r.disputed:
            label = f"{label} ({t('collections.doc.disputed', lang)})"
        _write(ws, row, 0, label)
        ws.write_datetime(row, 1, r.invoice_date.to_pydatetime(), formats["date"])
        ws.write_datetime(row, 2, r.due_date.to_pydatetime(), formats["date"])
        for col, cents in ((3, r.amount_cents), (4, r.paid_cents), (5, r.outstanding_cents),
                           (7, r.interest_cents), (8, r.fee_cents)):  # fmt: skip
            ws.write_number(row, col, int(cents) / 100, formats["money"])
        ws.write_number(row, 6, int(r.dpd))
    return row + 1 if row >= first else first


def _statement_sheet(book, formats, statement: Statement, lang: str, used: set[str]) -> None:
    ws = book.add_worksheet(_sheet_name(statement.customer_id, used))
    row = _header(ws, formats, statement, t("collections.doc.statement_title", lang), lang)
    start = row + 2  # the first item's row as Excel numbers it (the header is at `row`)
    row = _items(ws, formats, statement.items, row, lang)
    if statement.unapplied_cents:
        _write(ws, row, 0, t("collections.doc.unapplied", lang))
        ws.write_number(row, 5, statement.unapplied_cents / 100, formats["money"])
        row += 1
    _write(ws, row, 0, t("collections.doc.total", lang), formats["bold"])
    total = statement.total_cents / 100
    ws.write_number(row, 5, total, formats["total"])
    _write(ws, row, 6, t("collections.doc.check", lang), formats["note"])
    ws.write_formula(row, 7, f"=SUM(F{start}:F{row})", formats["total"], total)
    row += 2
    _write(ws, row, 0, t("collections.doc.aging", lang), formats["bold"])
    row += 1
    for col, (label, cents) in enumerate(statement.buckets.items()):
        name = t("collections.doc.current", lang) if label == "current" else label
        _write(ws, row, col, name, formats["head"])
        ws.write_number(row + 1, col, cents / 100, formats["money"])
    row += 3
    if statement.interest_cents or statement.fees_cents:
        charges = t("collections.doc.charges_plain", lang)
        _write(ws, row, 0, charges, formats["note"])
        ws.write_number(row, 7, statement.interest_cents / 100, formats["money"])
        ws.write_number(row, 8, statement.fees_cents / 100, formats["money"])
        row += 1
    _write(ws, row, 0, t("collections.doc.reconcile", lang), formats["note"])


def _letter_sheet(book, formats, letter: Letter, used: set[str]) -> None:
    lang, statement = letter.language, letter.statement
    ws = book.add_worksheet(_sheet_name(statement.customer_id, used, f"-{letter.stage_id}"[:12]))
    row = _header(ws, formats, statement, letter.subject, lang)
    ws.merge_range(row, 0, row, 8, "", formats["wrap"])
    _write(ws, row, 0, letter.body, formats["wrap"])
    ws.set_row(row, 15 * (letter.body.count("\n") + 4))
    row = _items(ws, formats, letter.items, row + 2, lang)
    lines = [(t("collections.doc.overdue", lang), letter.overdue_cents)]
    if letter.interest_cents:
        lines.append((t("collections.doc.interest", lang), letter.interest_cents))
    if letter.fees_cents:
        lines.append((t("collections.doc.fees", lang), letter.fees_cents))
    lines.append((t("collections.doc.amount_due", lang, date=long_date(letter.pay_by, lang)),
                  letter.amount_due_cents))  # fmt: skip
    for k, (label, cents) in enumerate(lines):
        last = k == len(lines) - 1
        _write(ws, row, 0, label, formats["bold"] if last else None)
        ws.write_number(row, 5, cents / 100, formats["total"] if last else formats["money"])
        row += 1
