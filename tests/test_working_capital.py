"""Working capital: WCR, CCC and the cost of carrying receivables, by hand; uploaded figures."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from creditdash import i18n
from creditdash.errors import ImportRejected, InvalidArgument, Problem
from creditdash.ledger import Ledger
from creditdash.working_capital import (
    ccc,
    days_of,
    figures_at,
    figures_template,
    overdue_financing_cost,
    read_figures,
    wcr,
    working_capital,
)
from tests.ingest.conftest import build_xlsx


@pytest.fixture
def ledger(two_customer_ledger) -> Ledger:
    return two_customer_ledger


def test_pure_formulas():
    assert wcr(480_000, 300_000, 200_000) == 580_000
    # textbook: DSO 45 + DIO 60 - DPO 30 = 75 days
    assert ccc(45, 60, 30) == 75
    assert days_of(1_000_000, 3_650_000) == pytest.approx(100)
    assert days_of(1, 0) is None
    assert overdue_financing_cost(250_000, 0.08) == pytest.approx(20_000)


def test_working_capital_on_the_ledger(ledger):
    w = working_capital(
        ledger, "2025-12-31", inventory=1_000, ap=500, cogs=4_000, cost_of_capital=0.08
    )
    assert w["ar"] == pytest.approx(2_500) and w["overdue_ar"] == pytest.approx(2_500)
    assert w["credit_sales"] == pytest.approx(6_000)
    assert w["wcr"] == pytest.approx(3_000)
    assert w["dso"] == pytest.approx(2_500 / 6_000 * 365)
    assert w["dio"] == pytest.approx(91.25) and w["dpo"] == pytest.approx(45.625)
    assert w["ccc"] == pytest.approx(w["dso"] + 91.25 - 45.625)
    assert w["cash_per_dso_day"] == pytest.approx(6_000 / 365)
    assert w["overdue_financing_cost"] == pytest.approx(200)
    assert w["overdue_financing_cost_daily"] == pytest.approx(200 / 365)
    without_cogs = working_capital(ledger, "2025-12-31")
    assert without_cogs["dio"] is None and without_cogs["ccc"] is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"inventory": -1}, "`inventory` must be >= 0"),
        ({"ap": -1}, "`ap` must be >= 0"),
        ({"cogs": 0}, "`cogs` must be > 0"),
        ({"cost_of_capital": -0.1}, "`cost_of_capital` must be >= 0"),
    ],
)
def test_errors(ledger, kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        working_capital(ledger, "2025-12-31", **kwargs)


# --- uploaded inventory, AP and COGS -----------------------------------------------

HEADER = "Date,Inventory,Accounts payable,COGS (12 months)\n"


def rejected(name: str, data: bytes | str) -> list[Problem]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(ImportRejected) as caught:
        read_figures(name, raw)
    return caught.value.problems


def test_the_template_reads_back_in_both_languages():
    for lang in ("en", "zh"):
        figures = read_figures("template.csv", figures_template(lang))
        assert figures.columns.tolist() == ["date", "inventory_cents", "ap_cents", "cogs_cents"]
        assert figures["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-09-30", "2026-10-31"]
        assert figures["inventory_cents"].tolist() == [1_250_000_000, 1_310_000_000]
        assert figures["cogs_cents"].tolist() == [9_600_000_000, 9_740_000_000]
    assert figures_template("zh").decode("utf-8-sig").startswith("日期,存货,应付账款")


def test_a_good_csv_and_the_row_in_force(ledger):
    text = HEADER + '2025-12-31,1000,500,4000\n2025-06-30,"2,000.50",0,\n'
    figures = read_figures("wc.csv", text.encode())
    assert figures["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-06-30", "2025-12-31"]
    assert figures["cogs_cents"].isna().tolist() == [True, False]
    assert figures_at(figures, "2025-09-30") == {
        "date": pd.Timestamp("2025-06-30"), "inventory": 2_000.5, "ap": 0.0, "cogs": None,
    }  # fmt: skip
    row = figures_at(figures, "2026-01-15")
    assert (row["inventory"], row["ap"], row["cogs"]) == (1_000, 500, 4_000)
    w = working_capital(ledger, "2025-12-31", inventory=row["inventory"], ap=row["ap"],
                        cogs=row["cogs"])  # fmt: skip
    assert w["dio"] == pytest.approx(91.25) and w["wcr"] == pytest.approx(3_000)
    with pytest.raises(
        InvalidArgument, match="start on 2025-06-30, after the as-of date 2025-01-31"
    ):
        figures_at(figures, "2025-01-31")


def test_a_good_xlsx_with_chinese_headers_and_a_title_row():
    data = build_xlsx(
        {
            "营运资金": [
                ["2025年营运资金"],
                ["期末", "存货", "应付账款", "营业成本（近12个月）"],
                ["2025-11-30", 300.25, 100, 1200],
                ["2025-12-31", 310, 90, 1250],
            ]
        }
    )
    figures = read_figures("wc.xlsx", data)
    assert figures["inventory_cents"].tolist() == [30_025, 31_000]
    assert figures["ap_cents"].tolist() == [10_000, 9_000]


def test_every_problem_is_listed_with_its_row_and_column():
    text = HEADER + (
        "2025-13-01,100,50,1000\n"  # row 2: not a date
        ",abc,-5,0\n"  # row 3: no date, not an amount, negative, COGS 0
        "2025-10-31,1,,\n"  # row 4: AP empty; the date repeats on row 5
        "2025-10-31,1,2,3\n"
    )
    problems = rejected("bad.csv", text)
    assert [(p.row, p.column, p.value) for p in problems] == [
        (2, "Date", "2025-13-01"),
        (3, "Date", None),
        (3, "Inventory", "abc"),
        (3, "Accounts payable", "-5"),
        (3, "COGS (12 months)", "0"),
        (4, "Date", "2025-10-31"),
        (4, "Accounts payable", None),
        (5, "Date", "2025-10-31"),
    ]
    assert {p.level for p in problems} == {"error"} and {p.file for p in problems} == {"bad.csv"}
    assert problems[0].message.startswith("'2025-13-01' is not a date")
    assert problems[3].message == "'Accounts payable' must not be negative."
    for p in problems:  # each renders from the catalogue, in English exactly and in Chinese
        assert i18n.t(p.code, "en", **p.params) == p.message
        assert re.search(r"[\u4e00-\u9fff]", i18n.t(p.code, "zh", **p.params))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("wc.csv", "Inventory,Stock value\n1,2\n", "missing: Date, Accounts payable"),
        ("wc.csv", "Customer,Amount\nC1,2\n", "missing: Date, Inventory, Accounts payable"),
        ("wc.csv", HEADER, "no rows of figures under its header"),
        ("wc.csv", b"", "The file is empty"),
        ("wc.pdf", b"%PDF-1.4", "cannot be read"),
    ],
)
def test_a_file_that_cannot_be_used_says_why(name, data, message):
    problems = rejected(name, data)
    assert len(problems) == 1 and message in problems[0].message
    assert problems[0].row is None
