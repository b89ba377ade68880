"""Promises judged against the payments that follow them; keeping rates; the forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditdash.collections.promises import (
    judge_promises,
    keeping_rates,
    latest_status,
    promised_payments,
    rate_of,
)
from creditdash.ledger import Ledger
from tests.collections.conftest import company_frames, promise_rows


def with_payments(*rows: tuple) -> Ledger:
    """The company with extra payments: (id, customer, invoice or None, date, cents)."""
    customers, invoices, payments = company_frames()
    extra = pd.DataFrame(rows, columns=["payment_id", "customer_id", "invoice_id",
                                        "payment_date", "amount_cents"])  # fmt: skip
    extra["payment_date"] = pd.to_datetime(extra["payment_date"])
    return Ledger.from_frames(customers, invoices, pd.concat([payments, extra], ignore_index=True))


def judged_at(ledger, as_of, *promises) -> pd.DataFrame:
    return judge_promises(ledger, promise_rows(*promises), as_of, grace_days=3).set_index(
        "promise_id"
    )


def test_kept_partly_kept_broken_and_pending_with_days_of_slip():
    ledger = with_payments(
        ("A", "C1", "I12", "2026-07-06", 200_000),  # in full, 1 day late: within the grace
        ("B", "C2", "I21", "2026-07-04", 200_000),  # 2,000 of 5,000 by the deadline
        ("C", "C2", "I21", "2026-07-20", 300_000),  # the rest, 15 days after the date
    )
    j = judged_at(
        ledger,
        "2026-07-31",
        (1, "C1", 200_000, "2026-07-05", "2026-06-30", ["I12"]),
        (2, "C2", 500_000, "2026-07-05", "2026-06-30", ["I21"]),
        (3, "C3", 60_000, "2026-07-10", "2026-06-30", []),  # nothing ever came
        (4, "C1", 300_000, "2026-08-15", "2026-07-20", ["I13"]),  # not due yet
    )
    assert j.loc[1, "status"] == "kept" and j.loc[1, "slip_days"] == 1
    assert j.loc[2, "status"] == "partly_kept"
    assert j.loc[2, "paid_on_time_cents"] == 200_000 and j.loc[2, "paid_cents"] == 500_000
    assert j.loc[2, "fulfilled_on"] == pd.Timestamp("2026-07-20") and j.loc[2, "slip_days"] == 15
    assert j.loc[3, "status"] == "broken" and j.loc[3, "slip_days"] == 21  # 07-10 .. 07-31
    assert j.loc[3, "remaining_cents"] == 60_000
    assert j.loc[4, "status"] == "pending" and np.isnan(j.loc[4, "slip_days"])
    assert j.loc[1, "deadline"] == pd.Timestamp("2026-07-08")


def test_judged_as_it_stood_at_an_earlier_date():
    ledger = with_payments(("A", "C1", "I12", "2026-07-06", 200_000))
    early = judged_at(ledger, "2026-07-01", (1, "C1", 200_000, "2026-07-05", "2026-06-30", []))
    assert early.loc[1, "status"] == "pending" and early.loc[1, "paid_cents"] == 0
    # a promise made after the as-of date does not exist yet
    assert judged_at(ledger, "2026-06-29", (1, "C1", 1, "2026-07-05", "2026-06-30", [])).empty


def test_payments_before_the_promise_or_to_other_invoices_do_not_count():
    ledger = with_payments(
        ("A", "C1", "I13", "2026-07-01", 300_000),  # another invoice than the promised one
        ("B", "C1", None, "2026-07-02", 50_000),  # cash on account counts
        ("C", "C1", "I12", "2026-06-29", 100_000),  # before the promise was made
    )
    j = judged_at(ledger, "2026-07-31", (1, "C1", 200_000, "2026-07-05", "2026-06-30", ["I12"]))
    assert j.loc[1, "paid_cents"] == 50_000 and j.loc[1, "status"] == "partly_kept"


def test_one_payment_is_never_counted_for_two_promises():
    ledger = with_payments(("A", "C3", None, "2026-07-03", 100_000))
    j = judged_at(
        ledger,
        "2026-07-31",
        (1, "C3", 60_000, "2026-07-05", "2026-06-30", []),
        (2, "C3", 60_000, "2026-07-12", "2026-06-30", []),
    )
    assert j.loc[1, "status"] == "kept" and j.loc[1, "paid_cents"] == 60_000
    assert j.loc[2, "paid_cents"] == 40_000 and j.loc[2, "status"] == "partly_kept"


def test_keeping_rates_shrink_towards_the_book():
    ledger = with_payments(
        ("A", "C1", None, "2026-07-01", 100_000), ("B", "C2", None, "2026-07-01", 25_000)
    )
    j = judge_promises(
        ledger,
        promise_rows(
            (1, "C1", 100_000, "2026-07-05", "2026-06-30", []),  # kept: 1
            (2, "C2", 100_000, "2026-07-05", "2026-06-30", []),  # a quarter: 0.25
            (3, "C3", 100_000, "2026-07-05", "2026-06-30", []),  # broken: 0
            (4, "C3", 100_000, "2026-09-05", "2026-06-30", []),  # pending: not judged
        ),
        "2026-07-31",
    )
    rates = keeping_rates(j).set_index("customer_id")
    book = (1 + 0.25 + 0) / 3
    assert rates.attrs["book_rate"] == pytest.approx(book)
    assert rates.loc["C1", "keeping_rate"] == pytest.approx((1 + 2 * book) / 3)
    assert rates.loc["C2", "keeping_rate"] == pytest.approx((0.25 + 2 * book) / 3)
    assert rates.loc["C3", "keeping_rate"] == pytest.approx((0 + 2 * book) / 3)
    assert rates.loc["C3", "broken"] == 1 and rates.loc["C3", "judged"] == 1
    unknown = rate_of(keeping_rates(j), pd.Series(["C9"]))
    assert unknown.iloc[0] == pytest.approx(book)
    latest = latest_status(j).set_index("customer_id")
    assert (
        latest.loc["C3", "promise_status"] == "pending" and latest.loc["C3", "open_promises"] == 1
    )


def test_without_any_judged_promise_the_book_rate_is_one_half(company):
    j = judge_promises(company, promise_rows(), "2026-07-31")
    assert keeping_rates(j).attrs["book_rate"] == 0.5 and j.empty


def test_a_promised_payment_enters_the_forecast_on_its_date_weighted_by_the_keeping_rate():
    from creditdash.forecast.collections import CollectionsForecast
    from creditdash.forecast.promises import with_promised_payments

    ledger = with_payments(("A", "C3", None, "2026-06-01", 10_000))
    model = CollectionsForecast(weeks=13, n_sims=200).fit(ledger, "2026-06-30")
    judged = judge_promises(
        ledger,
        promise_rows(
            (1, "C3", 10_000, "2026-06-10", "2026-05-20", []),  # kept: rate (1 + 2*1) / 3 = 1
            (2, "C3", 50_000, "2026-07-15", "2026-06-29", ["I32"]),  # pending, week 3
        ),
        "2026-06-30",
    )
    promised = promised_payments(judged)
    assert list(promised["remaining_cents"]) == [50_000]
    rate = promised["keeping_rate"].iloc[0]
    assert rate == pytest.approx(1.0)
    weeks = with_promised_payments(model, promised)
    assert weeks["promised_cents"].tolist()[2] == 50_000  # 07-15: week 3 (07-14 .. 07-20)
    assert weeks["promised_cents"].sum() == 50_000
    # nothing counted twice: I32's own forecast gave up 50,000 / 70,000 of itself
    invoices = model.invoices_.set_index("invoice_id")
    i32 = invoices.loc["I32", [f"w{k}" for k in range(1, 14)]].to_numpy(dtype=float)
    moved = weeks["expected_with_promises_cents"] - weeks["expected_cents"]
    expected = -i32 * 50_000 / 70_000
    expected[2] += 50_000
    assert np.allclose(moved, expected, atol=2)
    assert weeks["expected_with_promises_cents"].sum() <= model.items_.outstanding.sum() + 13


def test_a_half_kept_record_brings_half_the_promise():
    from creditdash.forecast.collections import CollectionsForecast
    from creditdash.forecast.promises import with_promised_payments

    ledger = with_payments(("A", "C3", None, "2026-06-01", 10_000))
    model = CollectionsForecast(weeks=4, n_sims=200).fit(ledger, "2026-06-30")
    promised = pd.DataFrame({"customer_id": ["C3"], "promised_date": [pd.Timestamp("2026-06-30")],
                             "remaining_cents": [1_000_000], "invoice_ids": [()],
                             "keeping_rate": [0.5]})  # fmt: skip
    weeks = with_promised_payments(model, promised)
    # capped at what C3 owes (1,300.00), half of it in week 1 (the date is the as-of date)
    assert weeks["promised_cents"].tolist() == [65_000, 0, 0, 0]
