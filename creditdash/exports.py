"""Everything a user downloads treats text as data (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,]*(\.\d+)?")


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would evaluate gets a leading apostrophe; numbers (also as text) pass."""
    if (
        isinstance(value, str)
        and value.startswith(_DANGEROUS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells are all safe_cell'ed (numbers and dates untouched)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV (UTF-8 with BOM, so Excel reads Chinese) with every text cell made safe."""
    return safe_frame(frame).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame], money_columns: set[str] | None = None) -> bytes:
    """An XLSX with one sheet per frame: bold frozen header, widths, money as #,##0.00.

    Strings are never turned into formulas or URLs.
    """
    buf = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": options}) as xw:
        book = xw.book
        money_fmt = book.add_format({"num_format": "#,##0.00"})
        for name, frame in sheets.items():
            safe = safe_frame(frame)
            safe.to_excel(xw, sheet_name=name[:31], index=False)
            sheet = xw.sheets[name[:31]]
            sheet.freeze_panes(1, 0)
            for i, col in enumerate(safe.columns):
                width = min(40, max(10, len(str(col)) + 2))
                fmt = money_fmt if money_columns and col in money_columns else None
                sheet.set_column(i, i, width, fmt)
    return buf.getvalue()
