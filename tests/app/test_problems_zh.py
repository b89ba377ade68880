"""A Chinese user sees the library's problems and errors in Chinese (?lang=zh)."""

from __future__ import annotations

import os

import pytest

import ui
from creditdash.errors import InvalidArgument, Problem
from creditdash.importing import import_sources
from creditdash.ingest import Source
from creditdash.store import open_store
from tests.app.test_pages import PAGES, run_page

BAD = b"Invoice No,Customer ID,Invoice Date,Amount\nX1,C1,2024-13-45,12.00\nX2,C1,2024-01-02,abc\n"
LEDGER = "Invoice No,Customer ID,Invoice Date,Amount\nINV-1,C1,2024-01-05,1000.00\n"
ROW, MESSAGE, LEVEL = "行", "如何修正", "级别"


def test_bad_upload_lists_its_problems_in_chinese(empty_app):
    empty_app.query_params["lang"] = "zh"
    at = run_page(empty_app, PAGES[2])
    at.file_uploader(key="uploads").set_value(("bad.csv", BAD, "text/csv")).run()
    at.button(key="do_import").click().run()
    assert not at.exception
    assert any("未导入任何数据" in e.value for e in at.error)
    problems = at.dataframe[1].value.set_index(ROW)  # after the mapping editor
    assert list(problems.columns[:1]) == [LEVEL]  # the headers are Chinese too
    assert problems.loc[2, MESSAGE] == (
        "'2024-13-45' 不是有效日期：请改为 2024-03-31、3/31/2024 或 2024年3月31日 等格式。"
    )
    assert problems.loc[3, MESSAGE].startswith("'abc' 不是有效金额")


def test_refused_rollback_is_explained_in_chinese(empty_app):
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    first = import_sources(engine, [Source("a.csv", LEDGER.encode())]).import_id
    changed = LEDGER.replace("1000.00", "1200.00")
    later = import_sources(engine, [Source("b.csv", changed.encode())]).import_id
    engine.dispose()
    empty_app.query_params["lang"] = "zh"
    at = run_page(empty_app, PAGES[2])
    at.selectbox(key="rollback_id").set_value(first).run()
    at.checkbox(key="rollback_confirm").check().run()
    at.button(key="do_rollback").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"导入 #{later} 修改了导入 #{first} 写入的数据：请先撤销 #{later}。"
    ]


@pytest.fixture
def chinese(monkeypatch):
    monkeypatch.setattr(ui, "lang", lambda: "zh")


def test_problem_text_translates_coded_problems_and_keeps_the_rest(chinese):
    coded = Problem(
        "f.csv", "'x' is not a number.", code="ingest.bad_number", params={"value": "x"}
    )
    assert ui.problem_text(coded).startswith("'x' 不是数字")
    assert ui.problem_text(Problem("f.csv", "Plain English.")) == "Plain English."
    unknown = Problem("f.csv", "Newer message.", code="ingest.not_in_the_catalogue", params={})
    assert ui.problem_text(unknown) == "Newer message."
    short = Problem("f.csv", "'x' is not a number.", code="ingest.bad_number", params={})
    assert ui.problem_text(short) == "'x' is not a number."  # params missing: English


def test_error_text_translates_coded_errors_and_keeps_the_rest(chinese):
    coded = InvalidArgument(
        "Import #3 was already rolled back on 2024-01-01 10:00.",
        code="import.already_rolled_back",
        params={"import_id": 3, "when": "2024-01-01 10:00"},
    )
    assert ui.error_text(coded) == "导入 #3 已于 2024-01-01 10:00 撤销。"
    assert ui.error_text(InvalidArgument("Plain English.")) == "Plain English."
    assert ui.error_text(ValueError("not ours")) == "not ours"


def test_english_is_the_message_itself(monkeypatch):
    monkeypatch.setattr(ui, "lang", lambda: "en")
    coded = Problem("f.csv", "Exactly this.", code="ingest.bad_number", params={"value": "x"})
    assert ui.problem_text(coded) == "Exactly this."
