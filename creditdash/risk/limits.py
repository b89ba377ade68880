"""Recommended credit limits: several methods, each with its figure, and the one that binds.

Per customer (money in cents), with m = the grade's `limit_multiplier`:

needs            expected monthly sales x (terms + grace days) / 30 x m;
                 monthly sales = sales in the last 12 months / months of
                 tenure in them (at most 12, at least 1); terms default 30
third_party      the latest third-party recommended limit x m
net_worth        policy share of net worth x m (when a report gives it)
working_capital  policy share of working capital x m (when given)
insured          the credit insurer's limit, not scaled: exposure above
                 it is uninsured

recommended = the smallest available figure, rounded down to `round_to`
yuan; `binding` names its method. Grade E (m = 0) gets 0: cash in advance.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from creditdash.risk.policy import grade_table

METHODS = ("needs", "third_party", "net_worth", "working_capital", "insured")
METHOD_LABELS = {
    "needs": "Needs-based (monthly sales x (terms + grace) / 30)",
    "third_party": "Third-party recommended limit",
    "net_worth": "Share of net worth",
    "working_capital": "Share of working capital",
    "insured": "Insured limit",
}
DEFAULT_TERMS_DAYS = 30


def _money(values: pd.Series) -> np.ndarray:
    return values.astype("float64").to_numpy(na_value=np.nan)


def recommended_limits(features: pd.DataFrame, grades: np.ndarray, policy: Mapping) -> pd.DataFrame:
    """Per row of `features`: customer_id, limit_<method>_cents (NaN where not available),
    multiplier, recommended_limit_cents (Int64), binding (method name)."""
    settings = policy["limits"]
    table = grade_table(policy)
    m = np.array([float(table[g]["limit_multiplier"]) for g in grades])
    months = np.clip(features["tenure_days"].to_numpy(dtype=float) / (365.25 / 12), 1, 12)
    monthly = np.clip(features["sales_12m_cents"].to_numpy(dtype=float), 0, None) / months
    terms = _money(features["payment_terms_days"])
    terms = np.where(np.isnan(terms), DEFAULT_TERMS_DAYS, terms)
    figures = {
        "needs": monthly * (terms + settings["grace_days"]) / 30 * m,
        "third_party": _money(features["bureau_recommended_limit_cents"]) * m,
        "net_worth": _money(features["bureau_net_worth_cents"]) * settings["net_worth_share"] * m,
        "working_capital": _money(features["bureau_working_capital_cents"])
        * settings["working_capital_share"]
        * m,
        "insured": _money(features["bureau_insured_limit_cents"]),
    }
    stack = np.column_stack([figures[k] for k in METHODS])
    stack = np.where(stack < 0, 0, stack)
    available = ~np.isnan(stack)
    best = np.where(available, stack, np.inf)
    pick = best.argmin(axis=1)
    value = best[np.arange(len(best)), pick]
    step = float(settings.get("round_to", 1)) * 100
    rounded = np.floor(np.where(np.isfinite(value), value, 0) / step) * step
    out = pd.DataFrame({"customer_id": features["customer_id"].to_numpy()})
    for i, method in enumerate(METHODS):
        out[f"limit_{method}_cents"] = np.round(stack[:, i])
    out["multiplier"] = m
    out["recommended_limit_cents"] = pd.array(rounded.astype(np.int64), dtype="Int64")
    out["binding"] = np.where(available.any(axis=1), np.array(METHODS, dtype=object)[pick], "")
    return out


def limit_methods(limits: pd.DataFrame, customer_id: str) -> pd.DataFrame:
    """One customer's methods: method, label, figure (cents, NaN if not available), binding."""
    row = limits[limits["customer_id"] == customer_id].iloc[0]
    return pd.DataFrame(
        {
            "method": list(METHODS),
            "label": [METHOD_LABELS[m] for m in METHODS],
            "figure_cents": [row[f"limit_{m}_cents"] for m in METHODS],
            "binding": [m == row["binding"] for m in METHODS],
        }
    )
