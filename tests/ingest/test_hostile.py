"""Files that once killed the server or took minutes: read within limits, cut down or refused.

A 5 KB xlsx with a cell at XFD1048576 aborted the whole process inside the
reader ("memory allocation of 549755813888 bytes failed"); one with a cell at
CV1048576 took 44 s and 7 GB. Workbooks are now surveyed before their cells
are used and read in a child process with memory and time limits.
"""

from __future__ import annotations

import sys
import time
import zipfile
from io import BytesIO

import pytest

from creditdash.ingest import Source, guard, parse_sources, sheetxml
from creditdash.ingest.guard import ReadLimits
from creditdash.ingest.problems import ProblemLog
from creditdash.ingest.read import read_source
from tests.ingest import hostile_files as hostile

TABLE = [[str(c) for c in row] for row in hostile.INVOICES]


def read(name: str, data: bytes, **kwargs):
    log = ProblemLog()
    return read_source(Source(name, data), log, **kwargs), log.problems


def codes(problems) -> list[tuple[str, str | None, str]]:
    return [(p.level, p.sheet, p.code) for p in problems]


def test_a_stray_cell_at_xfd1048576_is_cut_off_and_the_table_read():
    sheets, problems = read("a.xlsx", hostile.far_cell("XFD1048576"))
    assert sheets[0].cells.values.tolist() == TABLE
    assert codes(problems) == [("warning", "S", "ingest.sheet_stray_cells.one")]
    assert problems[0].params == {"cells": "XFD1048576", "end": "D3", "last": "XFD1048576"}
    assert problems[0].message == (
        "The cell XFD1048576 lies far from the table, which ends at D3; it stretched the sheet "
        "to XFD1048576 and was not read. Delete it, or move it next to the table if it is data."
    )


def test_a_stray_cell_at_cv1048576_no_longer_takes_minutes():
    started = time.perf_counter()
    sheets, problems = read("a.xlsx", hostile.far_cell("CV1048576"))
    assert time.perf_counter() - started < 20  # was 44 s and 7 GB
    assert sheets[0].cells.shape == (3, 4)
    assert problems[0].params["cells"] == "CV1048576"


def test_a_far_cell_within_the_budget_is_read_not_cut():
    sheets, problems = read("a.xlsx", hostile.far_cell("D5000", "note"))
    assert problems == []
    assert sheets[0].cells.shape == (5000, 4)
    assert sheets[0].cells.iloc[4999, 3] == "note"


def test_several_stray_cells_are_named():
    data = hostile.workbook(hostile.INVOICES, {"XFD7": "a", "ZZ900000": "b"})
    sheets, problems = read("a.xlsx", data)
    assert sheets[0].cells.shape == (3, 4)
    [warning] = problems
    assert (warning.code, warning.params["n"]) == ("ingest.sheet_stray_cells", 2)
    assert warning.params["cells"] == "XFD7, ZZ900000"


def test_a_lone_far_cell_is_refused_naming_the_cell_and_the_count():
    sheets, problems = read("a.xlsx", hostile.workbook([], {"XFD1048576": "x"}))
    assert sheets == []
    assert codes(problems) == [("error", "S", "ingest.sheet_extent_absurd")]
    assert problems[0].message.startswith(
        "The sheet reaches cell XFD1048576, but the cells that hold a value number only 1: "
        "reading it would mean more than 25,000,000 cells or 1,024 columns."
    )


def test_more_strays_than_allowed_are_refused():
    data = hostile.workbook(hostile.INVOICES, {"XFD1": 1, "XFD2": 2, "XFD3": 3})
    sheets, problems = read("a.xlsx", data, limits=ReadLimits(max_strays=2))
    assert sheets == []
    assert problems[0].code == "ingest.sheet_extent_absurd"
    assert problems[0].params["last"] == "XFD3"


def test_a_sheet_with_more_filled_cells_than_the_budget_is_refused():
    sheets, problems = read("a.xlsx", hostile.dense(30, 10), limits=ReadLimits(max_cells=100))
    assert sheets == []
    assert problems[0].code == "ingest.sheet_too_many_cells"
    assert problems[0].message.startswith(
        "The sheet holds 300 filled cells; the limit is 100 cells per sheet."
    )


def test_a_full_table_within_the_budget_is_read():
    # 100 rows of 20 columns: 2,000 cells, exactly the budget
    sheets, problems = read("a.xlsx", hostile.dense(20, 100), limits=ReadLimits(max_cells=2000))
    assert problems == []
    assert sheets[0].cells.shape == (100, 20)
    for data, last in ((hostile.dense(20, 3), 20), (hostile.workbook([["a", None, "c"]]), 3)):
        with zipfile.ZipFile(BytesIO(data)) as archive:
            assert sheetxml.scan(archive, hostile.SHEET).columns == last


def test_a_table_wider_than_the_column_limit_is_refused():
    sheets, problems = read("a.xlsx", hostile.dense(40, 3), limits=ReadLimits(max_columns=30))
    assert sheets == []
    assert problems[0].code == "ingest.sheet_extent_absurd"
    assert problems[0].params["last"] == "AN3"


def test_a_refused_sheet_leaves_the_other_sheets():
    data = hostile.workbook(hostile.INVOICES, title="Invoices", more={"Junk": {"XFD1048576": "x"}})
    sheets, problems = read("a.xlsx", data)
    assert [s.sheet for s in sheets] == ["Invoices"]
    assert codes(problems) == [("error", "Junk", "ingest.sheet_extent_absurd")]
    sheets, problems = read("a.xlsx", data, sheet="Invoices")
    assert problems == []


def test_a_declared_dimension_alone_is_harmless():
    def claim(xml: bytes) -> bytes:
        return xml.replace(b'<dimension ref="A1:D3"', b'<dimension ref="A1:XFD1048576"')

    data = hostile.edit_parts(hostile.workbook(hostile.INVOICES), {hostile.SHEET: claim}, {})
    sheets, problems = read("a.xlsx", data)
    assert problems == []
    assert sheets[0].cells.values.tolist() == TABLE


def test_the_survey_reads_the_real_extent():
    with zipfile.ZipFile(BytesIO(hostile.far_cell("CV1048576"))) as archive:
        [part] = sheetxml.sheet_parts(archive)
        extent = sheetxml.scan(archive, part.path)
        counted = sheetxml.census(archive, part.path)
        filled = sheetxml.count_values(archive, part.path)
    assert (part.name, part.path) == ("S", "xl/worksheets/sheet1.xml")
    assert (extent.declared, extent.rows, extent.columns) == ("CV1048576", 1048576, 100)
    assert extent.complete
    assert filled == counted.filled == 13  # 12 in the table, 1 far away
    assert counted.last == (1048576, 100)


def test_an_abort_in_the_reader_ends_only_the_reader_process():
    # no survey can bound this sheet (a cell without position); the reader asks for 549 GB
    sheets, problems = read("a.xlsx", hostile.positionless_far_cell())
    assert sheets == []
    assert codes(problems) == [("error", None, "ingest.workbook_limit.memory")]
    assert problems[0].message.startswith(
        "The workbook could not be read within the memory limit of 3.0 GB;"
    )


def test_a_read_over_the_time_limit_is_stopped():
    sheets, problems = read(
        "a.xlsx", hostile.workbook(hostile.INVOICES), limits=ReadLimits(seconds=0.01)
    )
    assert sheets == []
    assert problems[0].code == "ingest.workbook_limit.time"
    assert "within the time limit of 0 seconds" in problems[0].message


def test_a_crashing_reader_is_reported(monkeypatch, tmp_path):
    crash = tmp_path / "crash.py"
    crash.write_text(
        "import os, resource, signal\n"
        "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
        "os.kill(os.getpid(), signal.SIGSEGV)\n"
    )
    monkeypatch.setattr(guard, "_WORKER", crash)
    sheets, problems = read("a.xlsx", hostile.workbook(hostile.INVOICES))
    assert sheets == []
    assert problems[0].code == "ingest.workbook_reader_crashed"
    assert problems[0].params == {"detail": "SIGSEGV"}


def test_the_reader_process_leaves_no_files(monkeypatch, tmp_path):
    monkeypatch.setattr(guard.tempfile, "tempdir", str(tmp_path))
    read("a.xlsx", hostile.workbook(hostile.INVOICES))
    read("a.xlsx", hostile.far_cell("XFD1048576"))
    assert list(tmp_path.iterdir()) == []


def test_uncalculated_formulas_are_errors_where_imported_and_warnings_elsewhere():
    batch = parse_sources([Source("f.xlsx", hostile.uncached_formulas())])
    found = {p.code: p for p in batch.problems if p.code.startswith("ingest.formula")}
    imported = found["ingest.formula_not_calculated"]
    assert (imported.level, imported.row, imported.params["cells"]) == ("error", 2, "B2, B3")
    assert imported.message.startswith(
        "Formula cells with no saved result read as empty here (2: B2, B3): the program that "
        "wrote the file did not calculate them."
    )
    outside = found["ingest.formula_not_calculated.outside"]
    assert (outside.level, outside.params["cells"]) == ("warning", "F1")


def test_values_from_an_external_workbook_are_taken_with_a_warning():
    sheets, problems = read("x.xlsx", hostile.external_link())
    assert sheets[0].cells[3].tolist() == ["Amount", "42", "43"]
    assert codes(problems) == [("warning", "S", "ingest.external_link_values")]
    assert problems[0].params == {"n": 2, "cells": "D2, D3", "sources": "Prices 2024.xlsx"}


def test_a_csv_padded_with_nul_bytes_is_called_damaged_not_empty_fields():
    # past the first 4 KB, which is all that is sniffed for binary content
    batch = parse_sources([Source("ledger.csv", hostile.nul_padded_csv(lines=200))])
    assert [(p.level, p.code, p.row) for p in batch.problems] == [
        ("error", "ingest.text_nul_bytes", None)
    ]
    assert batch.problems[0].message.startswith(
        "The file holds 100,000 NUL bytes, the first on line 201: it is binary data or a "
        "damaged copy"
    )


def test_utf16_text_of_nul_bytes_is_called_damaged():
    sheets, problems = read("a.csv", b"\xff\xfe" + b"\0" * 1000)
    assert sheets == []
    assert problems[0].code == "ingest.text_nul_bytes"
    assert problems[0].params == {"n": 500, "line": 1}


def test_the_reader_script_imports_no_creditdash():
    """The reader process starts in milliseconds: stdlib, python-calamine and sheetxml only."""
    import subprocess

    probe = (
        "import runpy, sys; sys.argv = ['x']\n"
        f"try:\n    runpy.run_path({str(guard._WORKER)!r}, run_name='reader')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('creditdash', 'pandas', 'numpy'))))\n"
    )
    out = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.parametrize("ref", ["XFD1048576", "CV1048576"])
def test_a_stray_cell_does_not_spoil_the_import(ref):
    batch = parse_sources([Source("a.xlsx", hostile.far_cell(ref))])
    assert batch.invoices["invoice_id"].tolist() == ["I1", "I2"]
    assert not batch.errors
