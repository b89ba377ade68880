"""What the Data page does after it changes the data: a rollback says what it did and leaves
nothing ticked, the demo company goes when asked, and the as-of date moves to the imported data.

AppTest runs a page switched to without the app's shell; `in_shell` goes back to it (app.py)
to read the sidebar. That the sidebar follows in the very run of the change is a browser test
(tests/e2e/test_data_changes.py).
"""

from __future__ import annotations

import os
from datetime import date

import ui
from creditdash.importing import list_imports
from creditdash.store import load_ledger, open_store, row_counts
from tests.app.test_pages import PAGES, run_page

DATA = PAGES[2]
FIRST = b"Invoice No,Customer ID,Invoice Date,Amount\nX1,C1,2024-01-02,12.00\n"
SECOND = b"Invoice No,Customer ID,Invoice Date,Amount\nX2,C2,2024-02-03,30.00\n"
# the company's own ledger: two customers, invoices to 2024-06-30, a payment on 2024-07-05
OWN = (
    "Invoice No,Customer ID,Customer Name,Invoice Date,Due Date,Amount,Settled Date,Paid Amount\n"
    "A1,K1,华东精密,2024-03-01,2024-03-31,8000.50,2024-07-05,8000.50\n"
    "A2,K2,Northwind,2024-06-30,2024-07-30,3100.25,,\n"
).encode()


def counts_line(at) -> str:
    return next(c.value for c in at.sidebar.caption if " customers · " in c.value)


def in_shell(at):
    """The app with its sidebar (app.py), on its first page."""
    at.switch_page("app.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload_and_import(at, name: str, data: bytes):
    at.file_uploader(key="uploads").set_value((name, data, "text/csv")).run()
    at.button(key="do_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def stored(kind: str = "counts"):
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    try:
        return row_counts(engine) if kind == "counts" else load_ledger(engine)
    finally:
        engine.dispose()


def test_the_sidebar_counts_the_rows_again_only_when_an_import_changed_them(empty_app, monkeypatch):
    counted = []
    real = ui.row_counts
    monkeypatch.setattr(ui, "row_counts", lambda engine: counted.append(1) or real(engine))
    at = run_page(empty_app, DATA)
    upload_and_import(at, "first.csv", FIRST)
    in_shell(at)
    after_import = len(counted)
    at.toggle(key="compact").set_value(False).run()  # reruns on unchanged data count nothing
    at.toggle(key="compact").set_value(True).run()
    assert len(counted) == after_import
    assert counts_line(at) == "1 customers · 1 invoices · 0 payments"
    at.switch_page(DATA).run()
    upload_and_import(at, "second.csv", SECOND)
    in_shell(at)
    assert len(counted) > after_import
    assert counts_line(at) == "2 customers · 2 invoices · 0 payments"


def test_the_sidebar_follows_an_import(empty_app):
    at = run_page(empty_app, DATA)
    upload_and_import(at, "first.csv", FIRST)
    assert any("Import #1 written" in s.value for s in at.success)
    in_shell(at)
    assert counts_line(at) == "1 customers · 1 invoices · 0 payments"
    assert at.date_input(key="as_of").value == date(2024, 1, 2)


def test_a_rollback_says_what_it_did_and_unticks_the_confirmation(empty_app):
    at = run_page(empty_app, DATA)
    upload_and_import(at, "first.csv", FIRST)
    upload_and_import(at, "second.csv", SECOND)
    assert at.session_state[ui.AS_OF_NEXT] == date(2024, 2, 3)  # the newest import's data
    assert at.selectbox(key="rollback_id").value == 2
    at.checkbox(key="rollback_confirm").check().run()
    at.button(key="do_rollback").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        "Import #2 rolled back: 2 new row(s) removed, 0 changed row(s) put back as they were."
    ]
    assert stored()["invoices"] == 1
    # the next import in the list is not one click from being undone
    assert at.selectbox(key="rollback_id").value == 1
    assert at.checkbox(key="rollback_confirm").value is False
    assert at.button(key="do_rollback").disabled
    at.run()  # the message was for the run after the rollback only
    assert not any("rolled back" in s.value for s in at.success)


def test_choosing_another_import_unticks_the_confirmation(empty_app):
    at = run_page(empty_app, DATA)
    upload_and_import(at, "first.csv", FIRST)
    upload_and_import(at, "second.csv", SECOND)
    at.checkbox(key="rollback_confirm").check().run()
    at.selectbox(key="rollback_id").set_value(1).run()
    assert at.checkbox(key="rollback_confirm").value is False
    assert stored()["invoices"] == 2


def test_the_first_import_offers_to_remove_the_demo_and_moves_the_as_of_date(demo_app):
    at = demo_app.run()
    assert at.date_input(key="as_of").value > date(2025, 1, 1)  # the demo's date
    at.switch_page(DATA).run()
    assert any("holds only the demo company" in i.value for i in at.info)
    at.file_uploader(key="uploads").set_value(("own.csv", OWN, "text/csv")).run()
    choice = at.radio(key="demo_choice")
    assert choice.value == "remove"
    assert choice.options == [
        "Remove the demo company and import",
        "Import next to the demo",
    ]
    at.button(key="do_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("The demo company was removed: 300 customers" in s.value for s in at.success)
    assert any("written" in s.value for s in at.success)
    assert any("As-of date set to 2024-07-05" in i.value for i in at.info)
    assert set(stored("ledger").customers["customer_id"]) == {"K1", "K2"}
    assert not any("demo company" in i.value for i in at.info)  # nothing left to remove
    in_shell(at)  # where the company's data ends, not the demo's date
    assert at.date_input(key="as_of").value == date(2024, 7, 5)
    assert counts_line(at) == "2 customers · 2 invoices · 1 payments"


def test_importing_next_to_the_demo_keeps_it_and_still_moves_the_as_of_date(demo_app):
    at = run_page(demo_app, DATA)
    at.file_uploader(key="uploads").set_value(("own.csv", OWN, "text/csv")).run()
    at.radio(key="demo_choice").set_value("keep").run()
    at.button(key="do_import").click().run()
    assert not at.exception
    assert stored()["customers"] == 302
    assert at.session_state[ui.AS_OF_NEXT] == date(2024, 7, 5)
    # with data of its own next to it, the demo is no longer offered on import, only removed
    at.file_uploader(key="uploads").set_value(("more.csv", FIRST, "text/csv")).run()
    assert not any(r.key == "demo_choice" for r in at.radio)
    assert any("stored next to your own data" in i.value for i in at.info)


def test_remove_demo_company_empties_the_database_and_is_audited(demo_app):
    from creditdash.audit import audit_log

    at = run_page(demo_app, DATA)
    at.button(key="remove_demo").click().run()
    assert not at.exception
    assert any("The demo company was removed" in s.value for s in at.success)
    assert any("The database is empty" in i.value for i in at.info)
    assert stored()["customers"] == 0
    engine = open_store(os.environ["CREDITDASH_DB_URL"])
    assert set(list_imports(engine)["status"]) == {"rolled_back"}
    assert "demo_removed" in set(audit_log(engine)["action"])
    engine.dispose()


def test_a_check_removes_nothing(demo_app):
    at = run_page(demo_app, DATA)
    at.file_uploader(key="uploads").set_value(("own.csv", OWN, "text/csv")).run()
    at.button(key="dry_run").click().run()
    assert not at.exception
    assert stored()["customers"] == 300
    assert not any("removed" in s.value for s in at.success)
