"""The sidebar follows the data in the very run that changes it, as a user sees it.

The sidebar is drawn before the page, so an import or a rollback made by the Data page must
rerun the app for its counts and as-of date to follow (before, they stayed as they were until
the page changed); the rollback's message must outlive that rerun and its confirmation must
not stay ticked.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_browser import LEDGER, no_exception, open_page, settle, upload

pytestmark = pytest.mark.e2e


# LEDGER: three customers, five invoices, two of them settled (a payment each)
AFTER_FIRST = "3 customers · 5 invoices · 2 payments"
SECOND = "Invoice No,Customer ID,Invoice Date,Amount\nB001,C09,2024-07-15,99.00\n"
AFTER_SECOND = "4 customers · 6 invoices · 2 payments"


def test_the_sidebar_follows_an_import_and_a_rollback(empty_app, page, shot, tmp_path):
    open_page(page, f"{empty_app.url}/data")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("0 customers · 0 invoices · 0 payments")

    ledger = tmp_path / "ledger.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    upload(page, ledger)
    page.locator(".st-key-do_import button").click()
    settle(page)
    expect(page.get_by_test_id("stAlert").filter(has_text="Import #1 written")).to_be_visible()
    expect(sidebar).to_contain_text(AFTER_FIRST)
    # the as-of date is where the imported data ends (its last invoice)
    as_of = sidebar.locator(".st-key-as_of input")
    assert re.sub(r"\D", "", as_of.input_value()) == "20240630"
    expect(
        page.get_by_test_id("stAlert").filter(has_text="As-of date set to 2024-06-30")
    ).to_be_visible()
    no_exception(page)
    shot("1-imported")

    # a second import: the first file out of the uploader, the next one in
    page.get_by_test_id("stFileChipDeleteBtn").locator("button").click()
    expect(page.get_by_test_id("stFileChip")).to_have_count(0)
    settle(page)
    july = tmp_path / "july.csv"
    july.write_text(SECOND, encoding="utf-8")
    upload(page, july)
    page.locator(".st-key-do_import button").click()
    settle(page)
    expect(page.get_by_test_id("stAlert").filter(has_text="Import #2 written")).to_be_visible()
    expect(sidebar).to_contain_text(AFTER_SECOND)
    assert re.sub(r"\D", "", as_of.input_value()) == "20240715"
    page.locator(".st-key-rollback_confirm label").click()
    settle(page)
    page.locator(".st-key-do_rollback button").click()
    settle(page)
    rolled_back = page.get_by_test_id("stAlert").filter(has_text="Import #2 rolled back")
    expect(rolled_back).to_be_visible()
    expect(sidebar).to_contain_text(AFTER_FIRST)
    # the next import is not one click from being undone
    expect(page.locator(".st-key-rollback_id input")).to_have_value("#1")
    expect(page.locator(".st-key-rollback_confirm input")).not_to_be_checked()
    expect(page.locator(".st-key-do_rollback button")).to_be_disabled()
    no_exception(page)
    shot("2-rolled-back")
