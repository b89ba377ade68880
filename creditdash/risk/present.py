"""Risk frames shaped for display and download: labels, money in currency units (no streamlit)."""

from __future__ import annotations

import pandas as pd

from creditdash.risk.policy import ACTION_LABELS, FEATURE_LABELS

PORTFOLIO_COLUMNS = {
    "customer_id": "Customer ID",
    "customer_name": "Customer",
    "score": "Score",
    "grade": "Grade",
    "pd": "PD 12m",
    "exposure": "Exposure",
    "overdue": "Overdue",
    "credit_limit": "Credit limit",
    "recommended_limit": "Recommended limit",
    "binding": "Binding method",
    "utilisation": "Utilisation",
    "over_limit": "Over limit",
    "worst_dpd_open": "Oldest item dpd",
    "days_late_recent": "Days late (6m)",
    "flags": "Flags",
}


def _money(series: pd.Series) -> pd.Series:
    return series.astype("float64") / 100


def portfolio_view(table: pd.DataFrame) -> pd.DataFrame:
    """One row per customer with PORTFOLIO_COLUMNS' keys, money in currency units."""
    return pd.DataFrame(
        {
            "customer_id": table["customer_id"],
            "customer_name": table["customer_name"],
            "score": table["score"],
            "grade": table["grade"],
            "pd": table["pd"],
            "exposure": _money(table["exposure_cents"]),
            "overdue": _money(table["overdue_cents"]),
            "credit_limit": _money(table["credit_limit_cents"]),
            "recommended_limit": _money(table["recommended_limit_cents"]),
            "binding": table["binding"],
            "utilisation": table["utilisation"],
            "over_limit": _money(table["over_limit_cents"]),
            "worst_dpd_open": table["worst_dpd_open"],
            "days_late_recent": table["days_late_recent"].round(1),
            "flags": table["flags"],
        }
    )


def risk_map_frame(table: pd.DataFrame) -> pd.DataFrame:
    """customer (id + name), score, grade, exposure, overdue (money) for `charts.risk_map`."""
    return pd.DataFrame(
        {
            "customer": table["customer_id"] + " " + table["customer_name"],
            "score": table["score"],
            "grade": table["grade"],
            "exposure": _money(table["exposure_cents"]),
            "overdue": _money(table["overdue_cents"]),
        }
    )


def watchlist_view(hits: pd.DataFrame) -> pd.DataFrame:
    """new, customer_id, customer_name, grade, action (label), rule, detail, exposure (money)."""
    return pd.DataFrame(
        {
            "new": hits["new"].map({True: "new", False: ""}),
            "customer_id": hits["customer_id"],
            "customer_name": hits["customer_name"],
            "grade": hits["grade"],
            "action": hits["action"].map(ACTION_LABELS),
            "rule": hits["rule"],
            "detail": hits["detail"],
            "exposure": _money(hits["exposure_cents"]),
        }
    )


def explanation_view(explained: pd.DataFrame) -> pd.DataFrame:
    """label, value (rounded), band, weight, points_lost."""
    return explained.assign(
        label=explained["feature"].map(FEATURE_LABELS), value=explained["value"].round(3)
    )[["label", "value", "band", "weight", "points_lost"]]
