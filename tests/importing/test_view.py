"""The Data page's view: one import run's outcome, and its tables in either language."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from creditdash.auth import Actor
from creditdash.errors import PermissionDenied, Problem
from creditdash.importing import list_imports, load_demo, view
from creditdash.importing.profiles import load_profiles
from creditdash.ingest import Source, propose_mappings
from creditdash.ingest.mapping import SheetMapping

ADMIN = Actor("ana@example.com", "admin")
LEDGER = (
    "Invoice No,Customer ID,Invoice Date,Amount,Note\n"
    "INV-1,C1,2024-01-05,1000.00,x\n"
    "INV-2,C1,2024-02-20,250.00,y\n"
)
BAD = b"Invoice No,Customer ID,Invoice Date,Amount\nX1,C1,2024-13-45,12.00\nX2,C1,2024-01-02,abc\n"


def ledger_source(text: str = LEDGER, name: str = "ledger.csv") -> Source:
    return Source(name, text.encode("utf-8"))


def run(engine, sources, mappings=None, **kwargs) -> view.ImportRun:
    proposed = propose_mappings(sources)
    return view.run_import(
        engine, sources, ADMIN, mappings=mappings or proposed, proposed=proposed, **kwargs
    )


def test_an_import_moves_the_as_of_date_to_where_its_data_ends(sqlite_engine):
    done = run(sqlite_engine, [ledger_source()])
    assert done.written and done.changed_data and done.error is None and done.problems == ()
    assert done.moved_to == date(2024, 2, 20)
    assert done.summary is not None and done.summary.counts["invoices"].new == 2
    again = run(sqlite_engine, [ledger_source()])  # the same file: nothing written, no move
    assert not again.written and not again.changed_data and again.moved_to is None


def test_a_check_writes_nothing_and_saves_no_profile(sqlite_engine):
    source = ledger_source()
    plain = propose_mappings([source])
    note_kept = [replace(plain[0], mapping={**plain[0].mapping, "Note": "salesperson"})]
    checked = run(sqlite_engine, [source], mappings=note_kept, dry_run=True, replace_demo=True)
    assert checked.summary is not None and checked.summary.dry_run
    assert not checked.changed_data and checked.removed is None and checked.profiles == ()
    assert list_imports(sqlite_engine).empty and load_profiles(sqlite_engine) == []


def test_an_import_saves_the_users_corrections_as_a_profile_once(sqlite_engine):
    source = ledger_source()
    plain = propose_mappings([source])
    assert plain[0].mapping["Note"] is None  # proposed: ignored
    corrected = [replace(plain[0], mapping={**plain[0].mapping, "Note": "salesperson"})]
    done = run(sqlite_engine, [source], mappings=corrected)
    assert len(done.profiles) == 1
    assert [p.name for p in load_profiles(sqlite_engine)] == list(done.profiles)
    later = ledger_source(LEDGER.replace("1000.00", "1200.00"))
    again = run(sqlite_engine, [later], mappings=[replace(corrected[0], file="ledger.csv")])
    assert again.written and again.profiles == ()  # saved as it is already


def test_a_refused_file_comes_back_with_its_problems(sqlite_engine):
    refused = run(sqlite_engine, [Source("bad.csv", BAD)])
    assert refused.summary is None and refused.error is None and not refused.changed_data
    assert refused.errors == len([p for p in refused.problems if p.level == "error"]) >= 2
    assert {p.row for p in refused.problems if p.level == "error"} >= {2, 3}


def test_an_error_of_ours_comes_back_and_nothing_is_written(sqlite_engine):
    viewer = Actor("val@example.com", "viewer")
    sources = [ledger_source()]
    plain = propose_mappings(sources)
    refused = view.run_import(sqlite_engine, sources, viewer, mappings=plain, proposed=plain)
    assert isinstance(refused.error, PermissionDenied)
    assert refused.summary is None and not refused.changed_data
    assert list_imports(sqlite_engine).empty


def test_the_demo_goes_first_when_asked(sqlite_engine, tmp_path):
    load_demo(sqlite_engine, tmp_path, actor=ADMIN)
    done = run(sqlite_engine, [ledger_source()], replace_demo=True)
    assert done.removed is not None and done.removed["removed_customers"] == 300
    assert done.written and done.moved_to == date(2024, 2, 20)
    assert (
        view.removed_text(done.removed)
        .render("en")
        .startswith("The demo company was removed: 300 customers, ")
    )


def test_sentences_of_a_removal_and_a_rollback():
    counts = {"removed_customers": 1200, "removed_invoices": 3, "removed_payments": 0}
    assert view.removed_text(counts).render("en") == (
        "The demo company was removed: 1,200 customers, 3 invoices and 0 payments taken out."
    )
    undone = {"restored": 2, "removed_invoices": 1000, "removed_payments": 500}
    assert view.rolled_back_text(7, undone).render("zh") == (
        "导入 #7 已撤销：删除其新增的 1,500 行，恢复其修改的 2 行。"
    )


def test_problems_table_in_chinese():
    problems = [
        Problem("a.csv", "Row 3: bad date.", row=3, column="Invoice Date", value="2024-13-45"),
        Problem("a.csv", "Unknown column kept out.", level="warning"),
        Problem("b.csv", "x", code="import.not_found", params={"import_id": 9}),
    ]
    table = view.problems_table(problems, "zh")
    assert list(table.columns) == ["级别", "如何修正", "行", "列", "值", "文件", "工作表"]
    assert table["级别"].tolist() == ["错误", "警告", "错误"]
    assert table["行"].tolist() == [3, "", ""]
    assert table["工作表"].tolist() == ["", "", ""]
    assert table["如何修正"].tolist()[:2] == ["Row 3: bad date.", "Unknown column kept out."]
    assert table["如何修正"].iloc[2].startswith("导入 #9 不存在")
    assert view.problems_table(problems).columns[1] == "What to fix"


def test_history_table_names_kinds_and_status():
    log = pd.DataFrame(
        {
            "import_id": [2, 1],
            "started_at": pd.to_datetime(["2024-03-01 10:00", "2024-02-01 09:00"]),
            "file_names": ["a.xlsx, r.csv", "b.csv"],
            "kind": ["ledger,rates", "made_up"],
            "rows_read": [10, 4],
            "rows_new": [8, 4],
            "rows_changed": [2, 0],
            "rows_unchanged": [0, 0],
            "who": ["ana", "local user"],
            "status": ["applied", "rolled_back"],
            "sha256": ["x", "y"],  # the log's other columns stay out
        }
    )
    shown = view.history_table(log, "zh")
    assert list(shown.columns) == list(view.HISTORY_COLUMNS)
    assert shown["kind"].tolist() == ["完整台账（含核销）, 汇率", "made_up"]
    assert shown["status"].tolist() == ["已生效", "已回滚"]
    assert shown["who"].tolist() == ["ana", "本机用户"]
    headers = view.history_headers("zh")
    assert (headers["import_id"], headers["started_at"]) == ("#", "时间")
    assert list(headers) == list(view.HISTORY_COLUMNS)


def test_changed_header_rows_only_where_the_user_moved_them():
    sheets = [
        SheetMapping("a.xlsx", "S1", "ledger", 1, [], {}, 0),
        SheetMapping("a.xlsx", "S2", "ledger", 3, [], {}, 0),
        SheetMapping("b.csv", None, "ledger", 2, [], {}, 0),
    ]
    assert view.changed_header_rows(sheets, [1, 5, None]) == (("a.xlsx", "S2", 5),)
    assert view.changed_header_rows(sheets, [None, None, 4.0]) == (("b.csv", None, 4),)


def test_mapping_table_and_back_in_chinese():
    sheet = SheetMapping(
        "a.csv", None, "invoices", 1, ["No", "Memo"], {"No": "invoice_id", "Memo": None}, 5
    )
    table = view.mapping_table(sheet, "zh")
    assert table.to_dict("list") == {"column": ["No", "Memo"], "field": ["invoice_id", "（忽略）"]}
    table.loc[0, "field"] = "（忽略）"
    table.loc[1, "field"] = "salesperson"
    edited = view.edited_mapping(sheet, table, "zh")
    assert edited.mapping == {"No": None, "Memo": "salesperson"}
    assert edited.headers == sheet.headers and edited.n_rows == 5
    assert view.field_label("invoice_id", "zh") == "发票号 (invoice_id)"
    assert view.field_label("（忽略）", "zh") == "（忽略）"
