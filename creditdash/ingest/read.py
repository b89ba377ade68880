"""Uploaded bytes -> raw sheets of text cells.

Every cell is read as text, so ids such as ``0000611365`` keep their
leading zeros; workbook numbers are written back without binary noise
(``12345.0`` -> ``"12345"``) and workbook dates as ISO text. A file whose
content is not what its extension says, an oversized file and a zip bomb
become problems, never exceptions.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine

from creditdash.ingest.csvtext import decode, read_csv_text
from creditdash.ingest.problems import Message, ProblemLog, message

ZIP_MAX_RATIO = 50
ZIP_BIG_BYTES = 100 * 2**20
ZIP_ABSURD_BYTES = 2 * 2**30
CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}
ZIP_WORKBOOK_EXTENSIONS = {".xlsx", ".xlsm", ".xlsb", ".ods"}
OLE_WORKBOOK_EXTENSIONS = {".xls"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Source:
    """One uploaded file: its name as the user sees it and its bytes."""

    name: str
    data: bytes

    @classmethod
    def from_path(cls, path: str | Path) -> Source:
        path = Path(path)
        return cls(name=path.name, data=path.read_bytes())

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(eq=False)
class RawSheet:
    """One sheet as the user sees it.

    `cells` has columns 0..n-1 of text ("" = empty); row i is Excel row
    i + 1, or line i + 1 of a CSV. `sheet` is None for a CSV. A merged
    range's value fills all its cells; `merged` lists the ranges as
    ((first_row, first_col), (last_row, last_col)), 0-based.
    """

    file: str
    sheet: str | None
    cells: pd.DataFrame
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """No cell holds anything but blanks."""
        return not any((col.fillna("").str.strip() != "").any() for _, col in self.cells.items())


def read_source(
    source: Source, log: ProblemLog, *, sheet: str | None = None, max_bytes: int = 200 * 2**20
) -> list[RawSheet]:
    """The sheets of `source` (only `sheet` when given); problems go to `log`."""
    name, data = source.name, source.data
    if len(data) > max_bytes:
        log.file(
            name,
            message(
                "ingest.file_too_large",
                "The file is {size}; the limit is {limit}. Split it or upload fewer rows.",
                size=_size(len(data)),
                limit=_size(max_bytes),
            ),
        )
        return []
    if not data:
        log.file(
            name,
            message(
                "ingest.file_empty", "The file is empty. Upload the export that holds the data."
            ),
        )
        return []
    ext = Path(name).suffix.lower()
    content = sniff(data)
    if ext in CSV_EXTENSIONS:
        if content != "text":
            log.file(name, _mismatch(content))
            return []
        return _read_text(name, data, log)
    if ext in ZIP_WORKBOOK_EXTENSIONS | OLE_WORKBOOK_EXTENSIONS:
        wanted = "zip" if ext in ZIP_WORKBOOK_EXTENSIONS else "ole"
        if content != wanted:
            log.file(name, _mismatch(content, ext))
            return []
        if wanted == "zip" and not _zip_is_safe(name, data, log):
            return []
        return _read_workbook(name, data, log, sheet)
    if ext:
        unreadable = message(
            "ingest.file_type_unsupported",
            "Files of type '{ext}' cannot be read. Upload .csv, .xlsx or .xls.",
            ext=ext,
        )
    else:
        unreadable = message(
            "ingest.file_no_extension",
            "Files of type 'none' cannot be read. Upload .csv, .xlsx or .xls.",
        )
    log.file(name, unreadable)
    return []


def _size(n: int) -> str:
    if n >= 2**20:
        return f"{n / 2**20:,.1f} MB"
    return f"{n / 2**10:,.1f} KB" if n >= 2**10 else f"{n:,} bytes"


def sniff(data: bytes) -> str:
    """What the bytes are: 'zip', 'ole', 'html', 'text' or 'binary'."""
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    if b"\x00" in head:
        return "binary"
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if stripped.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")):
        return "html"
    controls = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13))
    return "binary" if controls > len(head) // 100 else "text"


_SEEN = {
    "zip": "a ZIP archive such as an .xlsx workbook",
    "ole": "an Excel 97-2003 (.xls) workbook or a password-protected file",
    "html": "a web page (HTML/XML) saved under a spreadsheet name",
    "text": "a text (CSV) file",
    "binary": "binary data that no spreadsheet program wrote",
}
_FIX = {
    "zip": "Rename it to .xlsx, or export it again as CSV.",
    "ole": "Rename it to .xls, remove the password, or save it again as .xlsx.",
    "html": "Open it in Excel and save it as .xlsx, or export it as CSV.",
    "text": "Rename it to .csv.",
    "binary": "Upload the CSV or Excel export itself.",
}


def _mismatch(content: str, workbook_ext: str | None = None) -> Message:
    """A CSV (or, with `workbook_ext`, a workbook) whose bytes are `content` (see `sniff`).

    One code per case, `ingest.not_csv.<content>` or `ingest.not_workbook.<content>`,
    so each can be translated as a whole sentence.
    """
    expected = "a CSV text file" if workbook_ext is None else "an Excel workbook ({ext})"
    template = (
        f"The file's name says {expected}, but its content is {_SEEN[content]}. {_FIX[content]}"
    )
    if workbook_ext is None:
        return message(f"ingest.not_csv.{content}", template)
    return message(f"ingest.not_workbook.{content}", template, ext=workbook_ext)


def _zip_is_safe(name: str, data: bytes, log: ProblemLog) -> bool:
    """False (with a problem) for a damaged zip or one that inflates absurdly (zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        log.file(
            name,
            message(
                "ingest.workbook_damaged",
                "The workbook is damaged and cannot be opened ({error}). Save it again.",
                error=str(exc),
            ),
        )
        return False
    inflated = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if inflated > ZIP_ABSURD_BYTES or (
        inflated > ZIP_BIG_BYTES and inflated > ZIP_MAX_RATIO * packed
    ):
        log.file(
            name,
            message(
                "ingest.zip_bomb",
                "The workbook would expand from {packed_mb:,.1f} MB to {inflated_mb:,.0f} MB; "
                "that is not a normal spreadsheet (zip bomb?). "
                "Export the data again as CSV or a plain .xlsx.",
                packed_mb=packed / 2**20,
                inflated_mb=inflated / 2**20,
            ),
        )
        return False
    if not ({"[Content_Types].xml", "mimetype"} & names):
        log.file(
            name,
            message(
                "ingest.zip_not_workbook",
                "The file is a ZIP archive but not an Excel workbook. "
                "Upload the .xlsx export itself.",
            ),
        )
        return False
    return True


def _read_text(name: str, data: bytes, log: ProblemLog) -> list[RawSheet]:
    decoded = decode(data)
    if decoded is None:
        log.file(
            name,
            message(
                "ingest.encoding_unknown",
                "The file's text encoding cannot be recognised. Save it as CSV UTF-8 (or GBK) "
                "from Excel and upload it again.",
            ),
        )
        return []
    text, encoding = decoded
    utf8 = data[3:] if encoding == "utf-8-sig" else data if encoding == "utf-8" else None
    return [RawSheet(file=name, sheet=None, cells=read_csv_text(text, utf8))]


# --- workbooks --------------------------------------------------------------------


def _read_workbook(name: str, data: bytes, log: ProblemLog, only: str | None) -> list[RawSheet]:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        log.file(
            name,
            message(
                "ingest.workbook_password",
                "The workbook is password-protected. Remove the password and upload it again.",
            ),
        )
        return []
    except Exception as exc:  # calamine raises several unrelated types for damaged files
        log.file(
            name,
            message(
                "ingest.workbook_unreadable",
                "The workbook cannot be read ({error}). Open it in Excel and save it again.",
                error=str(exc),
            ),
        )
        return []
    names = [
        m.name for m in book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
    if only is not None:
        if only not in names:
            log.file(
                name,
                message(
                    "ingest.sheet_not_found",
                    "The workbook has no sheet {sheet!r}; its sheets are: {sheets}.",
                    sheet=only,
                    sheets=", ".join(names),
                ),
            )
            return []
        names = [only]
    sheets = []
    for sheet_name in names:
        try:
            sheet = book.get_sheet_by_name(sheet_name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except Exception as exc:  # a damaged sheet should not hide the others
            unreadable = message(
                "ingest.sheet_unreadable", "The sheet cannot be read ({error}).", error=str(exc)
            )
            log.file(name, unreadable, sheet=sheet_name)
            continue
        cells = _cells_frame(rows, merged)
        sheets.append(RawSheet(file=name, sheet=sheet_name, cells=cells, merged=list(merged)))
    return sheets


def _cells_frame(rows: list[list[object]], merged: list) -> pd.DataFrame:
    """Workbook values as a frame of text; a merged range's value fills all its cells."""
    width = max((len(r) for r in rows), default=0)
    if not rows or not width:
        return pd.DataFrame()
    columns = [list(col) for col in zip(*(r + [""] * (width - len(r)) for r in rows), strict=True)]
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows) or c0 >= width:
            continue
        value = columns[c0][r0]
        for c in range(c0, min(c1, width - 1) + 1):
            for r in range(r0, min(r1, len(rows) - 1) + 1):
                columns[c][r] = value
    return pd.DataFrame(
        {i: pd.Series(_texts(col), dtype="str") for i, col in enumerate(columns)},
        columns=range(width),
    )


def _texts(values: list[object]) -> list[str]:
    if all(type(v) is str for v in values):
        return values  # type: ignore[return-value]
    return [_cell_text(v) for v in values]


def _cell_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return np.format_float_positional(value, trim="-") if np.isfinite(value) else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
