"""The core pages in Chinese (?lang=zh): what the library says reaches the page in Chinese."""

from __future__ import annotations

import re

import ui
from tests.app.test_pages import PAGES, run_page

LEDGER = b"Invoice No,Customer ID,Invoice Date,Amount\nINV-1,C1,2024-01-05,1000.00\n"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_import_summary_and_history_in_chinese(empty_app):
    empty_app.query_params["lang"] = "zh"
    at = run_page(empty_app, PAGES[2])
    at.file_uploader(key="uploads").set_value(("a.csv", LEDGER, "text/csv")).run()
    at.button(key="do_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == ["导入 #1 已写入。"]
    summary = at.text[0].value
    assert summary.startswith("文件：a.csv · ") and "读取行数：1" in summary
    assert "发票：新增 1，变更 0，未变 0" in summary
    assert "new" not in summary and "rows read" not in summary
    history = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert history["status"].tolist() == ["已生效"]
    assert all(CHINESE.search(k) for k in history["kind"])


def test_refused_edges_on_the_aging_page_in_chinese(demo_app, monkeypatch):
    # AppTest re-applies the radio's format_func outside the script run: keep it in Chinese too
    monkeypatch.setattr(ui, "lang", lambda: "zh")
    demo_app.query_params["lang"] = "zh"
    at = run_page(demo_app, PAGES[1])
    at.text_input(key="aging_edges").set_value("30, 20").run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "账龄分段必须为正数且严格递增，例如 30, 60, 90。实际为 '30, 20'。"
    ]


def test_admin_audit_trail_names_actions_in_chinese(demo_app):
    demo_app.query_params["lang"] = "zh"
    at = run_page(demo_app, "pages/admin.py")
    assert not at.exception, [e.value for e in at.exception]
    assert "导入数据" in at.multiselect(key="audit_actions").options
    audit = next(d.value for d in at.dataframe if "entity_id" in d.value.columns)
    assert set(audit["action"]) == {"导入数据"} and set(audit["entity"]) == {"导入"}


def test_overview_and_aging_charts_name_buckets_in_chinese(demo_app, monkeypatch):
    import json

    monkeypatch.setattr(ui, "lang", lambda: "zh")  # see the aging test above
    demo_app.query_params["lang"] = "zh"
    for page in (PAGES[0], PAGES[1]):
        at = run_page(demo_app, page)
        assert not at.exception, [e.value for e in at.exception]
        figure = json.loads(at.get("plotly_chart")[0].proto.spec)
        names = {trace.get("name") for trace in figure["data"]}
        assert "未到期" in names and "current" not in names, names
        assert any(
            "万" in t or "亿" in t
            for t in figure["layout"]["xaxis" if page == PAGES[1] else "yaxis"]["ticktext"]
        )


def test_the_first_policy_version_reads_chinese(empty_app):
    empty_app.query_params["lang"] = "zh"
    at = run_page(empty_app, "pages/policy.py")
    assert not at.exception, [e.value for e in at.exception]
    caption = next(c.value for c in at.caption if "第 1 版" in c.value)
    assert "系统（默认）" in caption and "首次使用时创建的默认政策" in caption
    assert "system" not in caption and "Default policy" not in caption


def _table_with_unnamed_groups():
    import pandas as pd

    import ui

    ui.table(pd.DataFrame({"salesperson": ["(none)", "张伟"], "customer_name": ["(none)", "甲"],
                           "total": [1.0, 2.0]}))  # fmt: skip


def test_a_customer_without_a_salesperson_reads_in_the_page_language():
    from streamlit.testing.v1 import AppTest

    for lang, label in (("zh", "（未填写）"), ("en", "(none)")):
        at = AppTest.from_function(_table_with_unnamed_groups)
        at.query_params["lang"] = lang
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = at.dataframe[0].value
        assert shown["salesperson"].tolist() == [label, "张伟"]
        assert shown["customer_name"].tolist() == ["(none)", "甲"]  # a name is shown as it is
