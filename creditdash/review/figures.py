"""The figures of one week, as a JSON-ready document (what a review snapshot stores).

`week_figures(ledger, as_of)` returns a dict of plain JSON types (money in
int cents, dates as ISO strings), so that it can be stored, read back and
compared exactly:

    schema, as_of, window_days, currency
    kpis            creditdash.kpis.kpis at as_of
    aging           {"labels": [...], "cents": {label: int}, "unapplied": int, "total": int}
    receipts_cents  cash received in the 7 days up to as_of (every payment, applied or not)
    customers       one record per customer with a balance: customer_id, customer_name,
                    salesperson, region, total, current, overdue, over_90 (cents),
                    max_dpd (oldest open item's days past due), credit_limit (cents or None)
    alerts          ledger rules, one record per (rule, customer): key, rule, customer_id,
                    customer_name, amount (cents), detail (an i18n.Text's dict form)
    chronic_late    "current but chronically late" customers (see `chronic_late`)
    concentration   {"top10_pct": float | None, "top": [{customer_id, customer_name,
                    total, share_pct}]}
    scorecards      {"salesperson": [rows], "region": [rows]} (creditdash.review.scorecards)
    sections        risk, forecast and provision sections (creditdash.review.sections),
                    graded with `risk` (the policy in force, reports, approved limits)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.aging import aging, bucket_labels, open_items
from creditdash.i18n import Text
from creditdash.kpis import kpis
from creditdash.ledger import DateLike, Ledger, day_number, day_to_timestamp, ledger_arrays
from creditdash.review.scorecards import SCORECARD_GROUPS, scorecards
from creditdash.review.sections import domain_sections
from creditdash.risk.in_force import RiskInputs

SCHEMA_VERSION = 1
EDGES = (30, 60, 90, 180, 365)
LABELS = bucket_labels(EDGES, "due")
TOP_N = 10
# Chronic late: over the last year, at least this many paid invoices, this share of the
# amount paid after its due date and this mean delay, while no open item is over 30 dpd.
CHRONIC_MIN_INVOICES = 4
CHRONIC_MIN_LATE_SHARE = 60.0
CHRONIC_MIN_DAYS_LATE = 5.0
ALERT_DPD = 90

alert_rules: dict[str, str] = {
    "over_limit": "Total AR above the customer's credit limit.",
    "over_90": f"An open invoice more than {ALERT_DPD} days past due.",
    "disputed": "An open invoice marked as disputed.",
}


def week_figures(
    ledger: Ledger,
    as_of: DateLike,
    window_days: int = 90,
    *,
    optional: bool = True,
    risk: RiskInputs | None = None,
) -> dict:
    """Every figure of the week ending at as_of (the module docstring lists the keys).

    `risk` is what the grades and the watchlist read (`risk_inputs(engine)`: the policy
    in force); None grades with the default policy, as a book without a store would.
    """
    day = day_number(as_of)
    when = day_to_timestamp(day)
    totals = aging(ledger, when, edges=EDGES, by="none").iloc[0]
    customers = customer_balances(ledger, when)
    figures = {
        "schema": SCHEMA_VERSION,
        "as_of": when.date().isoformat(),
        "window_days": int(window_days),
        "currency": ledger.currency,
        "kpis": kpis(ledger, when, window_days=window_days).as_dict(),
        "aging": {
            "labels": LABELS,
            "cents": {label: int(totals[label]) for label in LABELS},
            "unapplied": int(totals["unapplied"]),
            "total": int(totals["total"]),
        },
        "receipts_cents": receipts(ledger, day - 7, day),
        "customers": _records(customers),
        "alerts": _records(alerts(ledger, when, customers)),
        "chronic_late": _records(chronic_late(ledger, when, customers)),
        "concentration": concentration(customers),
        "scorecards": {
            by: _records(scorecards(ledger, when, by, window_days)) for by in SCORECARD_GROUPS
        },
        "sections": {},
    }
    if optional:
        figures["sections"] = domain_sections(ledger, when, risk)
    return figures


def customer_balances(ledger: Ledger, as_of: DateLike) -> pd.DataFrame:
    """One row per customer with a balance at as_of, largest total first.

    Columns: customer_id, customer_name, salesperson, region, total, current,
    overdue, over_90 (int cents), max_dpd (int, 0 when nothing is overdue),
    credit_limit (cents, <NA> when unknown).
    """
    table = aging(ledger, as_of, edges=EDGES, by="customer")
    table = table.loc[table["total"] != 0].reset_index(drop=True)
    arrays = ledger_arrays(ledger)
    attributes = arrays.attributes.set_index(arrays.customers["customer_id"].to_numpy())
    limits = ledger.customers.drop_duplicates("customer_id").set_index("customer_id")[
        "credit_limit_cents"
    ]
    items = open_items(ledger, as_of, edges=EDGES)
    max_dpd = items.loc[items["outstanding_cents"] > 0].groupby("customer_id")["dpd"].max()
    return pd.DataFrame(
        {
            "customer_id": table["customer_id"].astype("str"),
            "customer_name": table["customer_name"].fillna(table["customer_id"]).astype("str"),
            "salesperson": table["customer_id"].map(attributes["salesperson"]).astype("str"),
            "region": table["customer_id"].map(attributes["region"]).astype("str"),
            "total": table["total"].astype(np.int64),
            "current": table["current"].astype(np.int64),
            "overdue": table[LABELS[1:]].sum(axis=1).astype(np.int64),
            "over_90": table[LABELS[4:]].sum(axis=1).astype(np.int64),
            "max_dpd": table["customer_id"].map(max_dpd).fillna(0).clip(lower=0).astype(np.int64),
            "credit_limit": table["customer_id"].map(limits).astype("Int64"),
        }
    )


def receipts(ledger: Ledger, after_day: int, until_day: int) -> int:
    """Cash received in (after_day, until_day], in cents: every payment, applied or not."""
    arrays = ledger_arrays(ledger)
    lo, hi = arrays.payments_until(after_day), arrays.payments_until(until_day)
    return int(arrays.payment_amount[lo:hi].sum())


def alerts(ledger: Ledger, as_of: DateLike, customers: pd.DataFrame) -> pd.DataFrame:
    """The ledger's alert rules at as_of: one row per (rule, customer), largest amount first.

    Columns: key ("rule:customer_id"), rule, customer_id, customer_name,
    amount (cents: the exposure the rule is about), detail (an `i18n.Text`).
    """
    rows = []
    limit = customers["credit_limit"]
    over = customers.loc[limit.notna() & (customers["total"] > limit.fillna(0))]
    for r in over.itertuples():
        rows.append(
            ("over_limit", r.customer_id, r.customer_name, int(r.total - r.credit_limit),
             Text("review.detail.over_limit", {"ar": f"{r.total / 100:,.2f}",
                                               "limit": f"{r.credit_limit / 100:,.2f}"}))
        )  # fmt: skip
    for r in customers.loc[customers["max_dpd"] > ALERT_DPD].itertuples():
        rows.append(
            ("over_90", r.customer_id, r.customer_name, int(r.over_90),
             Text("review.detail.over_90", {"days": int(r.max_dpd)}))
        )  # fmt: skip
    items = open_items(ledger, as_of, edges=EDGES)
    disputed = (  # a customer without a name counts too (dropna=False)
        items.loc[items["disputed"] & (items["outstanding_cents"] > 0)]
        .groupby(["customer_id", "customer_name"], dropna=False)["outstanding_cents"]
        .agg(["sum", "count"])
        .reset_index()
    )
    for r in disputed.itertuples():
        rows.append(
            ("disputed", r.customer_id, r.customer_name, int(r.sum),
             Text("review.detail.disputed", {"n": int(r.count)}))
        )  # fmt: skip
    frame = pd.DataFrame(rows, columns=["rule", "customer_id", "customer_name", "amount", "detail"])
    frame.insert(0, "key", frame["rule"] + ":" + frame["customer_id"])
    frame["amount"] = frame["amount"].astype(np.int64)
    return frame.sort_values("amount", ascending=False, kind="stable").reset_index(drop=True)


def chronic_late(ledger: Ledger, as_of: DateLike, customers: pd.DataFrame) -> pd.DataFrame:
    """Customers whose aging looks clean but who habitually pay late.

    Over payments applied in the 365 days up to as_of: at least
    CHRONIC_MIN_INVOICES invoices paid, at least CHRONIC_MIN_LATE_SHARE % of
    the amount paid after its due date, an amount-weighted mean delay of at
    least CHRONIC_MIN_DAYS_LATE days; and today no open item more than 30
    days past due. Columns: customer_id, customer_name, salesperson, total,
    current (cents), late_share_pct, avg_days_late, invoices_paid; largest
    total first.
    """
    arrays = ledger_arrays(ledger)
    day = day_number(as_of)
    lo, hi = arrays.payments_until(day - 365), arrays.payments_until(day)
    target = arrays.payment_invoice[lo:hi]
    applied = target.view(np.uintp) < arrays.invoices_until(day)
    invoice = target[applied]
    amount = arrays.payment_amount[lo:hi][applied].astype(float)
    keep = amount > 0
    invoice, amount = invoice[keep], amount[keep]
    late_days = (arrays.payment_day[lo:hi][applied][keep] - arrays.due_day[invoice]).astype(float)
    code = arrays.invoice_customer[invoice]
    size = len(arrays.customers)
    paid = np.bincount(code, weights=amount, minlength=size)
    late_paid = np.bincount(code, weights=np.where(late_days > 0, amount, 0.0), minlength=size)
    weighted = np.bincount(code, weights=amount * late_days, minlength=size)
    invoices_paid = np.bincount(code[np.unique(invoice, return_index=True)[1]], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        stats = pd.DataFrame(
            {
                "customer_id": arrays.customers["customer_id"].to_numpy(),
                "late_share_pct": np.round(late_paid / paid * 100, 1),
                "avg_days_late": np.round(weighted / paid, 1),
                "invoices_paid": invoices_paid,
            }
        )
    chosen = stats.loc[
        (stats["invoices_paid"] >= CHRONIC_MIN_INVOICES)
        & (stats["late_share_pct"] >= CHRONIC_MIN_LATE_SHARE)
        & (stats["avg_days_late"] >= CHRONIC_MIN_DAYS_LATE)
    ]
    clean = customers.loc[(customers["max_dpd"] <= 30) & (customers["total"] > 0)]
    out = clean[["customer_id", "customer_name", "salesperson", "total", "current"]].merge(
        chosen, on="customer_id"
    )
    return out.sort_values("total", ascending=False, kind="stable").reset_index(drop=True)


def concentration(customers: pd.DataFrame, n: int = TOP_N) -> dict:
    """Share of total AR held by the n largest balances (customers with a positive total)."""
    positive = customers.loc[customers["total"] > 0].nlargest(n, "total")
    total = int(customers["total"].sum())
    top = [
        {
            "customer_id": r.customer_id,
            "customer_name": r.customer_name,
            "total": int(r.total),
            "share_pct": round(r.total / total * 100, 2) if total > 0 else None,
        }
        for r in positive.itertuples()
    ]
    share = round(int(positive["total"].sum()) / total * 100, 2) if total > 0 else None
    return {"top10_pct": share, "top": top}


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain JSON types (NA -> None, numpy scalars -> Python)."""
    out = []
    for row in frame.to_dict("records"):
        out.append({k: _plain(v) for k, v in row.items()})
    return out


def _plain(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.integer | np.bool_ | np.floating):
        return _plain(value.item())
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, Text):
        return value.as_dict()
    return value
