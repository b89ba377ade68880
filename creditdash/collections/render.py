"""Statements and dunning letters as HTML (A4 portrait, prints as is) and PDF.

Every label comes from the `collections.doc.` catalogue in the document's
language; every text from the data is escaped (after `safe_cell`), so a
customer's name is shown as text, never run. A PDF is the HTML printed by a
headless chromium: `to_pdf` prints one document; for many, `PdfPrinter` keeps
one chromium open (`creditdash.collections.printing`), and `bulk_html` puts
many documents in one file, each starting on a new page (one print for a
whole stage's post).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import cache

from babel.numbers import format_decimal

from creditdash.collections.documents import Letter, Statement, long_date
from creditdash.exports import safe_cell
from creditdash.i18n import babel_locale, money, t

CSS = """
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei",
       sans-serif; color: #1f2430; font-size: 11px; margin: 0; }
.doc { padding: 0; }
.doc + .doc { break-before: page; }
.head { display: flex; justify-content: space-between; border-bottom: 2px solid #1f2430;
        padding-bottom: 6px; margin-bottom: 10px; }
.company { font-size: 15px; font-weight: 700; }
.lines { color: #5b6475; white-space: pre-line; }
h1 { font-size: 17px; margin: 8px 0 2px; }
.meta { color: #5b6475; margin-bottom: 8px; }
.to { margin: 6px 0 10px; }
.body { white-space: pre-wrap; margin: 8px 0 12px; line-height: 1.55; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; }
th, td { border-bottom: 1px solid #e1e5ee; padding: 2px 5px; text-align: left; }
th { background: #f3f5f9; font-weight: 600; word-break: keep-all; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 700; border-top: 1.5px solid #1f2430; }
.disputed { color: #8a5a00; }
.note { color: #5b6475; font-size: 10px; }
@page { size: A4 portrait; margin: 14mm; }
@media print { tr { break-inside: avoid; } thead { display: table-header-group; } }
"""


def _e(text: object) -> str:
    return html.escape(str(safe_cell(str(text))), quote=True)


def _page(body: str, title: str, lang: str) -> str:
    tag = "zh-CN" if lang == "zh" else "en"
    return (
        f"<!DOCTYPE html><html lang='{tag}'><head><meta charset='utf-8'><title>{_e(title)}"
        f"</title><style>{CSS}</style></head><body>{body}</body></html>"
    )


def _head(statement: Statement, title: str, lang: str) -> str:
    head = statement.letterhead
    company = f"<div class='company'>{_e(head.name)}</div>" if head.name else ""
    lines = f"<div class='lines'>{_e(chr(10).join(head.lines))}</div>" if head.lines else ""
    meta = t("collections.doc.meta", lang, date=long_date(statement.as_of, lang),
             currency=statement.currency)  # fmt: skip
    return (
        f"<div class='head'><div>{company}{lines}</div><div><h1>{_e(title)}</h1>"
        f"<div class='meta'>{_e(meta)}</div></div></div>"
        f"<div class='to'>{_e(t('collections.doc.to', lang))} "
        f"<b>{_e(statement.customer_name)}</b> ({_e(statement.customer_id)})</div>"
    )


def _m(cents: int, statement: Statement, lang: str) -> str:
    """`money(cents / 100, statement.currency, lang)` with the symbol and the locale looked
    up once (`babel_locale`): a statement prints many amounts."""
    value = cents / 100
    body = format_decimal(abs(value), format="#,##0.00", locale=babel_locale(lang))
    return f"{'-' if value < 0 else ''}{_symbol(statement.currency, lang)}{body}"


@cache
def _symbol(currency: str, lang: str) -> str:
    return money(0.0, currency, lang).removesuffix("0.00")


def _items_table(statement: Statement, rows, lang: str, with_charges: bool) -> str:
    keys = ["invoice_id", "invoice_date", "due_date", "amount", "paid", "outstanding", "dpd"]
    if with_charges:
        keys += ["interest", "fee"]
    numeric = {"amount", "paid", "outstanding", "dpd", "interest", "fee"}
    header = "".join(
        f"<th class='{'num' if k in numeric else ''}'>{_e(t(f'collections.doc.col.{k}', lang))}"
        "</th>"
        for k in keys
    )
    body = []
    for r in rows.itertuples():
        mark = f" <span class='disputed'>{_e(t('collections.doc.disputed', lang))}</span>"
        cells = [
            _e(r.invoice_id) + (mark if r.disputed else ""),
            _e(f"{r.invoice_date:%Y-%m-%d}"),
            _e(f"{r.due_date:%Y-%m-%d}"),
            _e(_m(int(r.amount_cents), statement, lang)),
            _e(_m(int(r.paid_cents), statement, lang)),
            _e(_m(int(r.outstanding_cents), statement, lang)),
            _e(int(r.dpd)),
        ]
        if with_charges:
            cells += [_e(_m(int(r.interest_cents), statement, lang)),
                      _e(_m(int(r.fee_cents), statement, lang))]  # fmt: skip
        tds = "".join(
            f"<td class='{'num' if k in numeric else ''}'>{c}</td>"
            for k, c in zip(keys, cells, strict=True)
        )
        body.append(f"<tr>{tds}</tr>")
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def statement_body(statement: Statement, lang: str) -> str:
    """The statement's HTML (a `<div class='doc'>`), without the page around it."""
    title = t("collections.doc.statement_title", lang)
    parts = [f"<div class='doc'>{_head(statement, title, lang)}"]
    parts.append(_items_table(statement, statement.items, lang, with_charges=True))
    summary = [(t("collections.doc.open_items", lang), statement.total_cents -
                statement.unapplied_cents)]  # fmt: skip
    if statement.unapplied_cents:
        summary.append((t("collections.doc.unapplied", lang), statement.unapplied_cents))
    rows = "".join(
        f"<tr><td>{_e(label)}</td><td class='num'>{_e(_m(v, statement, lang))}</td></tr>"
        for label, v in summary
    )
    rows += (
        f"<tr class='total'><td>{_e(t('collections.doc.total', lang))}</td>"
        f"<td class='num'>{_e(_m(statement.total_cents, statement, lang))}</td></tr>"
    )
    parts.append(f"<table style='width:50%'>{rows}</table>")
    aging_head = "".join(
        f"<th class='num'>{_e(_bucket(label, lang))}</th>" for label in statement.buckets
    )
    aging_cells = "".join(
        f"<td class='num'>{_e(_m(v, statement, lang))}</td>" for v in statement.buckets.values()
    )
    parts.append(
        f"<h3>{_e(t('collections.doc.aging', lang))}</h3>"
        f"<table><thead><tr>{aging_head}</tr></thead><tbody><tr>{aging_cells}</tr></tbody></table>"
    )
    if statement.interest_cents or statement.fees_cents:
        charges = t(
            "collections.doc.charges",
            lang,
            interest=_m(statement.interest_cents, statement, lang),
            fees=_m(statement.fees_cents, statement, lang),
        )
        parts.append(f"<p class='note'>{_e(charges)}</p>")
    if statement.disputed_cents:
        parts.append(
            f"<p class='note'>{_e(t('collections.doc.disputed_note', lang, amount=_m(statement.disputed_cents, statement, lang)))}</p>"
        )
    parts.append(f"<p class='note'>{_e(t('collections.doc.reconcile', lang))}</p></div>")
    return "".join(parts)


def _bucket(label: str, lang: str) -> str:
    return t("collections.doc.current", lang) if label == "current" else label


def letter_body(letter: Letter) -> str:
    """The letter's HTML (a `<div class='doc'>`): the text, the invoices it lists and the sum."""
    lang, statement = letter.language, letter.statement
    parts = [f"<div class='doc'>{_head(statement, letter.subject, lang)}"]
    parts.append(f"<div class='body'>{_e(letter.body)}</div>")
    charges = bool(letter.interest_cents or letter.fees_cents)
    parts.append(_items_table(statement, letter.items, lang, with_charges=charges))
    rows = [(t("collections.doc.overdue", lang), letter.overdue_cents)]
    if letter.interest_cents:
        rows.append((t("collections.doc.interest", lang), letter.interest_cents))
    if letter.fees_cents:
        rows.append((t("collections.doc.fees", lang), letter.fees_cents))
    cells = "".join(
        f"<tr><td>{_e(label)}</td><td class='num'>{_e(_m(v, statement, lang))}</td></tr>"
        for label, v in rows
    )
    due = t("collections.doc.amount_due", lang, date=long_date(letter.pay_by, lang))
    cells += (
        f"<tr class='total'><td>{_e(due)}</td>"
        f"<td class='num'>{_e(_m(letter.amount_due_cents, statement, lang))}</td></tr>"
    )
    parts.append(f"<table style='width:60%'>{cells}</table></div>")
    return "".join(parts)


def statement_html(statement: Statement, lang: str) -> str:
    """One statement as a whole HTML page in `lang`."""
    return _page(statement_body(statement, lang), t("collections.doc.statement_title", lang), lang)


def letter_html(letter: Letter) -> str:
    """One letter as a whole HTML page in the letter's language."""
    return _page(letter_body(letter), letter.subject, letter.language)


def bulk_html(documents: Sequence[Statement | Letter], lang: str) -> str:
    """Many statements (in `lang`) and letters (each in its own language) in one page,
    each document starting on a new sheet when printed."""
    bodies = [
        letter_body(d) if isinstance(d, Letter) else statement_body(d, lang) for d in documents
    ]
    return _page("".join(bodies), t("collections.doc.statement_title", lang), lang)


def letter_text(letter: Letter) -> str:
    """The letter as the plain-text body of an email: the text, then one line per invoice
    and the amount due."""
    lang, statement = letter.language, letter.statement
    lines = [letter.body, "", t("collections.doc.listed", lang)]
    for r in letter.items.itertuples():
        mark = f" ({t('collections.doc.disputed', lang)})" if r.disputed else ""
        lines.append(
            t("collections.doc.line", lang, invoice=r.invoice_id, due=f"{r.due_date:%Y-%m-%d}",
              amount=_m(int(r.outstanding_cents), statement, lang), dpd=int(r.dpd)) + mark
        )  # fmt: skip
    lines.append("")
    if letter.interest_cents:
        lines.append(f"{t('collections.doc.interest', lang)}: "
                     f"{_m(letter.interest_cents, statement, lang)}")  # fmt: skip
    if letter.fees_cents:
        lines.append(f"{t('collections.doc.fees', lang)}: {_m(letter.fees_cents, statement, lang)}")
    due = t("collections.doc.amount_due", lang, date=long_date(letter.pay_by, lang))
    lines.append(f"{due}: {_m(letter.amount_due_cents, statement, lang)}")
    lines.append("")
    lines.append(t("collections.doc.attached", lang))
    return "\n".join(lines)
