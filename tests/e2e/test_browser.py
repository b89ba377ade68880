"""What only a browser shows: uploads through the file chooser, charts that draw, downloads."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import expect

from creditdash.store import open_store, row_counts

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CHART = ".js-plotly-plot"
# as of 2024-06-30 (the last invoice date): C01 owes 8,000.50 (due 2024-03-31),
# C02 25,000.00 (due 2024-03-16), C03 3,100.25 (not yet due); the rest is settled
LEDGER = """\
Invoice No,Customer ID,Customer Name,Invoice Date,Due Date,Amount,Settled Date
A001,C01,华东精密机械有限公司,2024-01-05,2024-02-04,12000.00,2024-02-10
A002,C01,华东精密机械有限公司,2024-03-01,2024-03-31,8000.50,
A003,C02,深圳南方电子科技,2024-02-15,2024-03-16,25000.00,
A004,C03,Northwind Trading Ltd,2024-04-20,2024-05-20,5000.00,2024-05-15
A005,C03,Northwind Trading Ltd,2024-06-30,2024-07-30,3100.25,
"""
OPEN = {"C01": Decimal("8000.50"), "C02": Decimal("25000.00"), "C03": Decimal("3100.25")}
BAD = "Invoice No,Customer ID,Invoice Date,Amount\nX1,C1,2024-13-45,12.00\nX2,C1,2024-01-02,abc\n"


def settle(page, timeout_ms: float = 60_000) -> None:
    """Wait until the rerun an action started has finished.

    The script state changes a moment after the action, so wait that moment
    first (Streamlit's own e2e suite does the same), then for `notRunning`.
    """
    page.wait_for_timeout(250)
    page.wait_for_selector(IDLE, state="attached", timeout=timeout_ms)


def open_page(page, url: str, timeout_ms: float = 60_000) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']", state="attached", timeout=timeout_ms)
    settle(page, timeout_ms)


def charts_drawn(page, count: int) -> list[int]:
    """Wait for `count` plotly charts with an SVG; returns each chart's number of traces."""
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel + ' .main-svg').length >= n",
        arg=[CHART, count],
    )
    return page.eval_on_selector_all(CHART, "plots => plots.map(p => (p.data || []).length)")


def no_exception(page) -> None:
    """No Python traceback and no front-end error box on the page."""
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Minified React error")).to_have_count(0)


def upload(page, path) -> None:
    """Through the real file chooser: click the uploader's button, answer the dialog."""
    with page.expect_file_chooser() as chooser:
        page.locator("[data-testid='stFileUploaderDropzone'] button").click()
    chooser.value.set_files(path)
    expect(page.get_by_test_id("stFileChip")).to_have_count(1)
    settle(page)


def test_upload_import_then_aging_chart_and_xlsx_download(empty_app, page, shot, tmp_path):
    open_page(page, f"{empty_app.url}/data")
    no_exception(page)
    shot("1-data-empty")

    ledger = tmp_path / "ledger.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    upload(page, ledger)
    shot("2-uploaded")
    page.locator(".st-key-do_import button").click()
    settle(page)
    expect(page.get_by_test_id("stAlert").filter(has_text="Import #1 written")).to_be_visible()
    no_exception(page)
    shot("3-imported")

    page.locator("[data-testid='stSidebarNav'] a[href$='/aging']").click()
    settle(page)
    expect(page.locator(".st-key-aging_table")).to_be_visible()
    traces = charts_drawn(page, 1)
    assert traces and traces[0] > 0, traces
    expect(page.locator(f"{CHART} .bars path").first).to_be_visible()  # bars, not just axes
    no_exception(page)
    shot("4-aging")

    with page.expect_download() as download_info:
        page.locator(".st-key-dl_xlsx button").click()
    download = download_info.value
    assert download.suggested_filename == "aging_customer_20240630.xlsx"
    data = download.path().read_bytes()
    assert data.startswith(b"PK")
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["Aging"]
    header, *rows = sheet.iter_rows(values_only=True)
    got = {r[header.index("group")].split()[0]: r[header.index("total")] for r in rows}
    assert {k: Decimal(str(v)).quantize(Decimal("0.01")) for k, v in got.items()} == OPEN

    with page.expect_download() as download_info:
        page.locator(".st-key-dl_csv button").click()
    text = download_info.value.path().read_text(encoding="utf-8-sig")
    assert text.count("\n") == 1 + len(OPEN) and "深圳南方电子科技" in text


@pytest.mark.parametrize(
    ("path", "charts", "tiles"),
    [("", 2, 6), ("aging", 1, 0), ("data", 0, 0)],
    ids=["overview", "aging", "data"],
)
def test_every_page_renders_on_the_demo_company(demo_app, page, shot, path, charts, tiles):
    open_page(page, f"{demo_app.url}/{path}", timeout_ms=180_000)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    if charts:
        traces = charts_drawn(page, charts)
        assert len(traces) == charts and all(n > 0 for n in traces), traces
    expect(page.get_by_test_id("stMetric")).to_have_count(tiles)
    if path == "data":
        expect(page.locator(".st-key-rollback_id")).to_be_visible()  # the demo import is listed
    no_exception(page)
    shot("page")


def test_bad_upload_shows_the_problems_and_imports_nothing(empty_app, page, shot, tmp_path):
    open_page(page, f"{empty_app.url}/data")
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    upload(page, bad)
    page.locator(".st-key-do_import button").click()
    settle(page)
    expect(page.get_by_test_id("stAlert").filter(has_text="Nothing was imported")).to_be_visible()
    tables = page.get_by_test_id("stDataFrame")
    expect(tables).to_have_count(2)  # the column mapping, then the problems
    problems = tables.nth(1).locator("table")  # the grid's accessible copy of its cells
    expect(problems.locator("tbody tr")).to_have_count(2)
    expect(problems).to_contain_text("2024-13-45")
    expect(problems).to_contain_text("abc")
    no_exception(page)
    shot("problems")
    engine = open_store(empty_app.db_url)
    assert row_counts(engine)["invoices"] == 0
    engine.dispose()


@pytest.mark.parametrize(
    "path", ["review", "risk", "forecast", "terms", "provisions", "policy", "admin"]
)
def test_every_other_page_renders_with_charts_and_no_exception(demo_app, page, shot, path):
    open_page(page, f"{demo_app.url}/{path}?lang=zh", timeout_ms=180_000)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    no_exception(page)
    if path not in ("policy", "admin"):
        plots = page.locator(".js-plotly-plot")
        expect(plots.first).to_be_visible(timeout=60_000)
        traces = plots.first.evaluate("el => el.data.length")
        assert traces > 0
    shot("page")


def test_an_erp_report_is_read_as_its_layout_and_imports(empty_app, page, shot, tmp_path):
    """A Xero Aged Receivables Detail, as exported: no mapping, the layout and the report
    date said on the page, the import's total equal to the report's own."""
    from tests.ingest import erp_samples as erp

    book = erp.book(8)
    report = tmp_path / "aged_receivables.xlsx"
    report.write_bytes(erp.xero_xlsx(book))
    open_page(page, f"{empty_app.url}/data")
    upload(page, report)
    expect(page.get_by_text("Read as Xero Aged Receivables Detail.")).to_be_visible()
    shot("erp-1-proposed")
    page.locator(".st-key-do_import button").click()
    settle(page)
    expect(page.get_by_test_id("stAlert").filter(has_text="Import #1 written")).to_be_visible()
    expect(page.get_by_text("report date 2025-06-30", exact=False)).to_be_visible()
    no_exception(page)
    shot("erp-2-imported")
