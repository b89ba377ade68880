"""What the Forecast page shows: its tiles, headers, stress scenarios and their summary."""

from __future__ import annotations

import pandas as pd

from creditdash.forecast.view import (
    forecast_tiles,
    headers,
    stress_groups,
    stress_scenarios,
    stress_summary,
)
from tests.forecast.conftest import regular_ledger


def test_the_tiles_show_the_forecast_alone_the_weighted_promises_and_the_total():
    from creditdash.forecast.promises import with_promises
    from creditdash.forecast.weekly import cash_forecast

    # six open invoices of 1,000.00, each paid whole within six weeks (test_promises.py);
    # 600.00 of the last promised for week 1, kept half the time
    ledger = regular_ledger("2024-06-30", days_late=10)
    forecast = cash_forecast(ledger, "2024-06-30", new_sales=False, risk=False, n_sims=200)
    promised = pd.DataFrame({"customer_id": ["C0"], "promised_date": [pd.Timestamp("2024-07-03")],
                             "remaining_cents": [60_000], "invoice_ids": [("C0-52",)],
                             "keeping_rate": [0.5]})  # fmt: skip
    tiles = forecast_tiles(forecast, with_promises(forecast, promised), 1, "CNY")
    assert [t.label.code for t in tiles] == [f"forecast.metric.{n}" for n in
                                             ("open", "promised", "new", "later", "total")]  # fmt: skip
    assert [t.value for t in tiles] == [6_000.0, 300.0, 0.0, 0.0, 6_000.0]
    assert tiles[1].help.params == {"count": 1} and tiles[0].label.params == {"weeks": 13}
    assert tiles[4].help.params["p10"].startswith("¥")


def test_headers_and_money_columns():
    found = headers(["week", "start", "end", "expected", "promised"], "zh")
    assert found["promised"].label == "承诺付款（加权）" and found["promised"].kind == "money"
    assert found["start"].kind == "text"
    assert headers(["scenario", "shortfall"], money=["shortfall"])["scenario"].kind == "text"


def test_the_stress_scenarios_let_a_segment_or_a_grade_default():
    grades = pd.Series(["A", "E", "E"], index=["C1", "C2", "C3"])
    groups = stress_groups(["SME", "", "Key account"], grades)
    assert groups == {"Key account": ("segment", "Key account"), "SME": ("segment", "SME"),
                      "Grade A customers": ("grade", "A"),
                      "Grade E customers": ("grade", "E")}  # fmt: skip
    late, largest, default = stress_scenarios("Grade E customers", groups, grades, late=15,
                                              top=5, top_days=30)  # fmt: skip
    assert (late.kind, late.days) == ("delay_all", 15)
    assert (largest.kind, largest.top, largest.days) == ("delay_largest", 5, 30)
    assert default.kind == "default" and default.customers == ("C2", "C3")
    by_segment = stress_scenarios("SME", groups, grades, late=0, top=1, top_days=0)[2]
    assert (by_segment.attribute, by_segment.value) == ("segment", "SME")


def test_the_summary_judges_each_plan_on_its_expected_closing():
    def plan(closing: list[int]) -> pd.DataFrame:
        weeks = len(closing)
        start = pd.date_range("2024-07-01", periods=weeks, freq="7D")
        return pd.DataFrame({"week": range(1, weeks + 1), "start": start,
                             "end": start + pd.Timedelta(days=6),
                             "collections_cents": [100_000] * weeks, "closing_cents": closing,
                             "closing_p10_cents": closing})  # fmt: skip

    summary = stress_summary({"Base": plan([500_000, 400_000]), "Late": plan([200_000, 50_000])},
                             minimum_cents=100_000)  # fmt: skip
    summary = summary.astype(object).where(summary.notna(), None)  # no week: missing
    assert summary.to_dict("records") == [
        {"scenario": "Base", "collections_13w": 2_000.0, "closing_week_13": 4_000.0,
         "first_week_below_minimum": None, "shortfall": 0.0},
        {"scenario": "Late", "collections_13w": 2_000.0, "closing_week_13": 500.0,
         "first_week_below_minimum": 2, "shortfall": 500.0},
    ]  # fmt: skip
