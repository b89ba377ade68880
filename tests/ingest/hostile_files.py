"""Workbooks and text files that once harmed or fooled the import, made in memory.

Each builder returns the bytes of a file; `INVOICES` is a small invoice table
the workbooks start from (header on row 1, two invoices on rows 2 and 3).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import openpyxl

INVOICES = [
    ["Invoice No", "Customer", "Invoice Date", "Amount"],
    ["I1", "C1", "2024-01-05", 100],
    ["I2", "C2", "2024-01-06", 250],
]
SHEET = "xl/worksheets/sheet1.xml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook(
    rows: list[list],
    cells: dict[str, object] | None = None,
    title: str = "S",
    more: dict[str, dict[str, object]] | None = None,
) -> bytes:
    """A sheet named `title` holding `rows` from A1 down and `cells` by reference, then a
    sheet for each entry of `more` holding its cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for ref, value in (cells or {}).items():
        sheet[ref] = value
    for name, placed in (more or {}).items():
        other = book.create_sheet(name)
        for ref, value in placed.items():
            other[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def far_cell(ref: str, value: object = "x", rows: list[list] | None = None) -> bytes:
    """The invoice table (or `rows`) and one value far away at `ref`."""
    return workbook(INVOICES if rows is None else rows, {ref: value})


def edit_parts(
    data: bytes, edits: dict[str, Callable[[bytes], bytes]], add: dict[str, bytes]
) -> bytes:
    """The workbook with some parts rewritten (`edits`) and new parts added (`add`)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename in edits:
                body = edits[info.filename](body)
            dst.writestr(info.filename, body)
        for name, body in add.items():
            dst.writestr(name, body)
    return out.getvalue()


def positionless_far_cell() -> bytes:
    """XFD1048576 filled, and one cell that does not say where it is (no r=): the survey
    cannot bound such a sheet, so only the reader process's limits stand between it and
    a 549 GB allocation."""

    def unplace(xml: bytes) -> bytes:
        return xml.replace(b'<c r="B2" t="inlineStr">', b'<c t="inlineStr">', 1)

    return edit_parts(far_cell("XFD1048576"), {SHEET: unplace}, {})


def external_link(source: str = "file:///C:/data/Prices%202024.xlsx", n: int = 2) -> bytes:
    """D2, D3, ... (`n` cells) hold `[1]Prices!B2`-style formulas with saved values 42, 43,
    ..., linked to another workbook as Excel writes it (an externalLink part and its
    relationship)."""
    rows = [["Invoice No", "Customer", "Invoice Date", "Amount"]]
    rows += [[f"I{i}", f"C{i}", "2024-01-05"] for i in range(1, n + 1)]
    base = workbook(rows, {f"D{r}": f"=[1]Prices!B{r}" for r in range(2, n + 2)})

    def cache(xml: bytes) -> bytes:
        for r in range(2, n + 2):
            formula = f"<f>[1]Prices!B{r}</f>".encode()
            xml = re.sub(re.escape(formula) + rb"<v ?/>", formula + b"<v>%d</v>" % (40 + r), xml)
        return xml

    def refer(xml: bytes) -> bytes:
        refs = b'<externalReferences><externalReference r:id="rId99"/></externalReferences>'
        return xml.replace(b"</sheets>", b"</sheets>" + refs, 1)

    def relate(xml: bytes) -> bytes:
        rel = (
            f'<Relationship Id="rId99" Type="{_REL}/externalLink" '
            'Target="externalLinks/externalLink1.xml"/>'
        ).encode()
        return xml.replace(b"</Relationships>", rel + b"</Relationships>", 1)

    link = (
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<externalBook xmlns:r="{_REL}" r:id="rId1"><sheetNames><sheetName val="Prices"/>'
        "</sheetNames></externalBook></externalLink>"
    ).encode()
    link_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/externalLinkPath" Target="{source}" '
        'TargetMode="External"/></Relationships>'
    ).encode()
    return edit_parts(
        base,
        {SHEET: cache, "xl/workbook.xml": refer, "xl/_rels/workbook.xml.rels": relate},
        {
            "xl/externalLinks/externalLink1.xml": link,
            "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels,
        },
    )


def uncached_formulas() -> bytes:
    """Customer names as formulas never calculated (openpyxl saves no results), and one
    uncalculated note formula in column F, which is not imported."""
    return workbook(
        [
            ["Invoice No", "Customer", "Invoice Date", "Amount"],
            ["I1", '=UPPER("acme")', "2024-01-05", 100],
            ["I2", '=UPPER("beta")', "2024-01-06", 250],
        ],
        {"F1": '="note"'},
    )


def dense(columns: int, rows: int) -> bytes:
    """A sheet whose `rows` rows each hold the number 1 in `columns` columns."""
    from creditdash.ingest.sheetxml import column_letters

    letters = [column_letters(c) for c in range(1, columns + 1)]
    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in letters) + "</row>"
        for r in range(1, rows + 1)
    ).encode()

    def fill(xml: bytes) -> bytes:
        return re.sub(
            rb"<sheetData>.*</sheetData>", lambda _m: b"<sheetData>" + body + b"</sheetData>", xml
        )

    return edit_parts(workbook([["x"]]), {SHEET: fill}, {})


def nul_padded_csv(lines: int = 42, zeros: int = 100_000) -> bytes:
    """An invoice CSV of `lines` lines whose tail is NUL bytes (a copy cut off by a crash)."""
    head = "Invoice No,Customer,Invoice Date,Amount\n"
    rows = "".join(f"I{i},C1,2024-01-05,1\n" for i in range(1, lines))
    return (head + rows).encode() + b"\0" * zeros
