"""The weekly pack is meeting-sized: top rows in print and every row in the workbook, codes and
module names never shown, PD filled, figures in their units; the demo prints on at most 8 pages."""

from __future__ import annotations

import html
import io
import re

import openpyxl
import pandas as pd
import pytest

from creditdash.importing import load_demo
from creditdash.report import find_chromium, html_to_pdf, labels, review_html, review_xlsx, tables
from creditdash.review import build_review
from creditdash.risk.assess import assess
from creditdash.risk.in_force import risk_inputs
from creditdash.store import load_ledger, open_store

MAX_PAGES = 8
IDENTIFIER = re.compile(r"creditdash\.|\b[a-z]+_[a-z_]+\b|\{'")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo company in a fresh store, its review at the demo's last date (a recorded week)."""
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('pack') / 'demo.sqlite'}")
    load_demo(engine)
    ledger = load_ledger(engine, "CNY")
    review = build_review(ledger, ledger.last_date, engine=engine)
    yield engine, ledger, review
    engine.dispose()


def visible_text(page: str) -> str:
    """What a reader sees: no script, no style, no tags."""
    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def table_after(page: str, heading: str) -> pd.DataFrame:
    """The first table after the heading `heading`, its cells as text."""
    start = page.index(f">{heading}<")
    table = page[page.index("<table>", start) : page.index("</table>", start) + len("</table>")]
    head = re.findall(r"<th>(.*?)</th>", table)
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table)]
    return pd.DataFrame([r for r in rows if r], columns=[html.unescape(h) for h in head])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_code_identifier_or_module_name_in_the_pack(demo, lang):
    _, _, review = demo
    text = visible_text(review_html(review, lang=lang))
    assert IDENTIFIER.findall(text) == []
    assert not re.search(r"\b(None|nan|True|False)\b", text)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_code_identifier_or_module_name_in_the_workbook(demo, lang):
    _, _, review = demo
    book = openpyxl.load_workbook(io.BytesIO(review_xlsx(review, lang=lang)))
    found = [(ws.title, v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
             for v in row if isinstance(v, str) and IDENTIFIER.search(v)]  # fmt: skip
    assert found == []


def test_pd_is_filled_and_is_the_customer_risk_pages(demo):
    engine, ledger, review = demo
    page = review_html(review)
    largest = table_after(page, "Largest exposures")
    assert len(largest) == 10
    assert all(re.fullmatch(r"\d{1,3}\.\d%", pd_) for pd_ in largest["PD"])
    inputs = risk_inputs(engine)  # what the Customer risk page grades with
    risk = assess(ledger, review.as_of, inputs.policy, inputs.bureau, inputs.limits)["table"]
    risk_pd = risk.set_index("customer_id")["pd"]
    grades = tables.grades_in_words(review.sections["grades"])
    assert grades["pd"].notna().all() and len(grades) == len(risk_pd)
    assert grades.set_index("customer_id")["pd"].to_dict() == pytest.approx(risk_pd.to_dict())
    shown = [f"{risk_pd[c] * 100:.1f}%" for c in largest["Customer ID"]]
    assert largest["PD"].tolist() == shown


def test_long_lists_show_their_top_rows_and_the_workbook_has_them_all(demo):
    _, _, review = demo
    page = review_html(review)
    new = table_after(page, f"New ({len(review.alerts_new)})")
    assert len(review.alerts_new) > tables.TOP_N and len(new) == tables.TOP_N
    amounts = [float(a.replace(",", "")) for a in new["Amount"]]
    assert amounts == sorted(amounts, reverse=True)
    assert amounts[0] == pytest.approx(review.alerts_new["amount"].max())
    said = f"The {tables.TOP_N} largest by Amount of {len(review.alerts_new)};"
    assert said in html.unescape(page)
    assert len(table_after(page, "Most serious alerts")) == 10
    book = openpyxl.load_workbook(io.BytesIO(review_xlsx(review)))
    assert book["Watchlist"].max_row - 3 == len(review.alerts_open) > 100
    assert book["Grades"].max_row - 3 == len(review.sections["grades"].rows) == 300
    assert book["Broken promises"].max_row - 3 == len(review.broken_promises)


def test_every_code_reads_as_words(demo):
    _, _, review = demo
    page = html.unescape(review_html(review, lang="zh"))
    watch = table_after(page, "最需处理的预警")
    assert set(watch["建议措施"]) <= {labels.action(a, "zh") for a in ("cash_in_advance", "hold",
                                                                  "warn", "review_increase")}  # fmt: skip
    assert all(w.startswith("最早的未清发票已逾期") for w in watch["原因"])
    new = table_after(page, f"新增（{len(review.alerts_new)}）")
    assert not any(r.startswith("风险关注") for r in new["规则"])  # the table says it once
    assert all(new["原因"])


def test_figures_are_formatted_in_their_units(demo):
    _, _, review = demo
    page = html.unescape(review_html(review))
    mix = table_after(page, "Customers by grade")
    assert all(re.fullmatch(r"[\d,]+\.\d\d", e) for e in mix["Exposure"])
    assert all(re.fullmatch(r"\d{1,3}\.\d%", s) for s in mix["Share of exposure"])
    scores = table_after(page, "Salesperson scorecards")
    assert all(re.fullmatch(r"[+-]\d+\.\d pp", c) for c in scores["CEI 4 wk"])
    provision = table_after(page, "Provision")
    assert set(provision["Portfolio"]) == {"All customers"}
    assert all(re.fullmatch(r"\d{1,3}\.\d%", r) for r in provision["Loss rate"])


@pytest.mark.skipif(find_chromium() is None, reason="printing the PDF needs chromium")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_demo_pack_prints_on_at_most_eight_pages(demo, lang):
    _, _, review = demo
    pdf = html_to_pdf(review_html(review, lang=lang))
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert 1 < pages <= MAX_PAGES


def test_a_hit_reads_as_the_risk_page_words_it():
    params = {"exposure_cents": 123_456_700, "limit_cents": 100_000_000}
    assert labels.hit("over_limit", params, "zh") == "风险敞口 1,234,567 超过信用额度 1,000,000"
    assert labels.hit("over_limit", params) == "Exposure 1,234,567 over limit 1,000,000"
    assert labels.hit("oldest_dpd", {"days": None}) == "Oldest open item - days past due"
    # recorded without its figures: the stored English sentence, in English only
    assert labels.hit("oldest_dpd", None, "en", "Oldest open item 9 days past due") == (
        "Oldest open item 9 days past due"
    )
    assert labels.hit("oldest_dpd", None, "zh", "Oldest open item 9 days past due") == ""
    assert labels.flags("in_default;over_limit", "zh") == "已违约、超出信用额度"
    assert labels.flags("in_default;over_limit") == "In default, Over limit"
    assert labels.action("cash_in_advance", "zh") == "款到发货"
    assert labels.alert_rule("watchlist: oldest_90") == "90+ days past due"
