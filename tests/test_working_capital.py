"""Working capital: WCR, CCC and the cost of carrying receivables, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from creditdash.errors import InvalidArgument
from creditdash.ledger import Ledger
from creditdash.working_capital import ccc, days_of, overdue_financing_cost, wcr, working_capital


@pytest.fixture
def ledger() -> Ledger:
    """Sales 6,000 in 2025; AR 2,500 at 2025-12-31, all of it overdue."""
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3", "I4"],
            "customer_id": ["C1", "C1", "C2", "C2"],
            "invoice_date": pd.to_datetime(
                ["2025-03-01", "2025-11-01", "2025-06-01", "2024-05-01"]
            ),
            "due_date": pd.to_datetime(["2025-03-31", "2025-12-01", "2025-07-31", "2024-08-01"]),
            "amount_cents": [100_000, 200_000, 300_000, 50_000],
        }
    )
    payments = pd.DataFrame(
        {
            "payment_id": ["P1", "P3"],
            "customer_id": ["C1", "C2"],
            "invoice_id": ["I1", "I3"],
            "payment_date": pd.to_datetime(["2025-04-10", "2025-07-21"]),
            "amount_cents": [100_000, 300_000],
        }
    )
    return Ledger.from_frames(invoices=invoices, payments=payments)


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
