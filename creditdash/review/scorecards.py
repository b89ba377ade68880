"""Collection scorecards by salesperson or region: who collects, who does not.

One row per group at an as-of date D over the window (D - P, D]:

    group           the salesperson or region ("(none)" where missing)
    customers       customers with a balance at D
    ar_cents        total AR at D (net of unapplied cash)
    overdue_cents   AR past its due date at D
    overdue_pct     overdue_cents / ar_cents x 100
    sales_cents     credit sales in the window (credit notes net off)
    dso             simple DSO = AR / window sales x P
    cei             collection effectiveness index (metrics.md) on the group's own figures
    write_offs_cents  credit notes (negative invoices) dated in the window, as a positive
                    amount: the ledger records write-offs, returns and settlements
                    of disputes as credit notes
    rank            1 = best: by CEI (higher is better), then overdue share (lower is better)

Money in int64 cents. Rows with nothing at D and nothing in the window are dropped.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import numpy as np
import pandas as pd

from creditdash.aging import GroupBy, aging, bucket_labels
from creditdash.errors import InvalidArgument
from creditdash.kpis import cei, dso_simple, overdue_pct
from creditdash.ledger import DateLike, Ledger, day_number, day_to_timestamp, ledger_arrays

SCORECARD_GROUPS = ("salesperson", "region")
SCORECARD_COLUMNS = [
    "rank",
    "group",
    "customers",
    "ar_cents",
    "overdue_cents",
    "overdue_pct",
    "sales_cents",
    "dso",
    "cei",
    "write_offs_cents",
]
_EDGES = (30, 60, 90, 180, 365)

scorecard_definitions: dict[str, str] = {
    "ar": "Total AR of the group's customers at the as-of date, net of unapplied cash.",
    "overdue_pct": "Overdue share = AR past its due date / total AR x 100.",
    "dso": "Simple DSO = total AR / credit sales in the window x window days.",
    "cei": "Collection effectiveness index = (B + S/N - E) / (B + S/N - Ec) x 100 on the group's own "
    "AR at the window's start (B), window sales (S), AR now (E) and current AR now (Ec).",
    "write_offs": "Credit notes (negative invoices) dated in the window: write-offs, returns "
    "and dispute settlements, as the ledger records them.",
    "rank": "1 = best collector: highest CEI, then lowest overdue share.",
}


def scorecards(
    ledger: Ledger, as_of: DateLike, by: str = "salesperson", window_days: int = 90
) -> pd.DataFrame:
    """The scorecard of every salesperson or region at as_of (see the module docstring)."""
    if by not in SCORECARD_GROUPS:
        raise InvalidArgument.coded(
            "error.choice", "`{name}` must be one of {options}. Got {value!r}.",
            name="by", options="'salesperson', 'region'", value=by,
        )  # fmt: skip
    group = cast(GroupBy, by)  # salesperson or region, checked above
    day = day_number(as_of)
    window = int(window_days)
    now = _balances(ledger, day, group)
    start = _balances(ledger, day - window, group)
    arrays = ledger_arrays(ledger)
    codes = arrays.group_codes(by)
    size = len(codes.labels)
    lo, hi = arrays.invoices_until(day - window), arrays.invoices_until(day)
    amounts = arrays.invoice_amount[lo:hi]
    group_of = codes.invoice_codes[lo:hi]
    sales = np.bincount(group_of, weights=amounts.astype(float), minlength=size)
    credits = np.bincount(group_of, weights=np.where(amounts < 0, -amounts, 0.0), minlength=size)
    frame = pd.DataFrame(
        {
            "group": codes.labels[by].astype("str"),
            "sales_cents": np.round(sales).astype(np.int64),
            "write_offs_cents": np.round(credits).astype(np.int64),
        }
    )
    frame = frame.merge(now, on="group", how="left").merge(
        start.rename(columns={"ar_cents": "start_cents"})[["group", "start_cents"]],
        on="group",
        how="left",
    )
    for column in ("ar_cents", "current_cents", "overdue_cents", "start_cents", "customers"):
        frame[column] = frame[column].fillna(0).astype(np.int64)
    keep = (frame[["ar_cents", "overdue_cents", "sales_cents", "start_cents"]] != 0).any(axis=1)
    frame = frame.loc[keep].reset_index(drop=True)
    frame["overdue_pct"] = [
        _round(overdue_pct(o, t))
        for o, t in zip(frame["overdue_cents"], frame["ar_cents"], strict=True)
    ]
    frame["dso"] = [
        _round(dso_simple(a, s, window))
        for a, s in zip(frame["ar_cents"], frame["sales_cents"], strict=True)
    ]
    frame["cei"] = [
        _round(cei(b, s, e, c, window / 30))
        for b, s, e, c in zip(
            frame["start_cents"],
            frame["sales_cents"],
            frame["ar_cents"],
            frame["current_cents"],
            strict=True,
        )
    ]
    return _ranked(frame)[SCORECARD_COLUMNS]


def scorecard_history(
    ledger: Ledger, as_of: DateLike, by: str = "salesperson", weeks: int = 8, window_days: int = 90
) -> pd.DataFrame:
    """Scorecards at as_of and the `weeks - 1` weeks before, recomputed from the ledger.

    Long frame: week_ending (datetime64) plus SCORECARD_COLUMNS, oldest week first.
    """
    end = day_to_timestamp(day_number(as_of))
    frames = []
    for k in range(weeks - 1, -1, -1):
        week = end - timedelta(days=7 * k)
        frames.append(scorecards(ledger, week, by, window_days).assign(week_ending=week))
    return pd.concat(frames, ignore_index=True)


def _balances(ledger: Ledger, day: int, by: GroupBy) -> pd.DataFrame:
    """group, ar_cents, current_cents, overdue_cents, customers (with a balance) at day."""
    labels = bucket_labels(_EDGES, "due")
    when = day_to_timestamp(day)
    table = aging(ledger, when, by=by, edges=_EDGES)
    by_customer = aging(ledger, when, by="customer", edges=_EDGES)
    arrays = ledger_arrays(ledger)
    attribute = pd.Series(
        arrays.attributes[by].to_numpy(), index=arrays.customers["customer_id"].to_numpy()
    )
    counts = (
        by_customer.loc[by_customer["total"] != 0, "customer_id"]
        .map(attribute)
        .value_counts()
        .rename("customers")
    )
    out = pd.DataFrame(
        {
            "group": table[by].astype("str"),
            "ar_cents": table["total"].astype(np.int64),
            "current_cents": table["current"].astype(np.int64),
            "overdue_cents": table[labels[1:]].sum(axis=1).astype(np.int64),
        }
    )
    return out.merge(counts, left_on="group", right_index=True, how="left")


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    order = frame.assign(
        _cei=frame["cei"].astype(float).fillna(-np.inf),
        _over=frame["overdue_pct"].astype(float).fillna(np.inf),
    ).sort_values(["_cei", "_over", "group"], ascending=[False, True, True], kind="stable")
    order = order.drop(columns=["_cei", "_over"]).reset_index(drop=True)
    order.insert(0, "rank", np.arange(1, len(order) + 1))
    return order


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
