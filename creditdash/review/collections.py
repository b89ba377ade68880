"""The weekly review's collections section: promises and disputes of the week, per collector
and per salesperson.

For the week (D - days, D] at week end D:

    promises_made / promised_cents      promises made in the week (their amounts)
    kept / kept_cents                   promises whose amount was paid in full by their
                                        deadline, the payment landing in the week
    partly_kept / broken (+ _cents)     promises whose deadline passed with part or nothing
                                        paid: deadline in [D - days, D), since a promise is
                                        pending through its deadline (the amounts promised)
    disputes_opened / disputed_cents    disputes opened in the week (the invoices' amounts)
    disputes_resolved, credited, upheld disputes closed in the week, and how
    resolution_days                     the mean days from opening to resolution
    disputes_open, open_age_days        disputes open at D and their mean age in days

Each row is a collector (the customer's, "" for none; `creditdash.collections.records`)
or a salesperson ("(none)" where missing); `totals` is the whole book.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from creditdash.collections import records
from creditdash.collections.promises import judge_promises
from creditdash.collections.worklist import CollectionsInputs
from creditdash.ledger import DateLike, Ledger

REVIEW_COLUMNS = ["group", "promises_made", "promised_cents", "kept", "kept_cents",
                  "partly_kept", "partly_kept_cents", "broken", "broken_cents",
                  "disputes_opened", "disputed_cents", "disputes_resolved", "credited", "upheld",
                  "resolution_days", "disputes_open", "open_age_days"]  # fmt: skip


@dataclass(frozen=True, eq=False)
class CollectionsReview:
    """The section: `by_collector` and `by_salesperson` (REVIEW_COLUMNS) and `totals`."""

    week_end: pd.Timestamp
    days: int
    by_collector: pd.DataFrame
    by_salesperson: pd.DataFrame
    totals: dict[str, float]


def collections_review(
    ledger: Ledger, inputs: CollectionsInputs, week_end: DateLike, days: int = 7
) -> CollectionsReview:
    """The week's promises and disputes (see the module docstring)."""
    end = pd.Timestamp(week_end).normalize()
    start = end - timedelta(days=days)
    grace = inputs.dunning.get("promise_grace_days", 3)
    judged = judge_promises(ledger, inputs.promises, end, grace)
    facts = pd.concat([_promise_facts(judged, start, end),
                       _dispute_facts(ledger, inputs.disputes, start, end)],
                      ignore_index=True)  # fmt: skip
    customers = ledger.customers.drop_duplicates("customer_id")[["customer_id", "salesperson"]]
    collector = records.collectors_of(customers, inputs.assignments)
    who = pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy(),
            "collector": collector.to_numpy(),
            "salesperson": customers["salesperson"].fillna("(none)").replace("", "(none)"),
        }
    ).set_index("customer_id")
    facts = facts.join(who, on="customer_id")
    facts["salesperson"] = facts["salesperson"].fillna("(none)")
    facts["collector"] = facts["collector"].fillna("")
    return CollectionsReview(
        week_end=end,
        days=days,
        by_collector=_table(facts, "collector"),
        by_salesperson=_table(facts, "salesperson"),
        totals=_sums(facts),
    )


def _promise_facts(judged: pd.DataFrame, start, end) -> pd.DataFrame:
    made = judged["made_on"].between(start, end, inclusive="right")
    kept = (judged["status"] == "kept") & judged["fulfilled_on"].between(
        start, end, inclusive="right"
    )
    # judged at `end`, a promise is pending through its deadline: it lapses in the week
    # whose [start, end) holds its deadline, so each deadline falls in exactly one week
    deadline = judged["deadline"]
    lapsed = (deadline >= start) & (deadline < end)
    amount = judged["amount_cents"].to_numpy(dtype=np.int64)
    frame = pd.DataFrame({"customer_id": judged["customer_id"].to_numpy()})
    frame["promises_made"] = made.to_numpy(dtype=np.int64)
    frame["promised_cents"] = np.where(made, amount, 0)
    frame["kept"] = kept.to_numpy(dtype=np.int64)
    frame["kept_cents"] = np.where(kept, amount, 0)
    for status in ("partly_kept", "broken"):
        hit = lapsed & (judged["status"] == status)
        frame[status] = hit.to_numpy(dtype=np.int64)
        frame[f"{status}_cents"] = np.where(hit, amount, 0)
    return frame


def _dispute_facts(ledger: Ledger, disputes: pd.DataFrame, start, end) -> pd.DataFrame:
    amounts = ledger.invoices.drop_duplicates("invoice_id").set_index("invoice_id")["amount_cents"]
    disputes = disputes.assign(
        opened_on=pd.to_datetime(disputes["opened_on"]),
        resolved_on=pd.to_datetime(disputes["resolved_on"]),
    )
    existing = disputes[disputes["opened_on"] <= end]
    opened = existing["opened_on"] > start
    resolved_on = existing["resolved_on"]
    closed = resolved_on.notna() & (resolved_on > start) & (resolved_on <= end)
    still = resolved_on.isna() | (resolved_on > end)
    frame = pd.DataFrame({"customer_id": existing["customer_id"].to_numpy()})
    frame["disputes_opened"] = opened.to_numpy(dtype=np.int64)
    invoice_amount = existing["invoice_id"].map(amounts).fillna(0).to_numpy(dtype=np.int64)
    frame["disputed_cents"] = np.where(opened, invoice_amount, 0)
    frame["disputes_resolved"] = closed.to_numpy(dtype=np.int64)
    frame["credited"] = (closed & (existing["resolution"] == "credit")).to_numpy(dtype=np.int64)
    frame["upheld"] = (closed & (existing["resolution"] == "upheld")).to_numpy(dtype=np.int64)
    took = (resolved_on - existing["opened_on"]).dt.days.to_numpy(dtype=np.float64)
    frame["resolution_days_sum"] = np.where(closed, took, 0.0)
    frame["disputes_open"] = still.to_numpy(dtype=np.int64)
    age = (end - existing["opened_on"]).dt.days.to_numpy(dtype=np.float64)
    frame["open_age_sum"] = np.where(still, age, 0.0)
    return frame


_COUNTS = [c for c in REVIEW_COLUMNS if c not in ("group", "resolution_days", "open_age_days")]


def with_amounts(table: pd.DataFrame) -> pd.DataFrame:
    """A REVIEW_COLUMNS table for showing: each `x_cents` column as `x_amount` in currency
    units (`kept` stays the count of kept promises, `kept_amount` is their amount)."""
    out = table.copy()
    for column in [c for c in out.columns if c.endswith("_cents")]:
        out[column] = pd.to_numeric(out[column]) / 100
    return out.rename(columns={c: c.removesuffix("_cents") + "_amount" for c in out.columns
                               if c.endswith("_cents")})  # fmt: skip


def _table(facts: pd.DataFrame, by: str) -> pd.DataFrame:
    if facts.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in REVIEW_COLUMNS})
    summed = (
        facts.fillna(0)
        .groupby(by, sort=True)[[*_COUNTS, "resolution_days_sum", "open_age_sum"]]
        .sum()
    )
    out = summed.reset_index().rename(columns={by: "group"})
    for column in _COUNTS:
        out[column] = out[column].astype(np.int64)
    return _means(out)[REVIEW_COLUMNS]


def _means(frame: pd.DataFrame) -> pd.DataFrame:
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["resolution_days"] = np.where(
            frame["disputes_resolved"] > 0,
            frame["resolution_days_sum"] / frame["disputes_resolved"].clip(lower=1),
            np.nan,
        )
        frame["open_age_days"] = np.where(
            frame["disputes_open"] > 0,
            frame["open_age_sum"] / frame["disputes_open"].clip(lower=1),
            np.nan,
        )
    return frame


def _sums(facts: pd.DataFrame) -> dict[str, float]:
    if facts.empty:
        return {c: 0 for c in _COUNTS} | {"resolution_days": np.nan, "open_age_days": np.nan}
    total = facts.fillna(0)[[*_COUNTS, "resolution_days_sum", "open_age_sum"]].sum().to_frame().T
    row = _means(total).iloc[0]
    return {c: (int(row[c]) if c in _COUNTS else float(row[c])) for c in REVIEW_COLUMNS[1:]}
