"""The Weekly review page's view: the week's alerts in words, where a group ranks, the week's
collections as tiles and tables, snapshot triggers in words."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from creditdash.review import week_figures
from creditdash.review.collections import collections_review
from creditdash.review.view import CollectionsTile, ReviewView, review_view, snapshots_in_words
from tests.collections.conftest import dispute_rows, inputs_with, promise_rows
from tests.collections.test_promises import with_payments
from tests.review.conftest import small_ledger


def view_of(week: date, lang: str) -> ReviewView:
    ledger = small_ledger()

    def compute(day: date, _: bool) -> dict:
        return week_figures(ledger, day, optional=False)

    return review_view(ledger, week, lang, compute=compute)


@pytest.mark.parametrize(
    ("lang", "over_90", "detail"),
    [
        ("en", "Over 90 days past due", "oldest open item 93 days past due"),
        ("zh", "逾期超过 90 天", "最早的未清发票已逾期 93 天"),
    ],
)
def test_the_weeks_new_alerts_in_words(lang, over_90, detail):
    view = view_of(date(2026, 11, 13), lang)  # C2 crossed 90 days, C3's dispute came in
    new = view.alerts_new.set_index("customer_id")
    assert list(new.index) == ["C2", "C3"] and list(new["amount"]) == [2_000.0, 300.0]
    assert (new.loc["C2", "rule"], new.loc["C2", "detail"]) == (over_90, detail)
    assert view.alerts_resolved.empty
    assert view.collections is None and view.collections_error is None  # no store: no section
    assert view.collection_tiles() == [] and view.collections_table("collector").empty


def test_where_a_group_ranks():
    view = view_of(date(2026, 11, 13), "en")
    row = view.scorecard_row("region", "华东")
    assert (row["rank"], row["cei"], row["overdue_pct"]) == (2, -66.67, 71.43)
    assert view.scorecard_row("region", "Nowhere") is None
    assert view.scorecard_row("region", None) is None


def collections_view(lang: str) -> ReviewView:
    """The week 07-05 .. 07-11 of tests/review/test_collections_review.py."""
    ledger = with_payments(
        ("A", "C1", "I12", "2026-07-06", 200_000), ("B", "C2", "I21", "2026-07-03", 100_000)
    )
    promises = promise_rows(
        (1, "C1", 200_000, "2026-07-05", "2026-06-30", ["I12"]),  # made last week, kept this
        (2, "C2", 500_000, "2026-07-04", "2026-07-01", ["I21"]),  # deadline 07-07: partly kept
        (3, "C3", 60_000, "2026-07-02", "2026-07-01", []),  # deadline 07-05: broken
        (4, "C3", 70_000, "2026-07-20", "2026-07-08", []),  # made this week, pending
    )
    disputes = dispute_rows(
        (1, "I13", "C1", "2026-06-20", "credit", "2026-07-06"),  # resolved in 16 days
        (2, "I31", "C3", "2026-07-03", None, None),  # open 8 days at 07-11
        (3, "I32", "C3", "2026-06-01", None, None),  # open 40 days
    )
    inputs = inputs_with(promises=promises, disputes=disputes)
    week = collections_review(ledger, inputs, "2026-07-11")
    review = view_of(date(2026, 11, 20), lang).review
    return ReviewView(review, lang, pd.DataFrame(), pd.DataFrame(), collections=week)


def test_the_weeks_collections_as_tiles():
    assert collections_view("en").collection_tiles() == [
        CollectionsTile("promises_made", 1, 700.0),  # promise 4
        CollectionsTile("kept", 1, 2_000.0),  # promise 1
        CollectionsTile("broken", 2, 5_600.0),  # promise 3, and promise 2 partly kept
        CollectionsTile("disputes_opened", 0, 0.0),  # dispute 2 came in the week before
        CollectionsTile("disputes_resolved", 1, days=16.0),
        CollectionsTile("disputes_open", 2, days=24.0),  # (8 + 40) / 2
    ]


@pytest.mark.parametrize(("lang", "nobody"), [("en", "(no collector)"), ("zh", "（未分配催收员）")])
def test_collections_by_collector_name_the_customers_without_one(lang, nobody):
    view = collections_view(lang)
    table = view.collections_table("collector").set_index("group")
    assert list(table.index) == [nobody]  # no collector is assigned in this book
    assert table.loc[nobody, "kept_amount"] == 2_000.0 and table.loc[nobody, "kept"] == 1
    assert "kept_cents" not in table.columns
    by_salesperson = view.collections_table("salesperson")
    assert by_salesperson["promised_amount"].sum() == 700.0


def test_snapshot_triggers_in_words():
    recorded = pd.DataFrame({"snapshot_id": [1, 2], "trigger": ["import", "manual"]})
    assert list(snapshots_in_words(recorded, "en")["trigger"]) == ["import", "manual"]
    assert list(snapshots_in_words(recorded, "zh")["trigger"]) == ["导入", "手动"]
    assert list(recorded["trigger"]) == ["import", "manual"]  # the frame given is left as it is
