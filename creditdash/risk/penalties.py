"""Penalties and rewards of the credit policy per customer at an as-of date D.

Money in int64 cents, every figure rounded half up to the cent. Only
invoices and payments dated <= D count (as everywhere in `creditdash.risk`).

late_interest_cents    contractual late interest accrued at D on the open,
                       undisputed invoices past due: simple interest
                       outstanding x `late_interest_pct_year`% x dpd / 365,
                       summed per customer, then rounded (a disputed item
                       accrues nothing while the dispute lasts)
late_fees_cents        `late_fee` (currency units) per such invoice (the
                       features' `overdue_items`)
discount_earned_cents  early-payment discount earned in the last 12 months:
                       `early_discount_pct`% of every payment dated in
                       (D-365, D] that came within `early_discount_days` of
                       its invoice's date
discount_open_cents    the discount still to be had: `early_discount_pct`% of
                       the outstanding of open invoices whose window is open at
                       D (D - invoice date <= `early_discount_days`)
clean_record           `rules.clean_record` with the tenure of the policy's
                       clean_record rule (12 months without one)
limit_increase_cents   for a clean record with a credit limit: the limit x
                       `limit_increase_pct`%, else 0

Example (6% a year): 100,000.00 outstanding 30 days past due accrues
100,000.00 x 6% x 30 / 365 = 493.15.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from creditdash.ledger import DateLike, Ledger, day_number, ledger_arrays
from creditdash.risk.features import YEAR_DAYS, features_at
from creditdash.risk.policy import penalty_settings
from creditdash.risk.rules import clean_record, clean_record_months

PENALTY_COLUMNS = [
    "customer_id",
    "late_interest_cents",
    "late_fees_cents",
    "discount_earned_cents",
    "discount_open_cents",
]
REWARD_COLUMNS = ["clean_record", "limit_increase_cents"]


def half_up(values: np.ndarray) -> np.ndarray:
    """Cents rounded half up (after dropping float noise below a millionth of a cent)."""
    return np.floor(np.round(np.asarray(values, dtype=np.float64), 6) + 0.5).astype(np.int64)


def penalties_at(
    ledger: Ledger, as_of: DateLike, policy: Mapping, features: pd.DataFrame | None = None
) -> pd.DataFrame:
    """PENALTY_COLUMNS (see the module docstring) for each row of `features`
    (`features_at(ledger, as_of)`, computed when not given), same index.

    Late interest and fees come from the features' cent-days and overdue items; the
    discounts read only the invoices and payments of the last year (date-sorted suffixes of
    `ledger_arrays`), so this adds little to the features' own pass.
    """
    if features is None:
        features = features_at(ledger, as_of)
    terms = penalty_settings(policy)
    rate, discount = terms["late_interest_pct_year"] / 100, terms["early_discount_pct"] / 100
    cent_days = features["late_interest_days_cents"].to_numpy(dtype=np.float64)
    items = features["overdue_items"].to_numpy(dtype=np.float64)
    earned, still_open = _discount_bases(ledger, day_number(as_of), terms["early_discount_days"])
    codes = pd.Index(ledger_arrays(ledger).customers["customer_id"])
    rows = codes.get_indexer(features["customer_id"])
    return pd.DataFrame(
        {
            "customer_id": features["customer_id"].to_numpy(),
            "late_interest_cents": half_up(cent_days * rate / 365),
            "late_fees_cents": half_up(items * terms["late_fee"] * 100),
            "discount_earned_cents": half_up(earned[rows] * discount),
            "discount_open_cents": half_up(still_open[rows] * discount),
        },
        index=features.index,
    )


def _discount_bases(ledger: Ledger, day: int, days: float) -> tuple[np.ndarray, np.ndarray]:
    """Per customer code: payments in (D-365, D] made within `days` of their invoice's date,
    and the outstanding of open invoices dated in [D-days, D] (cents, float)."""
    arrays = ledger_arrays(ledger)
    k = len(arrays.customers)
    n, m = arrays.invoices_until(day), arrays.payments_until(day)
    year = arrays.payments_until(day - YEAR_DAYS)
    target = arrays.payment_invoice[year:m]
    amount = arrays.payment_amount[year:m].astype(np.float64)
    applied = (target.view(np.uintp) < n) & (amount > 0)
    invoice = target[applied]
    prompt = arrays.payment_day[year:m][applied] - arrays.invoice_day[invoice] <= days
    prompt &= arrays.invoice_amount[invoice] > 0
    customer = arrays.invoice_customer[invoice[prompt]]
    earned = np.bincount(customer, weights=amount[applied][prompt], minlength=k)[:k]

    # the invoices still inside the window: a date-sorted suffix
    first = arrays.invoices_until(day - int(np.floor(days)) - 1)
    target = arrays.payment_invoice[:m]
    mine = (target.view(np.uintp) < n) & (target >= first)
    paid = np.bincount(
        target[mine] - first, weights=arrays.payment_amount[:m][mine], minlength=n - first
    )[: n - first]
    outstanding = arrays.invoice_amount[first:n] - paid
    is_open = (outstanding > 0) & (arrays.invoice_amount[first:n] > 0)
    still_open = np.bincount(
        arrays.invoice_customer[first:n][is_open], weights=outstanding[is_open], minlength=k
    )[:k]
    return earned, still_open


def limit_rewards(table: pd.DataFrame, policy: Mapping) -> pd.DataFrame:
    """REWARD_COLUMNS for each row of a risk table (same index): whether the customer has a
    clean record and the limit increase it earns."""
    clean = clean_record(table, clean_record_months(policy))
    limit = table["credit_limit_cents"].astype("float64").to_numpy(na_value=np.nan)
    pct = penalty_settings(policy)["limit_increase_pct"] / 100
    earned = clean & ~np.isnan(limit)
    increase = np.where(earned, half_up(np.nan_to_num(limit) * pct), 0)
    return pd.DataFrame(
        {"clean_record": clean, "limit_increase_cents": increase.astype(np.int64)},
        index=table.index,
    )
