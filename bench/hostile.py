"""Hostile files: import time and peak memory (figures only, no targets).

Each file is imported with `parse_sources` in a fresh Python process, so the
peak resident memory of its workbook reader process and of the importing
process itself belong to that file alone. Peaks are Linux's VmHWM, which
starts afresh at exec (getrusage's ru_maxrss would count the parent's memory
at the fork, here ~500 MB of the bench itself); a reader cut short by its
limits reports none (0). The time is the import's, without the
interpreter's start.

    stray cell XFD1048576   an invoice table and one cell at XFD1048576 (aborted the server)
    stray cell CV1048576    the same at CV1048576 (took 44 s and 7 GB)
    lone cell XFD1048576    nothing but that cell (refused)
    dense 16,384 columns    200 full-width rows of numbers, 82 MB of XML under the zip-bomb
                            ratio check (refused: too many columns)
    zip bomb                200 MB of zeros as the sheet (refused before any reading)
    NUL bytes               a .csv of 1 MB of NUL bytes; a CSV padded with them
    normal 1 MB / 20 MB     invoice workbooks of 20,000 / 400,000 rows, read in the reader
                            process and, for the overhead, in process (isolate=False)
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

_MEASURE = """
import json, sys, time
from pathlib import Path
from creditdash.ingest import Source, guard, parse_sources
from creditdash.ingest.guard import ReadLimits

peaks = []
judge = guard.Reader._judge


def recorded(self, code):
    outcome = judge(self, code)
    peaks.append((outcome.result or {}).get("peak_kb") or 0)
    return outcome


def hwm_kb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


guard.Reader._judge = recorded
source = Source.from_path(sys.argv[1])
limits = ReadLimits(isolate=sys.argv[2] == "1")
started = time.perf_counter()
batch = parse_sources([source], read_limits=limits)
seconds = time.perf_counter() - started
print(json.dumps({
    "seconds": seconds,
    "reader_mb": max(peaks, default=0) / 1024,
    "reads": len(peaks),
    "importer_mb": hwm_kb() / 1024,
    "said": next((p.code for p in batch.problems if p.code and "due_date" not in p.code), "-"),
}))
"""


def run(report) -> None:
    """Print one line per file: seconds, the reader's and the importer's peak memory, the
    first problem's code. `report` (the bench's target line) is not used: nothing here has
    a target."""
    with tempfile.TemporaryDirectory() as tmp:
        for label, path, isolate in _files(Path(tmp)):
            found = _measure(path, isolate)
            reader = f"{found['reader_mb']:7.0f} MB" if found["reads"] else "      - MB"
            print(
                f"{'hostile: ' + label:<58} {found['seconds']:8.3f} s   reader {reader}   "
                f"importer {found['importer_mb']:6.0f} MB   {found['said']}",
                flush=True,
            )


def _measure(path: Path, isolate: bool) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), "1" if isolate else "0"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _files(folder: Path) -> list[tuple[str, Path, bool]]:
    table: list[list] = [
        ["Invoice No", "Customer", "Invoice Date", "Amount"],
        ["I1", "C1", "2024-01-05", 100],
    ]
    made = {
        "stray cell XFD1048576": _workbook(table, {"XFD1048576": "x"}),
        "stray cell CV1048576": _workbook(table, {"CV1048576": "x"}),
        "lone cell XFD1048576": _workbook([], {"XFD1048576": "x"}),
        "dense 16,384 columns x 200 rows": _dense(16_384, 200),
        "zip bomb (200 MB of zeros)": _zip_bomb(200 * 2**20),
    }
    files: list[tuple[str, Path, bool]] = []
    for label, data in made.items():
        path = folder / f"{len(files)}.xlsx"
        path.write_bytes(data)
        files.append((label, path, True))
    nul = folder / "nul.csv"
    nul.write_bytes(b"\0" * 2**20)
    padded = folder / "padded.csv"
    rows = "".join(f"I{i},C1,2024-01-05,1\n" for i in range(1, 5000))
    padded.write_bytes(
        ("Invoice No,Customer,Invoice Date,Amount\n" + rows).encode() + b"\0" * 2**20
    )
    files += [
        ("NUL bytes (1 MB .csv)", nul, True),
        ("CSV padded with 1 MB of NUL bytes", padded, True),
    ]
    for n, size in ((20_000, "1 MB"), (400_000, "20 MB")):
        path = folder / f"normal_{n}.xlsx"
        _invoices(n).to_excel(path, index=False, engine="xlsxwriter")
        files += [
            (f"normal {size} xlsx, reader process", path, True),
            (f"normal {size} xlsx, in process", path, False),
        ]
    return files


def _workbook(rows: list[list], cells: dict[str, object]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _parts(sheet: bytes) -> dict[str, bytes]:
    """A minimal workbook's parts around one sheet's XML."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    return {
        "[Content_Types].xml": (
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet,
    }


def _zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def _dense(columns: int, rows: int) -> bytes:
    def letters(n: int) -> str:
        out = ""
        while n:
            n, r = divmod(n - 1, 26)
            out = chr(65 + r) + out
        return out

    names = [letters(c) for c in range(1, columns + 1)]
    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in names) + "</row>"
        for r in range(1, rows + 1)
    )
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    return _zipped(_parts(f"<worksheet {ns}><sheetData>{body}</sheetData></worksheet>".encode()))


def _zip_bomb(size: int) -> bytes:
    parts = _parts(b"")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, body)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            zeros = b"\0" * 2**20
            for _ in range(size // len(zeros)):
                sheet.write(zeros)
    return out.getvalue()


def _invoices(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "Invoice No": [f"INV-{i:07d}" for i in range(n)],
            "Customer ID": [f"C{x:05d}" for x in rng.integers(0, 5000, n)],
            "Invoice Date": pd.Timestamp("2023-01-01")
            + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
            "Amount": rng.integers(100, 10_000_000, n) / 100,
            "Customer": [f"Customer name {x}" for x in rng.integers(0, 5000, n)],
        }
    )


if __name__ == "__main__":
    run(None)
