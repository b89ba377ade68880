"""The Collections page in the browser: English and Chinese, a promise to pay logged as the local
admin and seen in the customer view, a customer ID typed that the ledger does not know, and a
statement downloaded."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from creditdash.auth import LOCAL
from creditdash.collections import records
from creditdash.store import open_store
from tests.e2e.test_browser import no_exception, open_page, settle

pytestmark = pytest.mark.e2e

MAIN = "[data-testid='stMain']"


def grid(page, key: str):
    """The accessible copy of the cells of the table with key `key`."""
    return page.locator(f".st-key-{key} table")


def test_the_page_in_english_and_in_chinese(demo_app, page, shot):
    open_page(page, f"{demo_app.url}/collections?lang=en", timeout_ms=180_000)
    expect(page.locator(MAIN).get_by_role("heading", name="Collections")).to_be_visible()
    tile = page.get_by_test_id("stMetricLabel").filter(has_text="Customers to work")
    expect(tile).to_be_visible()
    expect(grid(page, "coll_table").locator("tbody tr").first).to_be_attached()
    no_exception(page)
    shot("en")
    open_page(page, f"{demo_app.url}/collections?lang=zh")
    expect(page.locator(MAIN).get_by_role("heading", name="催收工作台")).to_be_visible()
    expect(page.get_by_test_id("stMetricLabel").filter(has_text="待催收客户")).to_be_visible()
    expect(page.get_by_role("tab", name="付款承诺").first).to_be_visible()
    no_exception(page)
    shot("zh")


def test_a_promise_logged_as_the_local_admin_shows_in_the_customer_view(demo_app, page, shot):
    open_page(page, f"{demo_app.url}/collections?lang=en", timeout_ms=180_000)
    customer = page.locator(".st-key-coll_customer input").input_value().split(" · ")[0]
    page.get_by_role("tab", name="Promise to pay").click()
    amount = page.locator(".st-key-coll_promise_amount input")
    amount.fill("123456.78")
    page.locator(".st-key-coll_promise_note textarea").fill("CFO promised on the phone")
    page.get_by_role("button", name="Record promise").click()
    settle(page)
    expect(page.get_by_test_id("stToast").filter(has_text="Promise #1 recorded")).to_be_visible()
    page.get_by_role("tab", name="Promises", exact=True).click()
    # the customer's tables are in tabs: the one shown is the Promises table
    promises = page.locator("[role='tabpanel']:visible [data-testid='stDataFrame'] table")
    expect(promises.locator("tbody tr")).to_have_count(1)
    expect(promises).to_contain_text("123456.78")  # the grid's copy holds the raw values
    expect(promises).to_contain_text("whole account")
    no_exception(page)
    shot("promise")
    engine = open_store(demo_app.db_url)
    stored = records.promises(engine)
    engine.dispose()
    assert list(stored["customer_id"]) == [customer]
    assert list(stored["amount_cents"]) == [12_345_678]
    assert list(stored["recorded_by"]) == [LOCAL.who]  # the local admin, without sign-in
    assert list(stored["note"]) == ["CFO promised on the phone"]


def test_a_customer_id_typed_that_the_ledger_lacks_is_named(demo_app, page):
    open_page(page, f"{demo_app.url}/collections?lang=en", timeout_ms=180_000)
    box = page.locator(".st-key-coll_customer input")
    box.click()
    box.fill("NOBODY-42")
    page.keyboard.press("Enter")
    settle(page)
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text(
        "Customer 'NOBODY-42' is not in the stored ledger."
    )
    no_exception(page)


def test_the_statement_downloads_in_the_chosen_language(demo_app, page):
    open_page(page, f"{demo_app.url}/collections?lang=en", timeout_ms=180_000)
    page.locator(".st-key-coll_doc_lang").get_by_text("English").click()
    settle(page)
    with page.expect_download() as info:
        page.locator(".st-key-coll_dl_statement_xlsx button").click()
    download = info.value
    assert re.fullmatch(r"statement_C\d+_\d{8}_en\.xlsx", download.suggested_filename)
    sheet = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes())).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Statement of account" in cells
