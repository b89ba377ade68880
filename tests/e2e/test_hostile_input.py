"""What only a browser shows of hostile text: no link or image renders from a URL's query
string, and the tables' own toolbar offers no CSV download (it would write live formulas)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.e2e.test_browser import no_exception, open_page

pytestmark = pytest.mark.e2e

EVIL = "x` ![pic](https://evil.example/p.png) [click](https://evil.example/) `"
REGION = "[click](https://evil.example) <https://evil.example> https://evil.example"


def test_a_hostile_query_shows_as_text_and_tables_offer_no_csv(demo_app, page, shot):
    query = urlencode({"salesperson": EVIL, "region": REGION})
    open_page(page, f"{demo_app.url}/review?{query}", timeout_ms=180_000)
    warnings = page.get_by_test_id("stAlertContainer")
    expect(warnings.filter(has_text="is not a known salesperson")).to_have_count(1)
    expect(warnings.filter(has_text="is not a known region")).to_have_count(1)
    expect(page.locator("a[href*='evil.example']")).to_have_count(0)
    expect(page.locator("img[src*='evil.example']")).to_have_count(0)
    shown = " ".join(warnings.all_inner_texts()).replace("\u2060", "")
    assert EVIL in shown and REGION in shown, shown
    no_exception(page)
    shot("warnings")

    table = page.get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()
    table.hover()
    expect(page.get_by_role("button", name="Search").first).to_be_visible()  # the toolbar is up
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)
