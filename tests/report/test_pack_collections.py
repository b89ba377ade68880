"""The pack's workbook carries the review's collections section as a sheet, money in units."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from creditdash.report import review_xlsx
from creditdash.review import build_review
from creditdash.review.collections import collections_review, with_amounts
from tests.collections.conftest import dispute_rows, inputs_with, promise_rows
from tests.collections.test_promises import with_payments

WEEK_END = "2026-07-11"


@pytest.fixture(scope="module")
def week():
    """The week of tests/review/test_collections_review.py: C1 keeps a promise of 2,000.00,
    C2 partly keeps one of 5,000.00, C3 breaks one of 600.00 and makes one of 700.00; a
    dispute on I13 is credited after 16 days, two stay open."""
    ledger = with_payments(
        ("A", "C1", "I12", "2026-07-06", 200_000),
        ("B", "C2", "I21", "2026-07-03", 100_000),
    )
    promises = promise_rows(
        (1, "C1", 200_000, "2026-07-05", "2026-06-30", ["I12"]),
        (2, "C2", 500_000, "2026-07-04", "2026-07-01", ["I21"]),
        (3, "C3", 60_000, "2026-07-02", "2026-07-01", []),
        (4, "C3", 70_000, "2026-07-20", "2026-07-08", []),
    )
    disputes = dispute_rows(
        (1, "I13", "C1", "2026-06-20", "credit", "2026-07-06"),
        (2, "I31", "C3", "2026-07-03", None, None),
        (3, "I32", "C3", "2026-06-01", None, None),
    )
    assignments = pd.DataFrame({"scope": ["salesperson"], "key": ["张伟"],
                                "collector": ["chen@x.cn"], "language": [None]})  # fmt: skip
    inputs = inputs_with(promises=promises, disputes=disputes, assignments=assignments)
    return build_review(ledger, WEEK_END), collections_review(ledger, inputs, WEEK_END)


def test_amounts_are_in_currency_units_beside_the_counts(week):
    _, section = week
    shown = with_amounts(section.by_collector).set_index("group")
    assert (shown.loc["chen@x.cn", "kept"], shown.loc["chen@x.cn", "kept_amount"]) == (1, 2000.0)
    assert shown.loc["", "partly_kept_amount"] == 5000.0
    assert not any(c.endswith("_cents") for c in shown.columns)


def rows_of(sheet) -> list[tuple]:
    return [r for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]


def test_the_workbook_has_a_collections_sheet_per_collector_and_salesperson(week):
    review, section = week
    book = openpyxl.load_workbook(io.BytesIO(review_xlsx(review, "en", section)))
    rows = rows_of(book["Collections"])
    assert rows[0][0] == "Promises and disputes in the 7 days to 2026-07-11"
    assert rows[1][0] == "By collector"
    header = rows[2]
    assert header[:5] == ("Collector", "Promises made", "Promised", "Kept", "Kept amount")
    by_collector = {r[0]: dict(zip(header, r, strict=True)) for r in rows[3:5]}
    chen = by_collector["chen@x.cn"]
    assert (chen["Promises made"], chen["Promised"], chen["Kept amount"]) == (1, 700, 2000)
    assert (chen["Broken"], chen["Broken amount"], chen["Disputes open"]) == (1, 600, 2)
    assert chen["Mean days to resolve"] == 16
    assert by_collector["(no collector)"]["Partly kept amount"] == 5000
    assert rows[5][0] == "By salesperson"
    assert {r[0] for r in rows[7:]} == {"张伟", "李娜"}
    assert "Collections" not in openpyxl.load_workbook(io.BytesIO(review_xlsx(review))).sheetnames


def test_the_sheet_speaks_chinese(week):
    review, section = week
    book = openpyxl.load_workbook(io.BytesIO(review_xlsx(review, "zh", section)))
    rows = rows_of(book["催收"])
    assert rows[0][0] == "截至 2026-07-11 的 7 天内的付款承诺和争议"
    assert rows[2][1:3] == ("新增承诺", "承诺金额")
    assert "（未分配催收员）" in {r[0] for r in rows}


def test_the_report_command_writes_the_sheet(tmp_path):
    from creditdash.auth import Actor
    from creditdash.cli import main
    from creditdash.collections import records
    from creditdash.importing import import_sources
    from creditdash.ingest import Source
    from creditdash.store import open_store
    from tests.collections.conftest import CUSTOMERS_CSV, LEDGER_CSV

    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    engine = open_store(url)
    import_sources(engine, [Source("customers.csv", CUSTOMERS_CSV.encode()),
                            Source("ledger.csv", LEDGER_CSV.encode())])  # fmt: skip
    records.record_promise(engine, Actor("ann@x.cn", "analyst"), "C2", 300_000, "2026-07-15",
                           made_on="2026-07-08")  # fmt: skip
    engine.dispose()
    out = tmp_path / "pack.xlsx"
    assert main(["--db", url, "report", "--as-of", WEEK_END, "--out", str(out)]) == 0
    rows = rows_of(openpyxl.load_workbook(out)["Collections"])
    header = rows[2]
    nobody = dict(zip(header, rows[3], strict=True))  # no collector is assigned
    assert (nobody["Collector"], nobody["Promises made"], nobody["Promised"]) == (
        "(no collector)",
        1,
        3000,
    )
