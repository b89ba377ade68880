"""Behaviour features per customer at an as-of date D, using nothing dated after D.

Only invoices dated <= D and payments dated <= D are read (prefixes of the
date-sorted `ledger_arrays`), and third-party reports dated <= D, so the
features at a past D are what a credit manager could have known then. The
customer master's credit limit and terms are the one exception: they are
read as they are now (the ledger keeps no history of them).

Definitions (money in cents; "lateness" of a payment = payment date - due
date of its invoice, in days, early is negative):

days_late_recent   amount-weighted mean lateness of payments dated in
                   (D-180, D], together with every open overdue undisputed
                   invoice counted as late by its dpd (weight: its
                   outstanding), so a customer who stops paying does not
                   look punctual
days_late_older    the same over payments dated in (D-545, D-180]
days_late_trend    days_late_recent - days_late_older (0 when either is missing)
share_paid_late    (paid late in (D-365, D] + open overdue undisputed) /
                   (paid in (D-365, D] + open overdue undisputed)
worst_dpd_open     largest dpd of an open undisputed invoice (outstanding > 0),
                   0 if none (disputes count in disputed_share instead)
worst_days_late_12m largest lateness of a payment dated in (D-365, D]
exposure_cents     total AR of the customer at D (open invoices + unapplied cash)
overdue_cents      outstanding of open invoices with dpd > 0
overdue_share      overdue_cents / exposure_cents (0 when exposure <= 0)
utilisation        exposure / credit limit (NaN without a limit)
disputed_share     disputed open outstanding / open outstanding
tenure_days        D - the customer's first invoice date
concentration      exposure / total positive exposure of the book
sales_12m_cents    invoiced in (D-365, D] (credit notes net off)
bureau_*           the latest third-party report dated <= D (score 0-100,
                   rating, recommended/insured limit, pd, legal events)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditdash.ledger import DateLike, Ledger, LedgerArrays, day_number, ledger_arrays

RECENT_DAYS = 180
OLDER_DAYS = 365
YEAR_DAYS = 365
_DISPUTED_KEY = "risk_disputed"
FEATURE_COLUMNS = [
    "customer_id",
    "customer_name",
    "credit_limit_cents",
    "payment_terms_days",
    "exposure_cents",
    "overdue_cents",
    "sales_12m_cents",
    "invoices_12m",
    "days_late_recent",
    "days_late_older",
    "days_late_trend",
    "share_paid_late",
    "worst_dpd_open",
    "worst_days_late_12m",
    "overdue_share",
    "utilisation",
    "disputed_share",
    "tenure_days",
    "concentration",
    "late_interest_days_cents",
    "overdue_items",
    "bureau_score",
    "bureau_rating",
    "bureau_recommended_limit_cents",
    "bureau_insured_limit_cents",
    "bureau_net_worth_cents",
    "bureau_working_capital_cents",
    "bureau_pd",
    "legal_events",
    "bureau_report_date",
    "bureau_provider",
]


def features_at(
    ledger: Ledger, as_of: DateLike, bureau: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per customer with an invoice dated <= as_of (FEATURE_COLUMNS), RangeIndex.

    `bureau` is the stored reports frame (`creditdash.risk.bureau.read_reports`);
    only reports dated <= as_of are used. `late_interest_days_cents` is
    sum(outstanding x dpd) over the open undisputed items past due (cent-days) and
    `overdue_items` their number, for penalties (`creditdash.risk.penalties`).
    """
    arrays = ledger_arrays(ledger)
    day = day_number(as_of)
    k = len(arrays.customers)
    n = arrays.invoices_until(day)
    m = arrays.payments_until(day)
    out = _ledger_features(arrays, disputed_sorted(ledger)[:n], day, n, m, k)
    active = out.pop("_invoices") > 0
    frame = _frame(arrays, ledger, out)[active].reset_index(drop=True)
    return _with_bureau(frame, bureau, day)


def _sum(codes: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(codes, weights=weights, minlength=k)[:k]


def _ledger_features(
    arrays: LedgerArrays, disputed: np.ndarray, day: int, n: int, m: int, k: int
) -> dict:
    inv_cust = arrays.invoice_customer[:n]
    amount = arrays.invoice_amount[:n].astype(np.float64)
    due = arrays.due_day[:n]
    target = arrays.payment_invoice[:m]
    pay_amount = arrays.payment_amount[:m].astype(np.float64)
    pay_day = arrays.payment_day[:m]
    applied = target.view(np.uintp) < n  # -1 (unapplied) wraps to the largest value
    paid = np.bincount(target[applied], weights=pay_amount[applied], minlength=n)[:n]
    outstanding = amount - paid
    dpd = day - due
    is_open = (outstanding > 0) & (amount > 0)
    overdue_open = is_open & (dpd > 0)
    # a disputed item is a quarrel about the goods, not the customer's ability to pay:
    # it counts in exposure and disputed_share, not in lateness
    late_open = overdue_open & ~disputed

    unapplied = _sum(arrays.payment_customer[:m][~applied], pay_amount[~applied], k)
    exposure = _sum(inv_cust, outstanding, k) - unapplied
    overdue = _sum(inv_cust[overdue_open], outstanding[overdue_open], k)
    open_total = _sum(inv_cust[is_open], outstanding[is_open], k)
    disputed_open = _sum(inv_cust[is_open & disputed], outstanding[is_open & disputed], k)

    worst_open = np.zeros(k)
    np.maximum.at(worst_open, inv_cust[late_open], dpd[late_open])
    recent_inv = arrays.invoice_day[:n] > day - YEAR_DAYS
    sales = _sum(inv_cust[recent_inv], amount[recent_inv], k)
    n_recent = np.bincount(inv_cust[recent_inv], minlength=k)[:k]
    first_day = np.full(k, np.iinfo(np.int64).max)
    np.minimum.at(first_day, inv_cust, arrays.invoice_day[:n])
    n_invoices = np.bincount(inv_cust, minlength=k)[:k]

    # payments against positive invoices that exist at D: their lateness
    on_invoice = applied & (pay_amount > 0)
    on_invoice[applied] &= amount[target[applied]] > 0
    p_target = target[on_invoice]
    p_cust = inv_cust[p_target]
    p_amount = pay_amount[on_invoice]
    p_day = pay_day[on_invoice]
    late = (p_day - due[p_target]).astype(np.float64)
    open_late = dpd[late_open].astype(np.float64)
    open_cust = inv_cust[late_open]
    open_weight = outstanding[late_open]

    recent = p_day > day - RECENT_DAYS
    older = (p_day <= day - RECENT_DAYS) & (p_day > day - RECENT_DAYS - OLDER_DAYS)
    w_recent = _sum(p_cust[recent], p_amount[recent], k) + _sum(open_cust, open_weight, k)
    lw_recent = _sum(p_cust[recent], p_amount[recent] * late[recent], k) + _sum(
        open_cust, open_weight * open_late, k
    )
    w_older = _sum(p_cust[older], p_amount[older], k)
    lw_older = _sum(p_cust[older], p_amount[older] * late[older], k)
    year = p_day > day - YEAR_DAYS
    paid_year = _sum(p_cust[year], p_amount[year], k)
    paid_late_year = _sum(p_cust[year & (late > 0)], p_amount[year & (late > 0)], k)
    worst_late = np.full(k, np.nan)
    np.fmax.at(worst_late, p_cust[year], late[year])

    with np.errstate(invalid="ignore", divide="ignore"):
        recent_mean = np.where(w_recent > 0, lw_recent / w_recent, np.nan)
        older_mean = np.where(w_older > 0, lw_older / w_older, np.nan)
        late_overdue = _sum(open_cust, open_weight, k)
        base = paid_year + late_overdue
        share_late = np.where(base > 0, (paid_late_year + late_overdue) / base, np.nan)
        overdue_share = np.where(exposure > 0, overdue / np.where(exposure > 0, exposure, 1), 0.0)
        disputed_share = np.where(open_total > 0, disputed_open / open_total, 0.0)
    total_positive = exposure[exposure > 0].sum()
    trend = np.where(np.isnan(recent_mean) | np.isnan(older_mean), 0.0, recent_mean - older_mean)
    return {
        "_invoices": n_invoices,
        "exposure_cents": np.rint(exposure).astype(np.int64),
        "overdue_cents": np.rint(overdue).astype(np.int64),
        "sales_12m_cents": np.rint(sales).astype(np.int64),
        "invoices_12m": n_recent.astype(np.int64),
        "days_late_recent": recent_mean,
        "days_late_older": older_mean,
        "days_late_trend": trend,
        "share_paid_late": share_late,
        "worst_dpd_open": worst_open.astype(np.int64),
        "worst_days_late_12m": worst_late,
        "overdue_share": overdue_share,
        "disputed_share": disputed_share,
        "tenure_days": np.where(n_invoices > 0, day - first_day, 0).astype(np.int64),
        "concentration": np.clip(exposure, 0, None) / total_positive
        if total_positive > 0
        else np.zeros(k),
        "late_interest_days_cents": _sum(open_cust, open_weight * open_late, k),
        "overdue_items": np.bincount(open_cust, minlength=k)[:k].astype(np.int64),
    }


def disputed_sorted(ledger: Ledger) -> np.ndarray:
    """The disputed flag per date-sorted invoice (as `ledger_arrays`), cached on the ledger."""
    flags = ledger._cache.get(_DISPUTED_KEY)
    if flags is None:
        order = ledger_arrays(ledger).invoice_order
        flags = ledger.invoices["disputed"].to_numpy(dtype=bool)[order]
        ledger._cache[_DISPUTED_KEY] = flags
    return flags


def _frame(arrays: LedgerArrays, ledger: Ledger, out: dict) -> pd.DataFrame:
    keys = arrays.customers
    master = ledger.customers.drop_duplicates("customer_id").set_index("customer_id")
    limits = master["credit_limit_cents"].reindex(keys["customer_id"]).to_numpy()
    terms = master["payment_terms_days"].reindex(keys["customer_id"]).to_numpy()
    frame = pd.DataFrame(
        {
            "customer_id": keys["customer_id"].to_numpy(),
            "customer_name": keys["customer_name"].to_numpy(),
            "credit_limit_cents": pd.array(limits, dtype="Int64"),
            "payment_terms_days": pd.array(terms, dtype="Int64"),
            **out,
        }
    )
    limit = frame["credit_limit_cents"].astype("float64").to_numpy(na_value=np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["utilisation"] = np.where(
            limit > 0, frame["exposure_cents"].to_numpy() / limit, np.nan
        )
    return frame


BUREAU_COLUMNS = {
    "score_normalised": "bureau_score",
    "rating": "bureau_rating",
    "recommended_limit_cents": "bureau_recommended_limit_cents",
    "insured_limit_cents": "bureau_insured_limit_cents",
    "net_worth_cents": "bureau_net_worth_cents",
    "working_capital_cents": "bureau_working_capital_cents",
    "pd": "bureau_pd",
    "legal_events": "legal_events",
    "report_date": "bureau_report_date",
    "provider": "bureau_provider",
}


def latest_reports(bureau: pd.DataFrame | None, day: int) -> pd.DataFrame:
    """Per customer the newest report dated <= day (any provider), or an empty frame."""
    if bureau is None or bureau.empty:
        return pd.DataFrame(columns=["customer_id", *BUREAU_COLUMNS])
    cutoff = np.datetime64(int(day), "D")
    known = bureau[bureau["report_date"].to_numpy().astype("datetime64[D]") <= cutoff]
    known = known.sort_values(["customer_id", "report_date", "imported_at"], kind="stable")
    return known.drop_duplicates("customer_id", keep="last")


def _with_bureau(frame: pd.DataFrame, bureau: pd.DataFrame | None, day: int) -> pd.DataFrame:
    latest = latest_reports(bureau, day)
    picked = latest[["customer_id", *BUREAU_COLUMNS]].rename(columns=BUREAU_COLUMNS)
    merged = frame.merge(picked, on="customer_id", how="left")
    for col in ("bureau_score", "bureau_pd", "legal_events"):
        merged[col] = pd.to_numeric(merged[col], errors="coerce").astype("float64")
    for col in (
        "bureau_recommended_limit_cents",
        "bureau_insured_limit_cents",
        "bureau_net_worth_cents",
        "bureau_working_capital_cents",
    ):
        merged[col] = pd.to_numeric(merged[col], errors="coerce").astype("Int64")
    merged["bureau_report_date"] = pd.to_datetime(merged["bureau_report_date"]).astype(
        "datetime64[us]"
    )
    merged["bureau_rating"] = merged["bureau_rating"].astype("str")
    merged["bureau_provider"] = merged["bureau_provider"].astype("str")
    return merged[FEATURE_COLUMNS]
