"""Fixture builders for the ingest tests: files are made in memory, never read from disk."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from creditdash.ingest import ParsedBatch, Source, parse_sources

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ibm_ar_sample.csv"


def build_xlsx(sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> bytes:
    """An .xlsx with one sheet per entry; each row list is appended in order (row 1 first)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(name: str, data: bytes | str, **kwargs) -> ParsedBatch:
    """parse_sources on one file; text is encoded as UTF-8."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_sources([Source(name, raw)], **kwargs)


def where(batch: ParsedBatch, level: str | None = None) -> list[tuple]:
    """(level, sheet, row, column) of every problem, for exact assertions."""
    return [
        (p.level, p.sheet, p.row, p.column)
        for p in batch.problems
        if level is None or p.level == level
    ]


@pytest.fixture
def xlsx() -> Callable[..., bytes]:
    return build_xlsx


@pytest.fixture
def parse() -> Callable[..., ParsedBatch]:
    return run


@pytest.fixture
def locate() -> Callable[..., list[tuple]]:
    return where


@pytest.fixture
def sample() -> Path:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is not there")
    return SAMPLE
