"""Uploaded bytes -> raw sheets of text cells.

Every cell is read as text, so ids such as ``0000611365`` keep their
leading zeros; workbook numbers are written back without binary noise
(``12345.0`` -> ``"12345"``) and workbook dates as ISO text. A file whose
content is not what its extension says, an oversized file and a zip bomb
become problems, never exceptions.

Workbooks are read in a child process with memory and time limits, after
(and while) their sheets' XML is surveyed for absurd extents (see `guard`);
CSV text is read here.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

import creditdash.ingest.guard as guard
import creditdash.ingest.sheetxml as sheetxml
from creditdash.ingest.csvtext import csv_delimiter, decode, read_csv_text
from creditdash.ingest.guard import ReadLimits
from creditdash.ingest.problems import Message, ProblemLog, message

ZIP_MAX_RATIO = 50
ZIP_BIG_BYTES = 100 * 2**20
ZIP_ABSURD_BYTES = 2 * 2**30
CSV_EXTENSIONS = {".csv", ".txt", ".tsv"}
ZIP_WORKBOOK_EXTENSIONS = {".xlsx", ".xlsm", ".xlsb", ".ods"}
XML_WORKBOOK_EXTENSIONS = {".xlsx", ".xlsm"}  # sheets surveyed before reading (see `guard`)
SHOWN = 10  # cells or rows named in one message
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
    ((first_row, first_col), (last_row, last_col)), 0-based. `uncached` names
    (as 'B7') formula cells whose result was never saved, so they read as
    empty; `n_uncached` counts them all (the list stops at sheetxml.KEPT).
    `decimal_mark` is what the file's own format says marks decimals: "." in a
    comma-separated CSV (a decimal-comma locale cannot write one), else None.
    """

    file: str
    sheet: str | None
    cells: pd.DataFrame
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    uncached: list[str] = field(default_factory=list)
    n_uncached: int = 0
    decimal_mark: str | None = None

    @property
    def is_empty(self) -> bool:
        """No cell holds anything but blanks."""
        return not any((col.fillna("").str.strip() != "").any() for _, col in self.cells.items())


def read_source(
    source: Source,
    log: ProblemLog,
    *,
    sheet: str | None = None,
    max_bytes: int = 200 * 2**20,
    limits: ReadLimits | None = None,
) -> list[RawSheet]:
    """The sheets of `source` (only `sheet` when given); problems go to `log`.

    `limits` bounds what reading a workbook may cost (default `ReadLimits()`).
    """
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
        return _read_workbook(name, data, log, sheet, ext, limits or ReadLimits())
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
    if n >= 2**30:
        return f"{n / 2**30:,.1f} GB"
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
    if "\x00" in text:
        log.file(name, _nul_text(text))
        return []
    utf8 = data[3:] if encoding == "utf-8-sig" else data if encoding == "utf-8" else None
    mark = "." if csv_delimiter(text) == "," else None
    return [RawSheet(file=name, sheet=None, cells=read_csv_text(text, utf8), decimal_mark=mark)]


def _nul_text(text: str) -> Message:
    """Text holding NUL characters: no CSV export writes one; binary data or a damaged copy does."""
    first = text.index("\x00")
    return message(
        "ingest.text_nul_bytes",
        "The file holds {n:,} NUL bytes, the first on line {line}: it is binary data or a "
        "damaged copy (a file cut off or padded with zeros), not a CSV export. "
        "Export the data again and upload the new file.",
        n=text.count("\x00"),
        line=text.count("\n", 0, first) + 1,
    )


# --- workbooks --------------------------------------------------------------------


def _read_workbook(
    name: str, data: bytes, log: ProblemLog, only: str | None, ext: str, limits: ReadLimits
) -> list[RawSheet]:
    """The workbook's sheets, read in the reader process while the survey runs."""
    reader = guard.Reader(data, {"only": only}, limits)
    try:
        found = guard.survey(data, only, limits) if ext in XML_WORKBOOK_EXTENSIONS else None
        plans = found.plans if found else []
        spec = guard.reader_spec(only, plans)
        if spec["cuts"] or spec["skip"]:
            reader.cancel()
            reader = guard.Reader(data, spec, limits)
        outcome = reader.outcome()
    finally:
        reader.cancel()
    if outcome.failure is not None:
        log.file(name, _failed(outcome, limits))
        return []
    result = outcome.result or {}
    if result.get("error"):
        log.file(name, _unreadable(result, only))
        return []
    by_name = {p.name: p for p in plans}
    for plan in plans:
        _report_plan(name, plan, limits, log)
        if found and found.links and plan.extent.n_external:
            log.file(name, _external(plan.extent, found.links), sheet=plan.name, level="warning")
    sheets = []
    for sheet in result.get("sheets", []):
        if sheet["error"] is not None:
            unreadable = message(
                "ingest.sheet_unreadable",
                "The sheet cannot be read ({error}).",
                error=sheet["error"],
            )
            log.file(name, unreadable, sheet=sheet["name"])
            continue
        extent = by_name[sheet["name"]].extent if sheet["name"] in by_name else None
        sheets.append(_raw_sheet(name, sheet, extent))
    return sheets


def _raw_sheet(file: str, sheet: dict, extent: sheetxml.Extent | None) -> RawSheet:
    columns = [_text_column(col) for col in sheet["columns"]]
    cells = pd.DataFrame(dict(enumerate(columns)), columns=range(len(columns)))
    merged = [((r0, c0), (r1, c1)) for r0, c0, r1, c1 in sheet["merged"]]
    raw = RawSheet(file=file, sheet=sheet["name"], cells=cells, merged=merged)
    if extent is not None:
        raw.uncached, raw.n_uncached = list(extent.uncached), extent.n_uncached
    return raw


def _text_column(packed: bytes | list[str]) -> pd.Series:
    """A column of text from the reader: UTF-8 cells joined by NUL become an Arrow string
    array without a Python object per cell; a list (a cell held a NUL) is taken as it is."""
    if not isinstance(packed, bytes):
        return pd.Series(packed, dtype="str")
    raw = np.frombuffer(packed, dtype=np.uint8)
    nul = np.flatnonzero(raw == 0)
    offsets = np.empty(len(nul) + 2, dtype=np.int64)
    offsets[0] = 0
    offsets[1:-1] = nul - np.arange(len(nul))
    offsets[-1] = len(raw) - len(nul)
    body = raw[raw != 0] if len(nul) else raw
    cells = pa.LargeStringArray.from_buffers(
        len(nul) + 1, pa.py_buffer(offsets), pa.py_buffer(body)
    )
    return pd.Series(pd.array(cells, dtype="str"))


def _failed(outcome: guard.Outcome, limits: ReadLimits) -> Message:
    """The reader process ran out of memory or time, or died."""
    advice = (
        "; it is too large or damaged. Delete empty rows and columns, split it into "
        "smaller files, or export it as CSV."
    )
    if outcome.failure == "memory":
        return message(
            "ingest.workbook_limit.memory",
            "The workbook could not be read within the memory limit of {limit}" + advice,
            limit=_size(limits.memory_bytes),
        )
    if outcome.failure == "time":
        return message(
            "ingest.workbook_limit.time",
            "The workbook could not be read within the time limit of {seconds:,.0f} seconds"
            + advice,
            seconds=limits.seconds,
        )
    return message(
        "ingest.workbook_reader_crashed",
        "The workbook reader stopped on this file ({detail}): the file is damaged or was not "
        "written by a spreadsheet program. Open it in Excel and save it again, or export it "
        "as CSV.",
        detail=outcome.detail,
    )


def _unreadable(result: dict, only: str | None) -> Message:
    if result["error"] == "password":
        return message(
            "ingest.workbook_password",
            "The workbook is password-protected. Remove the password and upload it again.",
        )
    if result["error"] == "sheet_not_found":
        return message(
            "ingest.sheet_not_found",
            "The workbook has no sheet {sheet!r}; its sheets are: {sheets}.",
            sheet=only,
            sheets=", ".join(result["names"]),
        )
    return message(
        "ingest.workbook_unreadable",
        "The workbook cannot be read ({error}). Open it in Excel and save it again.",
        error=result["detail"],
    )


def _report_plan(file: str, plan: guard.SheetPlan, limits: ReadLimits, log: ProblemLog) -> None:
    """A refused sheet is an error; cut-off stray cells are a warning."""
    if plan.action == "refuse" and plan.reason == "too_many":
        too_many = message(
            "ingest.sheet_too_many_cells",
            "The sheet holds {filled:,} filled cells; the limit is {limit:,} cells per sheet. "
            "Split it into smaller sheets or files, or export it as CSV.",
            filled=plan.filled,
            limit=limits.max_cells,
        )
        log.file(file, too_many, sheet=plan.name)
    elif plan.action == "refuse":
        absurd = message(
            "ingest.sheet_extent_absurd",
            "The sheet reaches cell {last}, but the cells that hold a value number only "
            "{filled:,}: reading it would mean more than {limit:,} cells or {columns:,} columns. "
            "Delete the empty rows and columns (and any stray cells far from the table) and "
            "save it again.",
            last=plan.last,
            filled=plan.filled,
            limit=limits.max_cells,
            columns=limits.max_columns,
        )
        log.file(file, absurd, sheet=plan.name)
    elif plan.action == "trim":
        log.file(file, _strays(plan), sheet=plan.name, level="warning")


def _strays(plan: guard.SheetPlan) -> Message:
    """Stray cells cut off far from the table; one code for one cell, one for several."""
    cells = _listed(plan.strays, plan.n_strays)
    if plan.n_strays == 1:
        return message(
            "ingest.sheet_stray_cells.one",
            "The cell {cells} lies far from the table, which ends at {end}; it stretched the "
            "sheet to {last} and was not read. Delete it, or move it next to the table if it "
            "is data.",
            cells=cells,
            end=plan.end,
            last=plan.last,
        )
    return message(
        "ingest.sheet_stray_cells",
        "{n:,} cells lie far from the table, which ends at {end}: {cells}. They stretched the "
        "sheet to {last} and were not read. Delete them, or move them next to the table if "
        "they are data.",
        n=plan.n_strays,
        cells=cells,
        end=plan.end,
        last=plan.last,
    )


def _external(extent: sheetxml.Extent, links: list[str]) -> Message:
    """Formula cells reading another workbook: their saved values were taken as they are."""
    params = {"cells": _listed(extent.external, extent.n_external), "sources": ", ".join(links)}
    if extent.n_external == 1:
        return message(
            "ingest.external_link_values.one",
            "The cell {cells} takes its value from another workbook ({sources}); the value "
            "last saved in this file was imported and may be out of date. Open the workbooks "
            "together in Excel (or paste the values) and save again.",
            **params,
        )
    return message(
        "ingest.external_link_values",
        "{n:,} cells take their values from another workbook ({sources}), e.g. {cells}; the "
        "values last saved in this file were imported and may be out of date. Open the "
        "workbooks together in Excel (or paste the values) and save again.",
        n=extent.n_external,
        **params,
    )


def _listed(items: list[str], total: int) -> str:
    """'A1, B2, C3' with ', ...' when there are more than shown."""
    shown = ", ".join(items[:SHOWN])
    return shown + (", ..." if total > min(len(items), SHOWN) else "")
