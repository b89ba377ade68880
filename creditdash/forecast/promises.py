"""What the forecast promises, in the shapes the weekly review records.

`weekly_forecast` is the 13-week collections table; `invoice_forecast` gives
each open invoice the week it is expected in (the week its chance of having
been paid passes one half), so that next week's review can list the
invoices that were expected and did not come (broken promises).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.forecast.collections import CollectionsForecast
from creditdash.ledger import DateLike, Ledger


def weekly_forecast(ledger: Ledger, as_of: DateLike, weeks: int = 13) -> pd.DataFrame:
    """week, start, end, expected, p10, p50, p90 (cents) of the invoices open at as_of."""
    return CollectionsForecast(weeks=weeks, n_sims=500).fit(ledger, as_of).weekly_


def invoice_forecast(ledger: Ledger, as_of: DateLike, weeks: int = 13) -> pd.DataFrame:
    """invoice_id, customer_id, outstanding_cents, expected_date (NaT beyond the horizon).

    expected_date is the last day of the first week by which the invoice is
    more likely paid than not.
    """
    model = CollectionsForecast(weeks=weeks, n_sims=100).fit(ledger, as_of)
    invoices = model.invoices_
    cumulative = np.cumsum(model.probabilities_[:, :weeks], axis=1)
    reached = cumulative >= 0.5
    week = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1, 0)
    start = pd.Timestamp(as_of).normalize()
    expected = start + pd.to_timedelta(7 * week, unit="D")
    return pd.DataFrame(
        {
            "invoice_id": invoices["invoice_id"],
            "customer_id": invoices["customer_id"],
            "outstanding_cents": invoices["outstanding_cents"],
            "expected_date": pd.Series(expected).where(week > 0).to_numpy(),
        }
    )


def with_promised_payments(model: CollectionsForecast, promised: pd.DataFrame) -> pd.DataFrame:
    """The fitted forecast's weeks with customers' promises to pay in them.

    `promised` has one row per open promise: customer_id, promised_date, remaining_cents
    (what is still to come), invoice_ids (a tuple; empty: the customer's open invoices) and
    keeping_rate (the customer's promise-keeping rate, 0..1; see
    `creditdash.collections.promises`). A promise with rate p brings p x its amount on its
    date (week 1 when the date is on or before as_of); the invoices it covers lose the same
    share of their own forecast, so nothing is counted twice and the total never exceeds
    what is open. The amount is capped at the covered invoices' outstanding. Promises dated
    beyond the horizon change nothing.

    Returns week, start, end, expected_cents (the forecast alone), promised_cents (the
    weighted promises landing in the week) and expected_with_promises_cents (int64 cents);
    the bands of `model.weekly_` are not moved.
    """
    weeks = model.probabilities_.shape[1] - 1
    outstanding = model.items_.outstanding.astype(np.float64)
    expected = outstanding[:, None] * model.probabilities_[:, :weeks]
    frame = model.invoices_[["invoice_id", "customer_id"]]
    position = {invoice: i for i, invoice in enumerate(frame["invoice_id"])}
    by_customer = frame.groupby("customer_id", sort=False).indices
    landed = np.zeros(weeks)
    for row in promised.itertuples():
        ids = tuple(row.invoice_ids)
        if ids:
            rows = np.array([position[i] for i in ids if i in position], dtype=np.intp)
        else:
            rows = np.asarray(by_customer.get(row.customer_id, []), dtype=np.intp)
        week = int(np.ceil((_day(row.promised_date) - model.as_of_) / 7))
        covered = float(outstanding[rows].sum()) if len(rows) else 0.0
        if not len(rows) or covered <= 0 or week > weeks:
            continue
        amount = min(float(row.remaining_cents), covered)
        share = float(np.clip(row.keeping_rate, 0.0, 1.0)) * amount / covered
        expected[rows] *= 1.0 - share
        landed[max(week, 1) - 1] += share * covered
    base = model.weekly_[["week", "start", "end", "expected_cents"]].copy()
    moved = np.rint(expected.sum(axis=0) + landed).astype(np.int64)
    base["promised_cents"] = np.rint(landed).astype(np.int64)
    base["expected_with_promises_cents"] = moved
    return base


def _day(value: object) -> int:
    return int(np.datetime64(pd.Timestamp(value).date(), "D").astype(np.int64))
