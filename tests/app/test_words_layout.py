"""What a reader sees on the pages, in Chinese and English: text from data drawn as text on
every chart, tables with their key figures first and "–" for a missing value, no English
left in Chinese tables, tiles that fit whole, right axes on round steps."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from tests.app.test_pages import ROOT, run_page

HOSTILE = '<a href="http://evil.example">Evil</a><img src="http://evil.example/p.png"> & Co'
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _database(at) -> str:
    """The SQLite file the app under test opens (CREDITDASH_DB_URL)."""
    import os

    return os.environ["CREDITDASH_DB_URL"].removeprefix("sqlite:///")


@pytest.fixture
def zh_app(demo_app, monkeypatch):
    monkeypatch.setenv("CREDITDASH_LEDGER_CACHE", "off")
    demo_app.query_params["lang"] = "zh"
    return demo_app


def _figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _table(at, column: str):
    """The first table on the page with `column`, as (frame, column_order, column config)."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value, list(frame.proto.column_order), json.loads(frame.proto.columns)
    raise AssertionError(f"no table with a {column!r} column")


def _tile_rows(node) -> list[tuple[int, list[str]]]:
    """(columns in the row, labels of the metric tiles in it) for every row of columns."""
    rows = []
    kids = getattr(node, "children", None)
    if isinstance(kids, dict):
        columns = [k for k in kids.values() if type(k).__name__ == "Column"]
        labels = [m.label for c in columns for m in c.metric]
        if labels:
            rows.append((len(columns), labels))
        for kid in kids.values():
            rows.extend(_tile_rows(kid))
    return rows


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/aging.py", "pages/risk.py"])
def test_a_customer_name_from_a_file_is_drawn_as_text_on_every_chart(demo_app, monkeypatch, page):
    monkeypatch.setenv("CREDITDASH_LEDGER_CACHE", "off")  # the ledger read from the database
    with sqlite3.connect(_database(demo_app)) as conn:
        conn.execute(
            "UPDATE customers SET customer_name = ? WHERE customer_id = 'C0083'", [HOSTILE]
        )
    at = run_page(demo_app, page)
    assert not at.exception, [e.value for e in at.exception]
    shown = [s for figure in _figures(at) for s in _strings(figure)]
    assert not [s for s in shown if "<a" in s or "<img" in s]
    # the name is on a chart, as typed: plotly turns &lt; &gt; &amp; back into < > &
    assert any('&lt;a href="http://evil.example"&gt;Evil&lt;/a&gt;' in s for s in shown)
    assert any("&amp; Co" in s for s in shown)


def test_every_chart_on_every_page_is_drawn_through_ui_localised():
    for page in sorted((ROOT / "pages").glob("*.py")):
        source = page.read_text(encoding="utf-8")
        for call in re.finditer(r"plotly_chart\(\s*", source):
            assert source[call.end() :].startswith("ui.localised("), (page.name, call.start())


def test_review_tiles_three_to_a_row_and_key_figures_first(zh_app):
    at = run_page(zh_app, "pages/review.py")
    assert not at.exception, [e.value for e in at.exception]
    kpis = [
        (n, labels)
        for n, labels in _tile_rows(at.main)
        if "应收总额" in labels or "回款有效指数" in labels
    ]
    assert kpis and all(n <= 3 for n, _ in kpis), (
        kpis
    )  # five to a row cut 平均逾期天数（9… and ¥7,347.3…
    _, order, _ = _table(at, "change")
    assert order[:2] == ["change", "overdue_now"]
    _, order, _ = _table(at, "rule")
    assert order[0] == "amount" and "key" not in order
    _, order, _ = _table(at, "late_share_pct")
    assert order[0] == "total"


def test_provision_tiles_fit_and_the_right_axis_has_round_steps(zh_app):
    at = run_page(zh_app, "pages/provisions.py")
    assert not at.exception, [e.value for e in at.exception]
    assert all(n <= 3 for n, _ in _tile_rows(at.main) if "坏账准备" in _ or "计提比例" in _)
    trend = next(f for f in _figures(at) if "yaxis2" in f["layout"])
    left, right = trend["layout"]["yaxis"], trend["layout"]["yaxis2"]
    steps = {
        round(b - a, 9) for a, b in zip(right["tickvals"], right["tickvals"][1:], strict=False)
    }
    assert len(steps) == 1 and steps.pop() in (1, 2, 2.5, 5, 10, 20, 25, 50)  # not 2.87
    assert len(left["tickvals"]) == len(right["tickvals"])  # on the same grid lines
    assert left["ticktext"][-1].endswith("万")


def test_forecast_scenarios_show_a_dash_where_a_figure_is_missing(zh_app):
    at = run_page(zh_app, "pages/forecast.py")
    assert not at.exception, [e.value for e in at.exception]
    frame = next(d for d in at.dataframe if "shortfall" in d.value.columns)
    assert frame.value["closing_week_13"].isna().all()  # no opening cash given yet
    assert frame.proto.placeholder == "–"  # shown as –, not None


def test_admin_in_chinese_reads_the_audit_in_chinese_and_draws_no_empty_table(zh_app):
    at = run_page(zh_app, "pages/admin.py")
    assert not at.exception, [e.value for e in at.exception]
    assert not [d for d in at.dataframe if "email" in d.value.columns]  # no "empty" grid
    assert any("尚未分配角色" in c.value for c in at.caption)
    audit, _, _ = _table(at, "after")
    after = audit["after"].iloc[0]
    assert after.startswith("客户: 变更: 0, 新增: 300, 未变: 0") and "文件: demo_" in after
    assert not re.search(r"\b(customers|changed|new|unchanged|files|invoices)\b", after)


def test_customer_detail_in_chinese_dates_as_dates_headers_in_chinese(zh_app):
    at = run_page(zh_app, "pages/risk.py")
    assert not at.exception, [e.value for e in at.exception]
    items, _, config = _table(at, "invoice_date")
    for column in items.columns:
        label = config.get(column, {}).get("label") or column
        assert CHINESE.search(label) or label in ("DPD",), (column, label)
    assert config["invoice_date"]["type_config"]["type"] == "date"  # 2025-02-21, not 00:00:00
    factors = next(d for d in at.dataframe if "points_lost" in d.value.columns)
    assert factors.value.isna().any().any() and factors.proto.placeholder == "–"
    assert any(c.value == "没有记录。" for c in at.caption)  # no limit requests: no "empty" grid


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_table_on_the_risk_page_shows_a_raw_column_name(demo_app, monkeypatch, lang):
    monkeypatch.setenv("CREDITDASH_LEDGER_CACHE", "off")
    demo_app.query_params["lang"] = lang
    at = run_page(demo_app, "pages/risk.py")
    assert not at.exception, [e.value for e in at.exception]
    raw = []
    for table in at.dataframe:
        config = json.loads(table.proto.columns)
        shown = list(table.proto.column_order) or list(table.value.columns)
        for column in shown:
            label = (config.get(column) or {}).get("label") or column
            if re.fullmatch(r"[a-z][a-z0-9_]*", label):  # "label", "binding", "current_limit"
                raw.append((column, label))
    assert not raw
