"""Every page runs on demo data and on an empty database; widgets move the numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from creditdash.store import open_store, row_counts

ROOT = Path(__file__).resolve().parents[2]
# every page script, found on disk: a new page is smoke-tested without being listed
ALL_PAGES = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
OVERVIEW, AGING, DATA = "pages/overview.py", "pages/aging.py", "pages/data.py"
PAGES = [OVERVIEW, AGING, DATA]  # the pages the behaviour tests open (the first is the start page)


def run_page(at, page: str):
    at.run()
    if page != OVERVIEW:
        at.switch_page(page)
        at.run()
    return at


def _needs_a_ledger(page: str) -> bool:
    """A page that shows the ledger says so on an empty database (it calls ui.empty_state)."""
    return "ui.empty_state()" in (ROOT / page).read_text(encoding="utf-8")


@pytest.mark.parametrize("page", ALL_PAGES)
@pytest.mark.parametrize("data", ["demo", "empty"])
def test_every_page_runs_without_exception(request, page, data):
    at = request.getfixturevalue(f"{data}_app")
    run_page(at, page)
    assert not at.exception, [e.value for e in at.exception]
    if data == "empty" and _needs_a_ledger(page):
        assert any("No receivables yet" in i.value for i in at.info)


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_as_of_change_moves_the_overview_numbers(demo_app):
    at = run_page(demo_app, OVERVIEW)
    latest = metric(at, "Total AR")
    at.date_input(key="as_of").set_value(date(2025, 6, 30)).run()
    assert not at.exception
    assert metric(at, "Total AR") != latest
    assert all(m.help for m in at.metric)  # every tile defines its figure
    overdue = next(m for m in at.metric if m.label == "Overdue")
    assert overdue.delta.endswith(" pp")  # a change of a percentage is in points


def test_group_by_changes_the_aging_rows(demo_app):
    at = run_page(demo_app, AGING)
    by_customer = len(at.dataframe[0].value)
    at.selectbox(key="aging_by").set_value("salesperson").run()
    assert not at.exception
    by_salesperson = at.dataframe[0].value
    assert len(by_salesperson) < by_customer
    assert "group" in by_salesperson.columns
    at.selectbox(key="aging_by").set_value("none").run()
    assert len(at.dataframe[0].value) == 1


def test_bad_edges_show_an_error_not_a_traceback(demo_app):
    at = run_page(demo_app, AGING)
    at.text_input(key="aging_edges").set_value("30, 20").run()
    assert not at.exception
    assert any("strictly increasing" in e.value for e in at.error)


def test_bad_upload_lists_problems_and_writes_nothing(empty_app, monkeypatch):
    import os

    at = run_page(empty_app, DATA)
    bad = b"Invoice No,Customer ID,Invoice Date,Amount\nX1,C1,2024-13-45,12.00\nX2,C1,2024-01-02,abc\n"
    at.file_uploader(key="uploads").set_value(("bad.csv", bad, "text/csv")).run()
    at.button(key="do_import").click().run()
    assert not at.exception
    assert any("Nothing was imported" in e.value for e in at.error)
    problems = at.dataframe[1].value  # after the mapping editor
    assert list(problems.columns[:3]) == ["Level", "What to fix", "Row"]  # what to fix first
    assert set(problems["Row"]) == {2, 3}
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    assert row_counts(engine)["invoices"] == 0
    engine.dispose()


def test_good_upload_imports_and_shows_in_history(empty_app):
    import os

    at = run_page(empty_app, DATA)
    good = b"Invoice No,Customer ID,Invoice Date,Amount\nX1,C1,2024-01-02,12.00\n"
    at.file_uploader(key="uploads").set_value(("good.csv", good, "text/csv")).run()
    at.button(key="do_import").click().run()
    assert not at.exception
    assert any("Import #1 written" in s.value for s in at.success)
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    assert row_counts(engine)["invoices"] == 1
    engine.dispose()


def test_rollback_from_the_history(empty_app):
    import os

    at = run_page(empty_app, DATA)
    good = b"Invoice No,Customer ID,Invoice Date,Amount\nX1,C1,2024-01-02,12.00\n"
    at.file_uploader(key="uploads").set_value(("good.csv", good, "text/csv")).run()
    at.button(key="do_import").click().run()
    at.checkbox(key="rollback_confirm").check().run()
    at.button(key="do_rollback").click().run()
    assert not at.exception
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    assert row_counts(engine)["invoices"] == 0
    engine.dispose()


def test_empty_database_offers_the_demo_and_template(empty_app):
    at = run_page(empty_app, DATA)
    assert any("The database is empty" in i.value for i in at.info)
    at.button(key="load_demo").click().run()
    assert not at.exception
    at.switch_page(OVERVIEW).run()
    assert metric(at, "Total AR") != "–"


def test_language_switch_translates_the_page(demo_app):
    at = run_page(demo_app, OVERVIEW)
    assert at.title[0].value == "Overview"
    at.segmented_control(key="lang").set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == "总览"
    assert any(m.label == "应收总额" for m in at.metric)


def test_lang_query_parameter_opens_in_chinese(demo_app):
    demo_app.query_params["lang"] = "zh"
    at = run_page(demo_app, AGING)
    assert at.title[0].value == "应收账龄"
