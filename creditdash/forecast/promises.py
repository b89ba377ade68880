"""What the forecast promises, and customers' promises to pay in the forecast.

`weekly_forecast` is the 13-week collections table; `invoice_forecast` gives
each open invoice the week it is expected in (the week its chance of having
been paid passes one half), so that next week's review can list the
invoices that were expected and did not come (broken promises).

`with_promised_payments` moves customers' open promises to pay into the
collections forecast (weighted by how often each customer keeps its
promises); `with_promises` gives the cash forecast's weekly frame with them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.forecast.collections import CollectionsForecast
from creditdash.forecast.weekly import CashForecast
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
    amount from their own forecast, spread over them by outstanding, so nothing is counted
    twice and the total never exceeds what is open. Promises are taken by date (then as
    given); each reaches only what earlier ones left of its invoices: its amount is capped
    at that, so two promises on one invoice (or on the whole account and one of its
    invoices) never bring it in twice, while instalments of one account add up. Promises
    dated beyond the horizon change nothing.

    Returns week, start, end, expected_cents (the forecast alone), promised_cents (the
    weighted promises landing in the week) and expected_with_promises_cents (int64 cents);
    the bands of `model.weekly_` are not moved.
    """
    weeks = model.probabilities_.shape[1] - 1
    outstanding = model.items_.outstanding.astype(np.float64)
    free = np.ones(len(outstanding))  # the share of each invoice no promise has taken yet
    frame = model.invoices_[["invoice_id", "customer_id"]]
    position = {invoice: i for i, invoice in enumerate(frame["invoice_id"])}
    by_customer = frame.groupby("customer_id", sort=False).indices
    landed = np.zeros(weeks)
    by_date = promised.assign(day_number=[_day(d) for d in promised["promised_date"]])
    for row in by_date.sort_values("day_number", kind="stable").itertuples():
        ids = tuple(row.invoice_ids)
        if ids:
            rows = np.unique([position[i] for i in ids if i in position]).astype(np.intp)
        else:
            rows = np.asarray(by_customer.get(row.customer_id, []), dtype=np.intp)
        week = int(np.ceil((row.day_number - model.as_of_) / 7))
        covered = float((outstanding[rows] * free[rows]).sum()) if len(rows) else 0.0
        if not len(rows) or covered <= 0 or week > weeks:
            continue
        amount = min(float(row.remaining_cents), covered)
        share = float(np.clip(row.keeping_rate, 0.0, 1.0)) * amount / covered
        free[rows] *= 1.0 - share
        landed[max(week, 1) - 1] += share * covered
    expected = (outstanding * free)[:, None] * model.probabilities_[:, :weeks]
    base = model.weekly_[["week", "start", "end", "expected_cents"]].copy()
    moved = np.rint(expected.sum(axis=0) + landed).astype(np.int64)
    base["promised_cents"] = np.rint(landed).astype(np.int64)
    base["expected_with_promises_cents"] = moved
    return base


def with_promises(forecast: CashForecast, promised: pd.DataFrame) -> pd.DataFrame:
    """`forecast.weekly` with the open promises to pay (`promised`, as for
    `with_promised_payments`) in it.

    Two columns follow p90_cents: promised_cents (the weighted promises landing in the
    week) and expected_with_promises_cents (the open invoices' forecast with them);
    expected_cents stays the forecast alone, and total_expected_cents becomes
    expected_with_promises_cents + new_sales_collections_cents, so a cash plan rolled on
    this frame counts the promises. The bands (p10 .. p90, total_p10, total_p90,
    cumulative_p10) are the forecast's own. `attrs` are kept.
    """
    moved = with_promised_payments(forecast.collections, promised)
    frame = forecast.weekly.copy()
    at = frame.columns.get_loc("p90_cents") + 1
    frame.insert(at, "promised_cents", moved["promised_cents"].to_numpy())
    frame.insert(
        at + 1, "expected_with_promises_cents", moved["expected_with_promises_cents"].to_numpy()
    )
    frame["total_expected_cents"] = (
        frame["expected_with_promises_cents"] + frame["new_sales_collections_cents"]
    )
    return frame


def _day(value: object) -> int:
    return int(np.datetime64(pd.Timestamp(value).date(), "D").astype(np.int64))
