"""Penalties and rewards at an as-of date, worked out by hand on a small ledger."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditdash.ledger import Ledger
from creditdash.risk.assess import output_rows, risk_table
from creditdash.risk.penalties import half_up, penalties_at
from creditdash.risk.policy import default_policy

AS_OF = "2025-06-30"


def policy() -> dict:
    p = default_policy()
    p["penalties"] = {"late_interest_pct_year": 6.0, "late_fee": 50}
    p["rewards"] = {"early_discount_pct": 2.0, "early_discount_days": 10, "limit_increase_pct": 10}
    return p


def ledger() -> Ledger:
    d = pd.Timestamp
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "customer_name": ["Overdue Co", "Clean Co"],
            "credit_limit_cents": pd.array([50_000_000, 10_000_000], dtype="Int64"),
            "payment_terms_days": pd.array([30, 30], dtype="Int64"),
        }
    )
    rows = [  # invoice, customer, invoice date, due date, amount (cents), disputed
        ("A", "C1", "2025-04-01", "2025-05-01", 10_000_000, False),  # 60 days past due
        ("B", "C1", "2025-05-15", "2025-06-14", 3_650_000, False),  # 16 days past due
        ("C", "C1", "2025-05-01", "2025-05-31", 1_000_000, True),  # disputed: no interest
        ("D", "C1", "2025-06-25", "2025-07-25", 2_000_000, False),  # discount window open
        ("E", "C1", "2025-06-10", "2025-07-10", 500_000, False),  # paid early in part
        ("F", "C1", "2024-03-01", "2024-03-31", 1_000_000, False),  # paid early, > 12 months
        ("G", "C1", "2025-01-10", "2025-02-09", 1_234_567, False),  # paid on day 10
        ("H", "C2", "2024-05-01", "2024-05-31", 3_000_000, False),
        ("I", "C2", "2025-01-05", "2025-02-04", 3_000_000, False),
        ("J", "C2", "2025-06-20", "2025-07-20", 8_000_000, False),  # 80% of the limit
    ]
    invoices = pd.DataFrame(
        {
            "invoice_id": [r[0] for r in rows],
            "customer_id": [r[1] for r in rows],
            "invoice_date": [d(r[2]) for r in rows],
            "due_date": [d(r[3]) for r in rows],
            "amount_cents": [r[4] for r in rows],
            "disputed": [r[5] for r in rows],
        }
    )
    paid = [  # payment, customer, invoice, date, amount (cents)
        ("P1", "C1", "A", "2025-05-20", 4_000_000),  # 49 days after the invoice: no discount
        ("P2", "C1", "E", "2025-06-15", 200_000),  # 5 days: 2% earned
        ("P3", "C1", "F", "2024-03-05", 1_000_000),  # early, but before the last 12 months
        ("P4", "C1", "G", "2025-01-20", 1_234_567),  # 10 days: still inside the window
        ("P5", "C2", "H", "2024-05-30", 3_000_000),
        ("P6", "C2", "I", "2025-02-01", 3_000_000),  # 27 days after, 3 days before due
    ]
    payments = pd.DataFrame(
        {
            "payment_id": [p[0] for p in paid],
            "customer_id": [p[1] for p in paid],
            "invoice_id": [p[2] for p in paid],
            "payment_date": [d(p[3]) for p in paid],
            "amount_cents": [p[4] for p in paid],
        }
    )
    return Ledger.from_frames(customers, invoices, payments)


def test_half_up_rounds_half_cents_up_and_ignores_float_noise():
    values = np.array([0.5, 1.5, 2.4999, 2.4999999999, 68_778.08, 0.0])
    assert half_up(values).tolist() == [1, 2, 2, 3, 68_778, 0]


def test_late_interest_fees_and_discounts_by_hand():
    table = penalties_at(ledger(), AS_OF, policy()).set_index("customer_id")
    c1 = table.loc["C1"]
    # 60,000.00 x 6% x 60 / 365 + 36,500.00 x 6% x 16 / 365 = 591.78 + 96.00 (C disputed)
    assert c1["late_interest_cents"] == 68_778
    assert c1["late_fees_cents"] == 2 * 5_000  # two undisputed invoices overdue, 50.00 each
    # 2% of (2,000.00 on E + 12,345.67 on G) = 286.9134
    assert c1["discount_earned_cents"] == 28_691
    assert c1["discount_open_cents"] == 40_000  # 2% of D's 20,000.00 (E is 20 days old)
    c2 = table.loc["C2"]
    assert c2["late_interest_cents"] == 0 and c2["late_fees_cents"] == 0
    assert c2["discount_earned_cents"] == 0
    assert c2["discount_open_cents"] == 160_000  # J is 10 days old: 2% of 80,000.00


def test_the_risk_table_carries_penalties_and_the_clean_record_increase():
    table = risk_table(ledger(), AS_OF, policy()).set_index("customer_id")
    assert (
        table.loc["C1", "overdue_items"] == 2 and table.loc["C1", "late_interest_cents"] == 68_778
    )
    assert not table.loc["C1", "clean_record"] and table.loc["C1", "limit_increase_cents"] == 0
    # C2: nothing overdue, paid early, 14 months of tenure, 80% of its 100,000.00 used
    assert table.loc["C2", "clean_record"]
    assert table.loc["C2", "limit_increase_cents"] == 1_000_000
    rows = output_rows(table.reset_index()).set_index("customer_id")
    assert rows.loc["C1", "late_interest"] == pytest.approx(687.78)
    assert rows.loc["C2", "limit_increase"] == pytest.approx(10_000.0)
    assert rows.loc["C2", "credit_status"] == ""


def test_nothing_is_charged_without_penalties_in_the_policy():
    p = policy()
    del p["penalties"]
    p["rewards"]["early_discount_pct"] = 0
    table = penalties_at(ledger(), AS_OF, p)
    money = ["late_interest_cents", "late_fees_cents", "discount_earned_cents",
             "discount_open_cents"]  # fmt: skip
    assert (table[money] == 0).all().all()


def test_an_earlier_as_of_sees_only_what_was_known_then():
    table = penalties_at(ledger(), "2025-05-31", policy()).set_index("customer_id")
    # A: 100,000.00 less 40,000.00 paid on 05-20, 30 days past due; B not yet due
    assert table.loc["C1", "late_interest_cents"] == half_up(6_000_000 * 0.06 * 30 / 365)
    assert table.loc["C1", "late_fees_cents"] == 5_000
    assert "C2" in table.index and table.loc["C2", "discount_open_cents"] == 0
