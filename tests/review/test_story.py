"""The week's story from hand-made weekly figures: changes, movers, alerts, promises."""

from __future__ import annotations

import copy

import pytest

from creditdash.review.figures import week_figures
from creditdash.review.story import (
    alert_changes,
    broken_promises,
    build_review,
    forecast_vs_actual,
    kpi_changes,
    movers,
)


@pytest.fixture
def weeks(ledger):
    now = week_figures(ledger, "2026-11-20", optional=False)
    before = copy.deepcopy(now)
    before["as_of"] = "2026-11-13"
    for c in before["customers"]:
        if c["customer_id"] == "C1":
            c["overdue"] = 0  # C1's 500 fell overdue this week
        if c["customer_id"] == "C2":
            c["overdue"] = 260_000  # C2 paid 600 off its overdue
    before["alerts"] = [a for a in before["alerts"] if a["rule"] != "disputed"]
    before["alerts"].append(
        {"key": "over_90:C9", "rule": "over_90", "customer_id": "C9", "customer_name": "Gone",
         "amount": 1_000, "detail": ""}
    )  # fmt: skip
    before["kpis"]["cei"] = 10.0
    return now, before


def test_movers_grew_and_shrank(weeks):
    now, before = weeks
    up, down = movers(now, before)
    assert up["customer_id"].tolist() == ["C1"] and up.loc[0, "change"] == 500.0
    assert down["customer_id"].tolist() == ["C2"] and down.loc[0, "change"] == -600.0
    up_li, down_li = movers(now, before, keep={"C3"})
    assert up_li.empty and down_li.empty


def test_new_and_resolved_alerts(weeks):
    now, before = weeks
    new, resolved, still = alert_changes(now, before)
    assert new["key"].tolist() == ["disputed:C3"]
    assert resolved["key"].tolist() == ["over_90:C9"]
    assert len(still) == 3


def test_kpi_changes_week_and_four_weeks(weeks):
    now, before = weeks
    table = kpi_changes(now, before, before).set_index("key")
    assert table.loc["cei", "wow"] == pytest.approx(now["kpis"]["cei"] - 10.0, abs=0.01)
    assert table.loc["total_ar", "value"] == 3_800.0
    assert table.loc["total_ar", "wow"] == 0.0


def test_forecast_vs_actual_and_broken_promises(ledger, weeks):
    now, before = weeks
    assert forecast_vs_actual(now, before) is None
    result, note = broken_promises(ledger, now, before)
    assert result is None and "invoice-level forecast" in str(note)
    assert note.render("zh").startswith("统计未兑现的回款")
    before["sections"] = {
        "forecast": {"available": True, "week1_expected": 700.0},
        "promises": {
            "available": True,
            "columns": ["invoice_id", "expected_date"],
            "rows": [
                {"invoice_id": "I2", "expected_date": "2026-11-18"},  # still open: broken
                {"invoice_id": "I1", "expected_date": "2026-12-02"},  # not due this week
            ],
        },
    }
    fva = forecast_vs_actual(now, before)
    assert fva == {"expected": 700.0, "actual": 0.0, "variance": -700.0, "variance_pct": -100.0}
    result, note = broken_promises(ledger, now, before)
    assert note is None and result["invoice_id"].tolist() == ["I2"]
    assert result.loc[0, "outstanding"] == 500.0


def test_build_review_filters_customer_lists(ledger):
    review = build_review(ledger, "2026-11-20", salesperson="Li")
    assert review.alerts_open.empty  # C3's only flag, a disputed invoice, is no policy rule
    assert review.top_customers["customer_id"].tolist() == ["C3"]
    theirs = build_review(ledger, "2026-11-20", salesperson="张伟").alerts_open
    assert set(theirs["customer_id"]) == {"C1", "C2"}
    assert "watchlist:over_limit:C2" in set(theirs["key"])
    assert review.kpis.set_index("key").loc["total_ar", "value"] == 3_800.0  # whole book
    assert len(review.history) == 8 and review.trends["week_ending"].is_monotonic_increasing
    score = review.scorecards["salesperson"]
    assert score["group"].tolist() == ["Li", "张伟"] and len(score.loc[0, "cei_trend"]) == 8
