"""The review pack in Chinese: Chinese words, the same figures as in English."""

from __future__ import annotations

import io

import openpyxl
import pytest

from creditdash.i18n import Text, catalogue, t
from creditdash.kpis import kpi_definitions
from creditdash.report import labels, review_html, review_xlsx
from creditdash.review import build_review, week_figures
from creditdash.review.scorecards import scorecard_definitions
from creditdash.review.story import TILES, extra_definitions
from tests.report.test_pack import db, run  # noqa: F401  (db is a fixture)
from tests.review.conftest import small_ledger


@pytest.fixture(scope="module")
def review():
    """The small ledger's review without the optional sections (other domains' tables)."""
    ledger = small_ledger()
    return build_review(
        ledger, "2026-11-20", compute=lambda week, _: week_figures(ledger, week, optional=False)
    )


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _numbers(ws) -> dict[str, float]:
    return {
        c.coordinate: c.value
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, int | float) and not isinstance(c.value, bool)
    }


def test_chinese_workbook_has_chinese_sheets_and_headers(review):
    book = _book(review_xlsx(review, lang="zh"))
    assert {"摘要", "账龄", "变动客户", "预警", "未解除预警", "习惯性晚付", "集中度",
            "业务员评分卡", "区域评分卡", "趋势", "说明"} <= set(book.sheetnames)  # fmt: skip
    summary = book["摘要"]
    assert summary["A1"].value == "信用管理周报"
    assert [c.value for c in summary[5]] == ["指标", "本周", "一周前", "四周前", "周变动",
                                            "四周变动", "定义"]  # fmt: skip
    assert summary["A6"].value == "应收总额"
    scores = [c.value for c in book["业务员评分卡"][4]]
    assert scores[:4] == ["排名", "业务员", "客户数", "应收账款"]
    aging = [c.value for c in book["账龄"]["A"]]
    assert "未到期" in aging and "合计" in aging and "current" not in aging


def test_chinese_workbook_holds_the_same_figures(review):
    english, chinese = _book(review_xlsx(review)), _book(review_xlsx(review, lang="zh"))
    assert len(english.sheetnames) == len(chinese.sheetnames)
    compared = 0
    for en_ws, zh_ws in zip(english.worksheets, chinese.worksheets, strict=True):
        figures = _numbers(en_ws)
        assert _numbers(zh_ws) == figures, (en_ws.title, zh_ws.title)
        compared += len(figures)
    assert compared > 100


def test_chinese_workbook_charts_point_at_the_chinese_sheets(review):
    import zipfile

    files = zipfile.ZipFile(io.BytesIO(review_xlsx(review, lang="zh")))
    charts = "".join(
        files.read(n).decode("utf-8") for n in files.namelist() if n.startswith("xl/charts/")
    )
    assert "趋势!$A$2" in charts and "账龄!$A$4" in charts and "'Trends'" not in charts


def test_chinese_html_has_the_chinese_title_and_headings(review):
    page = review_html(review, lang="zh")
    assert "<title>信用管理周报 2026-11-20</title>" in page
    assert "<h1>信用管理周报：截至 2026-11-20 的一周</h1>" in page
    assert "<h2>关键指标</h2>" in page and "<th>客户名称</th>" in page
    assert "Key figures" not in page and "week ending" not in page
    english = review_html(review)
    assert "<h1>Weekly credit review: week ending 2026-11-20</h1>" in english
    assert "<th>Customer name</th>" in english


def test_english_catalogue_says_what_the_library_defines():
    """The English pack and page read as the library's own names and definitions."""
    for key, label, *_ in TILES:
        assert t(f"review.tile.{key}") == label
        assert t(f"review.def.{key}") == (kpi_definitions.get(key) or extra_definitions[key])
    for key, text in extra_definitions.items():
        assert t(f"review.def.{key}") == text
    for key, text in scorecard_definitions.items():
        assert t(f"review.score_def.{key}") == text


def test_every_column_of_the_review_has_a_chinese_name(review):
    frames = [review.movers_up, review.alerts_open, review.chronic_late, review.top_customers,
              review.aging, review.trends, *review.scorecards.values()]  # fmt: skip
    columns = {c for f in frames for c in f.columns} - {"group"}  # the pack names it by `by`
    columns |= {"salesperson", "region", "change_week", "change_4_weeks"}
    unnamed = sorted(c for c in columns if f"review.col.{c}" not in catalogue("zh"))
    assert unnamed == []
    assert labels.column("customer_name", "zh") == "客户名称"
    assert labels.column("no_such_column", "zh") == "no_such_column"


def test_notes_rules_and_buckets_in_chinese(review):
    assert [str(n) for n in review.notes] == [
        "Broken promises need last week's invoice-level forecast; none was recorded."
    ]
    assert labels.note(review.notes[0], "zh") == (
        "统计未兑现的回款需要上周逐张发票的回款预测；上周没有记录。"
    )
    why = [
        Text("review.why.no_function", {"module": "creditdash.forecast", "function": "forecast"})
    ]
    omitted = Text("pack.note.omitted", {"section": Text("pack.section.forecast"),
                                         "why": [w.as_dict() for w in why]})  # fmt: skip
    assert str(omitted) == "Forecast section omitted: `creditdash.forecast` has no `forecast` yet"
    # the pack names no module: an older snapshot's reason says only what is missing
    assert labels.note(omitted, "zh") == "未包含“回款预测”部分：此版本不提供该部分"
    assert labels.note(omitted) == "Forecast section omitted: this version does not provide it"
    failed = Text("review.why.failed", {"source": "creditdash.risk.assess", "error": "too thin"})
    assert labels.note(failed, "zh") == "风险评级：too thin"
    # a snapshot recorded before the notes had keys keeps its English reason
    old = Text("pack.note.omitted", {"section": Text("pack.section.grades"), "why": "gone"})
    assert labels.note(old, "zh") == "未包含“风险评级”部分：gone"
    assert labels.note("plain text", "zh") == "plain text"
    assert labels.rule("over_90", "zh") == "逾期超过 90 天"
    assert labels.rule("watchlist: W1", "zh") == "风险关注：W1"
    assert labels.rule("watchlist: oldest_90") == "watchlist: " + t("risk.flag.oldest_90")
    if "risk.flag.oldest_90" in catalogue("zh"):  # the risk pages' name for the rule
        assert labels.rule("watchlist: oldest_90", "zh") == "风险关注：" + t(
            "risk.flag.oldest_90", "zh"
        )
    assert labels.bucket("1-30", "zh") == "1-30"


def test_omitted_sections_and_alert_details_in_the_chinese_pack():
    """The week's notes and the alerts' details read in Chinese in both pack files."""
    ledger = small_ledger()
    missing = {
        "available": False,
        "note": [Text("review.why.not_installed", {"module": "creditdash.provisioning"}).as_dict()],
    }

    def compute(week, optional):
        figures = week_figures(ledger, week, optional=False)
        figures["sections"] = {"provision": missing} if optional else {}
        if week.isoformat() != "2026-11-20":
            figures["alerts"] = []  # every alert of the week is new
        return figures

    review = build_review(ledger, "2026-11-20", compute=compute)
    omitted = "未包含“坏账准备”部分：此版本不提供该部分"
    detail = "应收 2,000.00，超出信用额度 1,500.00"
    page = review_html(review, lang="zh")
    assert omitted in page and detail in page
    assert "section omitted" not in page and "over limit" not in page
    book = _book(review_xlsx(review, lang="zh"))
    notes = [c.value for c in book["说明"]["A"] if c.value]
    assert omitted in notes and not any("omitted" in n or "Broken" in n for n in notes)
    cells = {c.value for ws in (book["预警"], book["未解除预警"]) for row in ws.iter_rows()
             for c in row}  # fmt: skip
    assert detail in cells and not any("over limit" in str(c) for c in cells)
    english = review_html(review)
    assert "Provision section omitted: this version does not provide it" in english
    assert "creditdash." not in english and "creditdash." not in page
    assert "AR 2,000.00 over limit 1,500.00" in english


def test_report_command_in_chinese(db, tmp_path):  # noqa: F811
    out, page = tmp_path / "pack.xlsx", tmp_path / "pack.html"
    code, text = run("--db", db, "report", "--as-of", "2026-11-20", "--out", str(out),
                     "--html", str(page), "--lang", "zh")  # fmt: skip
    assert code == 0 and f"Wrote {out}" in text
    book = openpyxl.load_workbook(out)
    rows = {r[0]: r[1] for r in book["摘要"].iter_rows(min_row=6, max_col=2, values_only=True)}
    assert rows["应收总额"] == 1_500.0
    assert "<h1>信用管理周报：截至 2026-11-20 的一周</h1>" in page.read_text(encoding="utf-8")


def test_report_command_rejects_an_unknown_language(db, tmp_path, capsys):  # noqa: F811
    code, _ = run("--db", db, "report", "--as-of", "2026-11-20", "--out",
                  str(tmp_path / "x.xlsx"), "--lang", "fr")  # fmt: skip
    assert code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_buckets_are_named_as_the_pages_name_them():
    from creditdash.presentation import bucket_name

    assert labels.bucket is bucket_name  # one name per bucket in the app and in the pack
    assert [labels.bucket(b) for b in ("current", "unapplied", "total")] == [
        "Current", "Unapplied", "Total"
    ]  # fmt: skip
    assert [labels.bucket(b, "zh") for b in ("current", "unapplied", "total")] == [
        "未到期", "未核销", "合计"
    ]  # fmt: skip
    assert not any(k.startswith("review.bucket.") for k in catalogue("en"))
