"""Downloads treat text as data: nothing a spreadsheet would evaluate."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd

from creditdash.exports import safe_cell, to_csv_bytes, to_xlsx_bytes

NASTY = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_safe_cell_prefixes_every_dangerous_start_and_leaves_numbers():
    for text in NASTY:
        assert safe_cell(text) == "'" + text
    assert safe_cell("Acme") == "Acme"
    assert safe_cell(-12.5) == -12.5
    assert safe_cell("-1,234.50") == "-1,234.50"


def test_csv_has_bom_and_no_formula():
    frame = pd.DataFrame({"customer": NASTY, "amount": range(len(NASTY))})
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r[0] for r in rows[1:]] == ["'" + t for t in NASTY]
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["amount"].tolist() == list(range(len(NASTY)))


def test_xlsx_writes_text_not_formulas():
    frame = pd.DataFrame({"customer": NASTY, "total": [1.5] * len(NASTY)})
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"Aging": frame}, {"total"})))
    sheet = book["Aging"]
    values = [sheet.cell(row=r, column=1) for r in range(2, len(NASTY) + 2)]
    assert all(c.data_type == "s" for c in values)
    assert [c.value[:3] for c in values] == ["'" + t[:2] for t in NASTY[:4]] + ["'\tx", "'_x"]
    assert sheet.cell(row=2, column=2).number_format == "#,##0.00"
    assert sheet.freeze_panes == "A2"
