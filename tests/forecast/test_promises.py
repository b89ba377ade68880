"""What the weekly review records of the forecast: weekly totals and each invoice's week."""

from __future__ import annotations

import pandas as pd

from creditdash.forecast import invoice_forecast, weekly_forecast
from tests.forecast.conftest import regular_ledger


def test_each_open_invoice_is_expected_in_the_week_it_falls_due_plus_ten_days():
    ledger = regular_ledger("2024-06-30", days_late=10)
    frame = invoice_forecast(ledger, "2024-06-30").set_index("invoice_id")
    invoices = ledger.invoices.set_index("invoice_id")
    as_of = pd.Timestamp("2024-06-30")
    for invoice_id, row in frame.iterrows():
        paid = invoices.loc[invoice_id, "due_date"] + pd.Timedelta(days=10)
        week = (paid - as_of).days // 7 + (1 if (paid - as_of).days % 7 else 0)
        assert row["expected_date"] == as_of + pd.Timedelta(days=7 * week), invoice_id
    assert frame["outstanding_cents"].eq(100_000).all()


def test_weekly_forecast_totals_match_the_invoices():
    ledger = regular_ledger("2024-06-30", days_late=10)
    weekly = weekly_forecast(ledger, "2024-06-30")
    assert list(weekly["week"]) == list(range(1, 14))
    open_total = invoice_forecast(ledger, "2024-06-30")["outstanding_cents"].sum()
    assert weekly["expected_cents"].sum() == open_total


# ------------------------------------------------------------ promises in the forecast
# regular_ledger at 2024-06-30: one customer pays every invoice exactly 10 days late, so each
# of its six open invoices of 1,000.00 comes whole in one week: C0-47 (due 06-24) in week 1,
# C0-48 in week 2, ..., C0-52 (due 07-29, paid 08-08) in week 6. Weeks run from 07-01.


def _promised(*rows: tuple) -> pd.DataFrame:
    """(promised_date, remaining_cents, invoice_ids, keeping_rate) rows of customer C0."""
    return pd.DataFrame(
        [("C0", pd.Timestamp(d), cents, tuple(ids), rate) for d, cents, ids, rate in rows],
        columns=["customer_id", "promised_date", "remaining_cents", "invoice_ids", "keeping_rate"],
    )


def _six_weeks():
    from creditdash.forecast.collections import CollectionsForecast

    ledger = regular_ledger("2024-06-30", days_late=10)
    model = CollectionsForecast(weeks=13, n_sims=100).fit(ledger, "2024-06-30")
    assert model.weekly_["expected_cents"].tolist() == [100_000] * 6 + [0] * 7
    return ledger, model


def test_a_promise_on_one_invoice_moves_its_weighted_amount_to_the_promised_week():
    from creditdash.forecast.promises import with_promised_payments

    _, model = _six_weeks()
    # 600.00 of C0-52 promised for 07-03 (week 1) by a customer keeping half its promises:
    # week 1 gets 300.00; C0-52 gives up 300.00 of its 1,000.00 in week 6 (700.00 left)
    weeks = with_promised_payments(model, _promised(("2024-07-03", 60_000, ["C0-52"], 0.5)))
    assert weeks["promised_cents"].tolist() == [30_000] + [0] * 12
    assert weeks["expected_cents"].tolist() == [100_000] * 6 + [0] * 7  # the forecast alone
    with_them = weeks["expected_with_promises_cents"].tolist()
    assert with_them == [130_000, 100_000, 100_000, 100_000, 100_000, 70_000] + [0] * 7
    assert sum(with_them) == 600_000  # what is open, no more


def test_instalments_on_the_account_add_up_and_never_bring_more_than_is_open():
    from creditdash.forecast.promises import with_promised_payments

    _, model = _six_weeks()
    # two instalments of 3,000.00 (07-03, week 1; 07-10, week 2) on the whole account of
    # 6,000.00. Kept for sure: 3,000.00 in each week and nothing else is left to forecast
    sure = with_promised_payments(model, _promised(("2024-07-03", 300_000, [], 1.0),
                                                   ("2024-07-10", 300_000, [], 1.0)))  # fmt: skip
    assert sure["expected_with_promises_cents"].tolist() == [300_000, 300_000] + [0] * 11
    # kept half the time: 1,500.00 each, and each invoice keeps half its own forecast (500.00)
    half = with_promised_payments(model, _promised(("2024-07-03", 300_000, [], 0.5),
                                                   ("2024-07-10", 300_000, [], 0.5)))  # fmt: skip
    assert half["promised_cents"].tolist()[:2] == [150_000, 150_000]
    assert half["expected_with_promises_cents"].tolist() == (
        [200_000, 200_000, 50_000, 50_000, 50_000, 50_000] + [0] * 7
    )


def test_two_promises_on_one_invoice_bring_it_in_once():
    from creditdash.forecast.promises import with_promised_payments

    _, model = _six_weeks()
    # C0-52 promised whole twice (a new date agreed, the old promise still open): the first
    # by date takes it all, the second finds nothing left; a promise of more than the
    # invoice is capped at it
    weeks = with_promised_payments(model, _promised(("2024-07-10", 100_000, ["C0-52"], 1.0),
                                                    ("2024-07-03", 500_000, ["C0-52"], 1.0)))  # fmt: skip
    assert weeks["promised_cents"].tolist() == [100_000] + [0] * 12
    assert weeks["expected_with_promises_cents"].tolist() == (
        [200_000, 100_000, 100_000, 100_000, 100_000, 0] + [0] * 7
    )


def test_a_promise_past_the_horizon_or_on_a_paid_invoice_changes_nothing():
    from creditdash.forecast.promises import with_promised_payments

    _, model = _six_weeks()
    weeks = with_promised_payments(model, _promised(("2024-12-31", 100_000, ["C0-52"], 1.0),
                                                    ("2024-07-03", 100_000, ["C0-1"], 1.0)))  # fmt: skip
    assert weeks["expected_with_promises_cents"].tolist() == weeks["expected_cents"].tolist()
    assert weeks["promised_cents"].sum() == 0


def test_a_recorded_promise_enters_the_cash_forecast_and_its_total():
    from creditdash.collections.records import PROMISE_COLUMNS
    from creditdash.forecast.promises import with_promises
    from creditdash.forecast.view import open_promises
    from creditdash.forecast.weekly import cash_forecast

    ledger, _ = _six_weeks()
    # made 06-25 for 07-03, 600.00 of C0-52; the customer's payment of 06-27 went to C0-46, so
    # the promise is open (pending) at 06-30 with all 600.00 to come. No promise was judged
    # yet: the customer's keeping rate is the book's default, one half
    record = pd.DataFrame(
        [(1, "C0", 60_000, pd.Timestamp("2024-07-03"), pd.Timestamp("2024-06-25"), ("C0-52",),
          "", "li.na@x.cn", pd.Timestamp("2024-06-25 10:00"))],
        columns=PROMISE_COLUMNS,
    )  # fmt: skip
    promised = open_promises(ledger, record, "2024-06-30")
    assert promised[["remaining_cents", "keeping_rate"]].values.tolist() == [[60_000, 0.5]]
    forecast = cash_forecast(ledger, "2024-06-30", new_sales=False, risk=False, n_sims=200)
    weekly = with_promises(forecast, promised)
    assert weekly["promised_cents"].tolist()[:2] == [30_000, 0]
    assert weekly["expected_cents"].tolist()[:6] == [100_000] * 6
    assert weekly["total_expected_cents"].tolist()[:6] == [130_000] + [100_000] * 4 + [70_000]
    assert list(weekly.columns[4:10]) == ["p10_cents", "p50_cents", "p90_cents", "promised_cents",
                                         "expected_with_promises_cents", "new_sales_cents"]  # fmt: skip
