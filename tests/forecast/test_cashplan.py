"""Cash plan: rolling balance, first shortfall, line validation, saved plans."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.audit import audit_log
from creditdash.auth import Actor
from creditdash.errors import InvalidArgument, NotFound
from creditdash.forecast.cashplan import (
    CashPlan,
    blank_lines,
    delete_plan,
    first_shortfall,
    lines_from_money,
    lines_to_money,
    list_plans,
    load_plan,
    plan_table,
    plan_verdict,
    read_plan_file,
    save_plan,
)
from creditdash.forecast.collections import week_bounds

ANALYST = Actor("ann@x.cn", "analyst")


def _forecast(collections: list[int]) -> pd.DataFrame:
    frame = week_bounds("2025-03-20", len(collections))
    frame["total_expected_cents"] = collections
    frame["cumulative_p10_cents"] = pd.Series(collections).cumsum() // 2
    return frame


def test_first_shortfall_week_and_size_by_hand():
    # opening 100, collections 50 a week, payroll 80 a week: 70, 40, 10, -20 ...
    lines = blank_lines(4)
    lines["payroll_cents"] = 8_000
    plan = CashPlan("t", 10_000, 3_000, lines)
    table = plan_table(_forecast([5_000] * 4), plan)
    assert list(table["closing_cents"]) == [7_000, 4_000, 1_000, -2_000]
    assert list(table["opening_cents"]) == [10_000, 7_000, 4_000, 1_000]
    short = first_shortfall(table, plan.minimum_cash_cents)
    assert short["week"] == 3 and short["shortfall_cents"] == 2_000
    assert short["start"] == pd.Timestamp("2025-04-04")
    assert first_shortfall(table, -5_000) is None


def test_without_opening_cash_the_flows_stand_and_the_balance_is_not_judged():
    # payroll 80 a week against collections of 50: any opening cash below 90 would fall short
    lines = blank_lines(3)
    lines["payroll_cents"] = 8_000
    table = plan_table(_forecast([5_000] * 3), CashPlan("t", None, 3_000, lines))
    assert list(table["net_cents"]) == [-3_000] * 3
    assert list(table["collections_cents"]) == [5_000] * 3
    for column in ("opening_cents", "closing_cents", "closing_p10_cents", "below_minimum"):
        assert table[column].isna().all(), column
    verdict = plan_verdict(table, 3_000)
    assert verdict.status == "no_opening_cash" and verdict.shortfall is None
    assert not verdict.opening_given
    with pytest.raises(InvalidArgument, match="has no opening cash, so its balance is unknown"):
        first_shortfall(table, 3_000)


def test_plan_verdict_judges_the_expected_closing_then_the_prudent_one():
    lines = blank_lines(4)
    lines["payroll_cents"] = 8_000
    forecast = _forecast([5_000] * 4)  # expected closing 70, 40, 10, -20 from 100
    short = plan_verdict(plan_table(forecast, CashPlan("t", 10_000, 3_000, lines)), 3_000)
    assert short.status == "short" and short.shortfall["week"] == 3
    assert short.shortfall["shortfall_cents"] == 2_000
    # from 1,000.00 the expected closing stays above 800.00; the prudent one (collections at
    # their P10, here half of them to date) ends week 4 at 1,000 + 100 - 320 = 780.00
    rich = plan_table(forecast, CashPlan("t", 100_000, 80_000, lines))
    assert list(rich["closing_cents"]) == [97_000, 94_000, 91_000, 88_000]
    assert list(rich["closing_p10_cents"]) == [94_500, 89_000, 83_500, 78_000]
    prudent = plan_verdict(rich, 80_000)
    assert prudent.status == "short_p10" and prudent.shortfall["week"] == 4
    assert prudent.shortfall["shortfall_cents"] == 2_000
    assert plan_verdict(rich, 70_000).status == "ok"


def test_other_receipts_add_and_prudent_closing_uses_p10():
    lines = blank_lines(2)
    lines["other_receipts_cents"] = 1_000
    table = plan_table(_forecast([4_000, 4_000]), CashPlan("t", 0, 0, lines))
    assert list(table["closing_cents"]) == [5_000, 10_000]
    assert list(table["closing_p10_cents"]) == [3_000, 6_000]


def test_lines_from_money_accepts_labels_and_rejects_bad_cells():
    frame = pd.DataFrame({"Week": [1, 2, 2], "Payroll": [100.5, 0, 10], "TAX": [None, 5, 0]})
    lines = lines_from_money(frame, 3)
    assert list(lines["payroll_cents"]) == [10_050, 1_000, 0]
    assert list(lines["tax_cents"]) == [0, 500, 0]
    assert lines_to_money(lines)["Payroll"].iloc[0] == 100.5
    with pytest.raises(InvalidArgument, match="needs a `week` column"):
        lines_from_money(pd.DataFrame({"Payroll": [1]}))
    with pytest.raises(InvalidArgument, match="`week` must be a whole number from 1 to 13. Row 1"):
        lines_from_money(pd.DataFrame({"week": [14], "Payroll": [1]}))
    with pytest.raises(InvalidArgument, match="`Payroll` must be an amount >= 0.*Row 2"):
        lines_from_money(pd.DataFrame({"week": [1, 2], "Payroll": [1, -5]}))
    with pytest.raises(InvalidArgument, match="bad.csv: not a readable CSV or XLSX"):
        read_plan_file("bad.csv", b"\xff\xfe\x00garbage\x00")


def test_read_plan_file_csv():
    data = "week,Payroll,Suppliers\n1,1000,200\n3,1000,\n".encode("utf-8-sig")
    lines = read_plan_file("plan.csv", data)
    assert lines["payroll_cents"].sum() == 200_000
    assert lines["suppliers_cents"].iloc[0] == 20_000


def test_read_plan_file_chinese_headers():
    # the headers of the Chinese cash-plan template; 税费 and 还贷 left out are zero
    data = "周,其他收入,工资,供应商,其他支出\n1,50,1000,200.5,\n2,,1000,,30\n".encode("utf-8-sig")
    lines = read_plan_file("现金计划.csv", data, 2)
    assert list(lines["other_receipts_cents"]) == [5_000, 0]
    assert list(lines["payroll_cents"]) == [100_000, 100_000]
    assert list(lines["suppliers_cents"]) == [20_050, 0]
    assert list(lines["other_cents"]) == [0, 3_000]
    assert lines["tax_cents"].sum() == lines["loan_service_cents"].sum() == 0
    both = lines_from_money(pd.DataFrame({"周次": [1], "税费": [7], "还贷": [8], "Payroll": [9]}))
    assert both.iloc[0][["tax_cents", "loan_service_cents", "payroll_cents"]].tolist() == [
        700, 800, 900
    ]  # fmt: skip
    with pytest.raises(InvalidArgument, match="`工资` must be an amount >= 0.*Row 2"):
        lines_from_money(pd.DataFrame({"周": [1, 2], "工资": [1, -5]}))


def test_saved_plans_round_trip(engine):
    lines = blank_lines(13)
    lines.loc[0, "payroll_cents"] = 123_456
    lines.loc[12, "loan_service_cents"] = 99
    save_plan(engine, CashPlan("Base", 5_000_000, 1_000_000, lines), ANALYST)
    save_plan(engine, CashPlan("Base", 6_000_000, 1_000_000, lines), ANALYST)  # replaces
    plan = load_plan(engine, "Base")
    assert plan.opening_cash_cents == 6_000_000
    pd.testing.assert_frame_equal(plan.lines, lines)
    assert list_plans(engine) == ["Base"]
    delete_plan(engine, "Base", ANALYST)
    with pytest.raises(NotFound, match="No cash plan named 'Base'. Saved plans: none"):
        load_plan(engine, "Base")
    with pytest.raises(NotFound, match="No cash plan named 'Base'"):
        delete_plan(engine, "Base", ANALYST)
    with pytest.raises(InvalidArgument, match="needs a name"):
        save_plan(engine, CashPlan(" ", 0, 0, lines), ANALYST)
    with pytest.raises(InvalidArgument, match="saved with its opening cash: enter the opening"):
        save_plan(engine, CashPlan("No opening", None, 0, lines), ANALYST)
    assert list_plans(engine) == []
    log = audit_log(engine).iloc[::-1]  # oldest first
    assert log["action"].tolist() == ["cash_plan_saved", "cash_plan_saved", "cash_plan_deleted"]
    assert set(log["who"]) == {"ann@x.cn"} and set(log["entity_id"]) == {"Base"}
