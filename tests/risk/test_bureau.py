"""Third-party report files: each join path, scales, Chinese headers, errors, history."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from creditdash.auth import Actor
from creditdash.errors import ImportRejected
from creditdash.ingest import Source
from creditdash.risk.bureau import FileProvider, import_reports, read_reports
from creditdash.risk.bureau_files import normalise_scores, parse_scale
from tests.risk.conftest import tiny_frames

CUSTOMERS = tiny_frames()[0]
TESTER = Actor("tester", "credit_manager")
QCC = (
    "企查查 企业信用报告导出\n"
    "企业名称,统一社会信用代码,信用分,评级,建议额度,违约概率,涉诉,被执行,报告日期\n"
    "上海阿尔法,91310115MA1FL0XX1A,1500,AA,50万,1.5%,2,1,2025年6月1日\n"
    'Beta Ltd.,,800,B,"120,000",0.08,0,0,2025-06-01\n'
    "合计,,,,,,,,\n"
).encode("gb18030")


def xlsx(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_excel(buf, index=False, engine="xlsxwriter")
    return buf.getvalue()


def run(engine, sources, **kw):
    provider = FileProvider(
        sources, **{k: kw.pop(k) for k in ("provider", "scale", "report_date") if k in kw}
    )
    return import_reports(engine, provider, CUSTOMERS, actor=TESTER, **kw)


def test_scales():
    assert parse_scale("300-850") == (300, 850)
    assert normalise_scores([300, 575, 850], (300, 850)).tolist() == [0, 50, 100]
    assert normalise_scores([1, 4], (4, 1)).tolist() == [100, 0]  # risk class 1 is best


def test_chinese_file_joins_by_credit_code_and_by_confirmed_name(engine):
    src = Source("qcc.csv", QCC)
    with pytest.raises(ImportRejected) as rejected:
        run(engine, [src], provider="企查查")
    messages = [str(p) for p in rejected.value.errors]
    assert any(
        "row 4" in m and "Matches customer C2 (Beta Ltd) by name only" in m for m in messages
    )
    assert read_reports(engine).empty  # nothing written
    summary = run(
        engine, [src], provider="企查查", confirm_names=True, authorisation="signed 2025-05"
    )
    assert summary.new == 2 and summary.by_match == {"credit_code": 1, "name": 1}
    reports = read_reports(engine).set_index("customer_id")
    c1 = reports.loc["C1"]
    assert c1["score"] == 1500 and c1["score_scale"] == "0-2000" and c1["score_normalised"] == 75
    assert c1["recommended_limit_cents"] == 50_000_000 and c1["pd"] == pytest.approx(0.015)
    assert c1["legal_events"] == 3 and c1["rating"] == "AA"
    assert (
        c1["report_date"] == pd.Timestamp("2025-06-01") and c1["authorisation"] == "signed 2025-05"
    )
    assert c1["source_file"] == "qcc.csv row 3"
    assert reports.loc["C2", "pd"] == pytest.approx(0.08)


def test_english_workbook_joins_by_customer_id_and_keeps_history(engine):
    first = pd.DataFrame(
        {"Customer ID": ["C1", "C2"], "Score": [72, 40], "Rating": ["A", "C"],
         "Recommended Limit": [80000, 5000], "Insured Limit": [60000, None],
         "Report Date": ["2025-03-01", "2025-03-01"]}
    )  # fmt: skip
    run(engine, [Source("cs.xlsx", xlsx(first))], provider="Creditsafe")
    second = first.assign(Score=[70, 25], **{"Report Date": ["2025-06-01", "2025-06-01"]})
    summary = run(engine, [Source("cs2.xlsx", xlsx(second))], provider="Creditsafe")
    assert summary.new == 2 and summary.by_match == {"id": 2}
    again = run(engine, [Source("cs2.xlsx", xlsx(second))], provider="Creditsafe")
    assert again.new == 0 and again.updated == 2
    reports = read_reports(engine)
    assert len(reports) == 4
    c1 = reports[reports["customer_id"] == "C1"].sort_values("report_date")
    assert (
        list(c1["score_normalised"]) == [72, 70] and c1["insured_limit_cents"].iloc[0] == 6_000_000
    )


def test_unmatched_rows_are_errors_or_skipped(engine):
    text = "customer id,score,report date\nC1,50,2025-01-01\nZZ9,60,2025-01-01\n"
    with pytest.raises(ImportRejected, match="1 problem"):
        run(engine, [Source("b.csv", text.encode())], scale="0-100")
    summary = run(engine, [Source("b.csv", text.encode())], scale="0-100", skip_unmatched=True)
    assert summary.new == 1 and any("row skipped" in str(p) for p in summary.problems)


def test_missing_columns_and_bad_cells_are_reported_together(engine):
    no_key = b"score,report date\n50,2025-01-01\n"
    with pytest.raises(ImportRejected) as r1:
        run(engine, [Source("a.csv", no_key)])
    assert "No customer id, unified social credit code" in str(r1.value.errors[0])
    no_info = b"customer id,report date\nC1,2025-01-01\n"
    with pytest.raises(ImportRejected) as r2:
        run(engine, [Source("n.csv", no_info)])
    assert "hold no credit information" in str(r2.value.errors[0])
    no_date = b"customer id,score\nC1,50\n"
    with pytest.raises(ImportRejected) as r3:
        run(engine, [Source("d.csv", no_date)])
    assert "No report date column" in str(r3.value.errors[0])
    bad = b"customer id,score,pd,report date,scale\nC1,abc,150%,2025-13-01,5-5\n"
    with pytest.raises(ImportRejected) as r4:
        run(engine, [Source("bad.csv", bad)])
    text = " | ".join(str(p) for p in r4.value.errors)
    assert "'abc' is not a number" in text and "is not a probability" in text
    assert "is not a date" in text and "scale must be written low-high" in text
    assert read_reports(engine).empty


def test_report_date_argument_and_inferred_scale_warning(engine):
    text = "客户编号,信用评分\nC1,88\n".encode()
    summary = run(engine, [Source("x.csv", text)], report_date=date(2025, 5, 5))
    assert any("read as 0-100" in str(p) for p in summary.problems)
    row = read_reports(engine).iloc[0]
    assert row["report_date"] == pd.Timestamp("2025-05-05") and row["provider"] == "x"


def test_map_overrides_a_header(engine):
    text = "客户编号,Mystery,报告日期\nC1,0.3,2025-01-01\n".encode()
    provider = FileProvider([Source("m.csv", text)], overrides={"Mystery": "pd"})
    import_reports(engine, provider, CUSTOMERS, actor=TESTER)
    assert read_reports(engine).iloc[0]["pd"] == pytest.approx(0.3)
