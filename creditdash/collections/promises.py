"""Promises to pay judged by the payments that follow them.

A promise (customer, amount, date, invoices, the day it was made) exists at
as_of when it was made on or before as_of. The payments that count for it
are the customer's, dated from the day it was made up to as_of: those applied
to one of its invoices, and the customer's unapplied cash (a customer paying
on account); a promise naming no invoices counts every payment of the
customer. One payment is never counted twice: each customer's promises take
the payments in order of promise date (then the order recorded), each taking
what it still lacks, payments oldest first.

With deadline = date + the policy's `promise_grace_days`:

    kept         the whole amount was paid by the deadline
    partly_kept  the deadline passed with part of it paid
    broken       the deadline passed with nothing paid
    pending      the deadline has not passed and the amount is not paid yet

`slip_days` is how many days after the promised date the amount was paid in
full (0 when on time or early), or, while it is still not paid after the
deadline, the days from the promised date to as_of; NaN while pending.

`keeping_rates` gives each customer's promise-keeping rate: kept counts 1,
partly kept the share paid by the deadline, broken 0, averaged over the
customer's judged promises and shrunk towards the whole book's rate with
the weight of PRIOR_PROMISES promises (a customer with one kept promise is
not yet a sure payer): rate = (sum of scores + 2 x book) / (n + 2). The book's
rate is the plain average over every judged promise (0.5 when none is judged).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.ledger import DateLike, Ledger, day_number, ledger_arrays

PROMISE_STATES = ("pending", "kept", "partly_kept", "broken")
PRIOR_PROMISES = 2
JUDGED_COLUMNS = ["deadline", "paid_cents", "paid_on_time_cents", "remaining_cents",
                  "fulfilled_on", "status", "slip_days"]  # fmt: skip
RATE_COLUMNS = ["customer_id", "judged", "kept", "partly_kept", "broken", "keeping_rate"]


def judge_promises(
    ledger: Ledger, promises: pd.DataFrame, as_of: DateLike, grace_days: int = 3
) -> pd.DataFrame:
    """The promises made on or before as_of (`records.promises` rows) with JUDGED_COLUMNS.

    paid_cents counts payments up to as_of (at most the amount), paid_on_time_cents those
    up to the deadline, remaining_cents = amount - paid; fulfilled_on is the day the amount
    was reached (NaT if not yet). Same index as the rows kept, in their order.
    """
    day = day_number(as_of)
    made = promises["made_on"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    frame = promises[made <= day].copy()
    n = len(frame)
    paid, on_time = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    fulfilled = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    promised = frame["promised_date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    deadline = promised + int(grace_days)
    if n:
        _allocate(ledger, frame, day, deadline, paid, on_time, fulfilled)
    amount = frame["amount_cents"].to_numpy(dtype=np.int64)
    done = fulfilled != np.iinfo(np.int64).min
    status = np.where(
        done & (fulfilled <= deadline),
        "kept",
        np.where(
            day <= deadline,
            "pending",
            np.where(on_time > 0, "partly_kept", "broken"),
        ),
    )
    paid_day = np.where(done, fulfilled, day)
    slip = np.where(status == "pending", np.nan, np.maximum(paid_day - promised, 0))
    frame["deadline"] = pd.to_datetime(deadline.astype("datetime64[D]")).astype("datetime64[us]")
    frame["paid_cents"] = paid
    frame["paid_on_time_cents"] = on_time
    frame["remaining_cents"] = amount - paid
    frame["fulfilled_on"] = pd.Series(
        np.where(done, fulfilled, np.iinfo(np.int64).min).astype("datetime64[D]"),
        index=frame.index,
    ).astype("datetime64[us]")
    frame["status"] = pd.Series(status, index=frame.index, dtype="str")
    frame["slip_days"] = slip
    return frame


def _allocate(
    ledger: Ledger,
    frame: pd.DataFrame,
    day: int,
    deadline: np.ndarray,
    paid: np.ndarray,
    on_time: np.ndarray,
    fulfilled: np.ndarray,
) -> None:
    """Fill paid / on_time / fulfilled (per promise row) from the customers' payments."""
    arrays = ledger_arrays(ledger)
    codes = pd.Index(arrays.customers["customer_id"]).get_indexer(frame["customer_id"])
    named = frame["invoice_ids"].tolist()
    groups = _payments_by_customer(ledger, day, codes[codes >= 0], any(named))
    amount = frame["amount_cents"].to_numpy(dtype=np.int64)
    made = frame["made_on"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    promised = frame["promised_date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    order = np.lexsort((frame["promise_id"].to_numpy(), promised, codes))
    for row in order:
        found = groups.get(codes[row])
        if found is None:
            continue
        days, left, invoices = found  # `left` is what each payment still has to give
        counts = days >= made[row]
        if named[row]:
            wanted = set(named[row])
            counts &= np.array([pd.isna(i) or i in wanted for i in invoices], dtype=bool)
        need = int(amount[row])
        for k in np.flatnonzero(counts & (left > 0)):
            take = min(need, int(left[k]))
            left[k] -= take
            need -= take
            paid[row] += take
            if days[k] <= deadline[row]:
                on_time[row] += take
            if need == 0:
                fulfilled[row] = int(days[k])
                break


def _payments_by_customer(
    ledger: Ledger, day: int, codes: np.ndarray, with_invoices: bool
) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per customer code of `codes`: its payments of a positive amount dated on or before
    `day`, oldest first, as (days, amounts, invoice ids: None for unapplied cash, every
    one None unless `with_invoices`)."""
    arrays = ledger_arrays(ledger)
    m = arrays.payments_until(day)
    wanted = np.zeros(len(arrays.customers), dtype=bool)
    wanted[codes] = True
    customer = arrays.payment_customer[:m]
    mine = np.flatnonzero(wanted[customer] & (arrays.payment_amount[:m] > 0))
    mine = mine[np.argsort(customer[mine], kind="stable")]  # by customer, then by date
    invoice_ids = np.full(len(mine), None, dtype=object)
    if with_invoices:
        target = arrays.payment_invoice[mine]
        applied = target >= 0
        rows = arrays.invoice_order[target[applied]]
        invoice_ids[applied] = ledger.invoices["invoice_id"].iloc[rows].to_numpy(dtype=object)
    owner = customer[mine]
    starts = np.flatnonzero(np.diff(owner, prepend=-1) != 0)  # codes are >= 0
    ends = np.append(starts[1:], len(mine)) if len(mine) else starts
    return {
        int(owner[a]): (
            arrays.payment_day[mine[a:b]],
            arrays.payment_amount[mine[a:b]].copy(),
            invoice_ids[a:b],
        )
        for a, b in zip(starts, ends, strict=True)
    }


def keeping_rates(judged: pd.DataFrame) -> pd.DataFrame:
    """RATE_COLUMNS per customer with a judged (not pending) promise; see the module docstring.

    The whole book's rate is in `frame.attrs["book_rate"]`: the rate of a customer
    without a judged promise.
    """
    settled = judged[judged["status"] != "pending"]
    score = np.where(
        settled["status"] == "kept",
        1.0,
        np.where(
            settled["status"] == "partly_kept",
            settled["paid_on_time_cents"] / settled["amount_cents"].clip(lower=1),
            0.0,
        ),
    )
    book = float(score.mean()) if len(score) else 0.5
    per = settled.assign(score=score).groupby("customer_id", sort=True)
    table = pd.DataFrame(
        {
            "judged": per.size(),
            "kept": per["status"].agg(lambda s: int((s == "kept").sum())),
            "partly_kept": per["status"].agg(lambda s: int((s == "partly_kept").sum())),
            "broken": per["status"].agg(lambda s: int((s == "broken").sum())),
            "score": per["score"].sum(),
        }
    )
    table["keeping_rate"] = (table["score"] + PRIOR_PROMISES * book) / (
        table["judged"] + PRIOR_PROMISES
    )
    out = table.reset_index()[RATE_COLUMNS].astype(
        {"judged": "int64", "kept": "int64", "partly_kept": "int64", "broken": "int64"}
    )
    out.attrs["book_rate"] = book
    return out


def rate_of(rates: pd.DataFrame, customer_ids: pd.Series) -> pd.Series:
    """Each customer's keeping rate, the book's rate for those without one; same index."""
    found = dict(zip(rates["customer_id"], rates["keeping_rate"], strict=True))
    book = rates.attrs.get("book_rate", 0.5)
    return customer_ids.map(found).fillna(book).astype("float64")


def latest_status(judged: pd.DataFrame) -> pd.DataFrame:
    """customer_id, promise_status (the status of the customer's latest promise by date,
    then by order recorded), open_promises (pending), promised_cents (their remaining)."""
    if judged.empty:
        return pd.DataFrame(
            {"customer_id": pd.Series(dtype="str"), "promise_status": pd.Series(dtype="str"),
             "open_promises": pd.Series(dtype="int64"),
             "promised_cents": pd.Series(dtype="int64")}
        )  # fmt: skip
    ordered = judged.sort_values(["customer_id", "promised_date", "promise_id"], kind="stable")
    last = ordered.groupby("customer_id", sort=True).tail(1).set_index("customer_id")["status"]
    pending = judged["status"] == "pending"
    counts = pending.groupby(judged["customer_id"]).sum()
    remaining = judged["remaining_cents"].where(pending, 0).groupby(judged["customer_id"]).sum()
    return pd.DataFrame(
        {
            "customer_id": last.index.astype("str"),
            "promise_status": last.to_numpy(),
            "open_promises": counts.reindex(last.index).to_numpy(dtype=np.int64),
            "promised_cents": remaining.reindex(last.index).to_numpy(dtype=np.int64),
        }
    )


def promised_payments(judged: pd.DataFrame) -> pd.DataFrame:
    """The pending promises with what is still to come and the customer's keeping rate:
    customer_id, promised_date, remaining_cents, invoice_ids, keeping_rate (the input of
    `creditdash.forecast.promises.with_promised_payments`)."""
    rates = keeping_rates(judged)
    pending = judged[(judged["status"] == "pending") & (judged["remaining_cents"] > 0)]
    return pd.DataFrame(
        {
            "customer_id": pending["customer_id"].to_numpy(),
            "promised_date": pending["promised_date"].to_numpy(),
            "remaining_cents": pending["remaining_cents"].to_numpy(dtype=np.int64),
            "invoice_ids": pending["invoice_ids"].to_numpy(),
            "keeping_rate": rate_of(rates, pending["customer_id"]).to_numpy(),
        }
    )
