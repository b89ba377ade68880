"""Features by hand on a tiny ledger, and the proof that nothing after the as-of date is used."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditdash.errors import InvalidArgument
from creditdash.ledger import Ledger
from creditdash.risk.features import features_at
from tests.risk.conftest import AS_OF, tiny_frames, truncated


def row(frame: pd.DataFrame, cid: str) -> pd.Series:
    return frame.set_index("customer_id").loc[cid]


def test_features_worked_by_hand(tiny):
    f = features_at(tiny, AS_OF)
    c1, c2 = row(f, "C1"), row(f, "C2")
    # payments 1000 @ 10 days late and 2000 @ 30, open I3 500 @ 30 dpd
    assert c1["days_late_recent"] == pytest.approx(85_000 / 3_500)
    assert c1["share_paid_late"] == pytest.approx(1.0)
    assert c1["worst_dpd_open"] == 30
    assert c1["worst_days_late_12m"] == 30
    assert c1["exposure_cents"] == 50_000 and c1["overdue_cents"] == 50_000
    assert c1["overdue_share"] == pytest.approx(1.0)
    assert c1["utilisation"] == pytest.approx(0.5)
    assert c1["tenure_days"] == 180
    assert c1["concentration"] == pytest.approx(500 / 800)
    assert c1["sales_12m_cents"] == 350_000
    assert np.isnan(c1["days_late_older"]) and c1["days_late_trend"] == 0
    assert np.isnan(c2["days_late_recent"]) and np.isnan(c2["utilisation"])
    assert c2["tenure_days"] == 29 and c2["overdue_cents"] == 0


def test_customers_without_invoices_by_as_of_are_left_out(tiny):
    f = features_at(tiny, "2025-03-15")
    assert list(f["customer_id"]) == ["C1"]


def test_later_data_changes_nothing_at_as_of():
    customers, invoices, payments = tiny_frames()
    before = features_at(Ledger.from_frames(customers, invoices, payments), AS_OF)
    d = pd.Timestamp
    more_inv = pd.concat(
        [
            invoices,
            pd.DataFrame(
                {
                    "invoice_id": ["I9"],
                    "customer_id": ["C2"],
                    "invoice_date": [d("2025-07-02")],
                    "due_date": [d("2025-08-01")],
                    "amount_cents": [999_999],
                }
            ),
        ]
    )
    more_pay = pd.concat(
        [
            payments,
            pd.DataFrame(
                {
                    "payment_id": ["P8", "P9"],
                    "customer_id": ["C1", "C2"],
                    "invoice_id": ["I3", None],
                    "payment_date": [d("2025-07-10"), d("2025-07-01")],
                    "amount_cents": [50_000, 7_000],
                }
            ),
        ]
    )
    after = features_at(Ledger.from_frames(customers, more_inv, more_pay), AS_OF)
    pd.testing.assert_frame_equal(before, after)


@pytest.mark.parametrize("as_of", ["2025-03-31", "2025-09-30", "2026-06-30"])
def test_demo_features_equal_those_of_the_ledger_cut_at_as_of(demo, demo_ledger, as_of):
    full = features_at(demo_ledger, as_of)
    cut = features_at(truncated(demo, as_of), as_of)
    pd.testing.assert_frame_equal(full, cut)


def test_bureau_reports_after_as_of_are_ignored(tiny):
    bureau = pd.DataFrame(
        {
            "customer_id": ["C1", "C1"],
            "provider": ["x", "x"],
            "report_date": pd.to_datetime(["2025-06-01", "2025-07-01"]).astype("datetime64[us]"),
            "imported_at": pd.to_datetime(["2025-07-02", "2025-07-02"]),
            "score_normalised": [70.0, 10.0],
            "rating": ["A", "D"],
            "recommended_limit_cents": pd.array([80_000, 1], dtype="Int64"),
            "insured_limit_cents": pd.array([None, None], dtype="Int64"),
            "net_worth_cents": pd.array([None, None], dtype="Int64"),
            "working_capital_cents": pd.array([None, None], dtype="Int64"),
            "pd": [0.01, 0.5],
            "legal_events": pd.array([0, 3], dtype="Int64"),
        }
    )
    c1 = row(features_at(tiny, AS_OF, bureau), "C1")
    assert c1["bureau_score"] == 70.0 and c1["bureau_rating"] == "A"
    assert c1["bureau_recommended_limit_cents"] == 80_000 and c1["legal_events"] == 0


def test_bad_as_of_names_the_argument(tiny):
    with pytest.raises(InvalidArgument, match="`as_of` must be a date"):
        features_at(tiny, "not a date")
