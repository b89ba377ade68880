"""Scorecards by salesperson and region, worked by hand on the small ledger."""

from __future__ import annotations

import pytest

from creditdash.errors import InvalidArgument
from creditdash.review.scorecards import scorecard_history, scorecards


def test_salesperson_scorecard_known_answer(ledger):
    table = scorecards(ledger, "2026-11-20", "salesperson").set_index("group")
    zhang = table.loc["张伟"]
    # AR 1,000 + 500 + 2,000 = 3,500; overdue 500 + 2,000 = 2,500 -> 71.43%
    assert zhang["ar_cents"] == 350_000 and zhang["overdue_cents"] == 250_000
    assert zhang["overdue_pct"] == pytest.approx(71.43)
    # window (2026-08-22, 2026-11-20]: I1 + I2 = 1,500 of sales; DSO = 3,500 / 1,500 x 90 = 210
    assert zhang["sales_cents"] == 150_000
    assert zhang["dso"] == pytest.approx(210.0)
    # CEI: B = AR at 2026-08-22 = 2,000 (I3), S = 1,500, N = 3, E = 3,500, Ec = 1,000:
    # (2,000 + 500 - 3,500) / (2,000 + 500 - 1,000) x 100 = -66.67
    assert zhang["cei"] == pytest.approx(-66.67)
    assert zhang["customers"] == 2
    li = table.loc["Li"]
    assert li["ar_cents"] == 30_000 and li["overdue_pct"] == 0
    # Li: B = 0, S = 300, E = 300, Ec = 300 -> (100 - 300) / (100 - 300) = 100
    assert li["cei"] == pytest.approx(100.0)
    assert list(table["rank"]) == [1, 2]  # Li (CEI 100) ranks above 张伟
    assert table.index[0] == "Li"


def test_write_offs_are_credit_notes_in_the_window(ledger):
    import pandas as pd

    from creditdash.ledger import Ledger

    extra = pd.DataFrame(
        {"invoice_id": ["CN1"], "customer_id": ["C3"], "invoice_date": pd.to_datetime(["2026-11-15"]),
         "due_date": pd.to_datetime(["2026-11-15"]), "amount_cents": [-10_000], "currency": "CNY",
         "disputed": [False], "source": "test"}
    )  # fmt: skip
    both = Ledger.from_frames(
        ledger.customers, pd.concat([ledger.invoices, extra]), ledger.payments
    )
    table = scorecards(both, "2026-11-20", "salesperson").set_index("group")
    assert table.loc["Li", "write_offs_cents"] == 10_000
    assert table.loc["张伟", "write_offs_cents"] == 0


def test_region_totals_reconcile_with_the_book(ledger):
    table = scorecards(ledger, "2026-11-20", "region")
    assert table["ar_cents"].sum() == 380_000


def test_history_has_one_block_per_week(ledger):
    history = scorecard_history(ledger, "2026-11-20", "region", weeks=3)
    assert sorted(history["week_ending"].dt.strftime("%Y-%m-%d").unique()) == [
        "2026-11-06",
        "2026-11-13",
        "2026-11-20",
    ]


def test_unknown_grouping_is_refused(ledger):
    with pytest.raises(InvalidArgument, match="`by` must be one of 'salesperson', 'region'"):
        scorecards(ledger, "2026-11-20", "segment")
