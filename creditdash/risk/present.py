"""Risk frames shaped for display and download: labels, money in currency units (no streamlit)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from creditdash.risk.policy import ACTION_LABELS, FEATURE_LABELS
from creditdash.risk.rules import detail_text
from creditdash.risk.scorecard import band_shares

Label = Callable[[str], str]
# the scorecard's own wording of a band (scorecard.explain), with the values as placeholders
BAND_TEXTS = {
    "no_data": "no data: no points lost",
    "best": "within the best band",
    "lost": "{sign} {threshold}: loses {share} of the weight",
}

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
    "credit_status": "Credit status",
    "late_interest": "Late interest",
    "late_fees": "Late fees",
    "discount_earned": "Early-payment discount (12m)",
    "limit_increase": "Limit increase (clean record)",
    "flags": "Flags",
}


def _money(series: pd.Series) -> pd.Series:
    return series.astype("float64") / 100


def _flags(flags: pd.Series, label: Label, sep: str) -> pd.Series:
    return flags.map(lambda text: sep.join(label(f) for f in text.split(";") if f))


def portfolio_view(
    table: pd.DataFrame,
    *,
    flag_label: Label | None = None,
    flag_sep: str = ";",
    binding_label: Label | None = None,
    status_label: Label | None = None,
) -> pd.DataFrame:
    """One row per customer with PORTFOLIO_COLUMNS' keys, money in currency units.

    `flag_label` names each flag (a rule id or in_default) and `flag_sep` joins them;
    `binding_label` names the binding limit method, `status_label` a credit status
    (`holds.with_status` adds it; "" for none). Without them the ids show as they are.
    """
    status = table["credit_status"] if "credit_status" in table else pd.Series("", table.index)
    if status_label is not None:
        status = status.map(lambda s: status_label(s) if s else "")
    flags = table["flags"] if flag_label is None else _flags(table["flags"], flag_label, flag_sep)
    binding = (
        table["binding"]
        if binding_label is None
        else table["binding"].map(lambda m: binding_label(m) if m else m)
    )
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
            "binding": binding,
            "utilisation": table["utilisation"],
            "over_limit": _money(table["over_limit_cents"]),
            "worst_dpd_open": table["worst_dpd_open"],
            "days_late_recent": table["days_late_recent"].round(1),
            "credit_status": status,
            "late_interest": _money(table["late_interest_cents"]),
            "late_fees": _money(table["late_fees_cents"]),
            "discount_earned": _money(table["discount_earned_cents"]),
            "limit_increase": _money(table["limit_increase_cents"]),
            "flags": flags,
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


def watchlist_view(
    hits: pd.DataFrame,
    *,
    action_labels: Mapping[str, str] = ACTION_LABELS,
    new_label: str = "new",
    rule_label: Label | None = None,
    detail_texts: Mapping[str, str] | None = None,
    state_labels: Mapping[str, str] | None = None,
    status_label: Label | None = None,
) -> pd.DataFrame:
    """new, state, customer_id, customer_name, grade, action (label), credit_status, rule,
    detail, exposure (money).

    `new` holds `new_label` for alerts that are new this week, else ""; `rule_label` names
    each rule id (the id itself without it). `detail_texts` (rule kind -> sentence with the
    hit's `params` as placeholders, e.g. in another language) words the detail anew; without
    it the English `detail` shows. `state` and `credit_status` come from
    `holds.mark_watchlist` ("" when the hits have none), named by `state_labels` and
    `status_label`.
    """
    detail = hits["detail"]
    if detail_texts is not None:
        detail = pd.Series(
            [
                detail_text(k, p, detail_texts.get(k)) if k in detail_texts else d
                for k, p, d in zip(hits["kind"], hits["params"], hits["detail"], strict=True)
            ],
            index=hits.index,
            dtype="str",
        )
    blank = pd.Series("", index=hits.index)
    state = hits.get("state", blank)
    status = hits.get("credit_status", blank)
    return pd.DataFrame(
        {
            "new": hits["new"].map({True: new_label, False: ""}),
            "state": state if state_labels is None else state.map(state_labels).fillna(""),
            "customer_id": hits["customer_id"],
            "customer_name": hits["customer_name"],
            "grade": hits["grade"],
            "action": hits["action"].map(action_labels),
            "credit_status": status
            if status_label is None
            else status.map(lambda s: status_label(s) if s else ""),
            "rule": hits["rule"] if rule_label is None else hits["rule"].map(rule_label),
            "detail": detail,
            "exposure": _money(hits["exposure_cents"]),
        }
    )


def explanation_view(
    explained: pd.DataFrame,
    policy: Mapping | None = None,
    *,
    feature_labels: Mapping[str, str] = FEATURE_LABELS,
    band_texts: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """label, value (rounded), band, weight, points_lost.

    With `policy` and `band_texts` (BAND_TEXTS' keys, e.g. in another language) the band
    column is worded anew from the policy's scorecard; otherwise it is `explain`'s text.
    """
    band = explained["band"]
    if policy is not None and band_texts is not None:
        card = policy["scorecard"]
        band = pd.Series(
            [
                _band_text(v, card[f], band_texts)
                for f, v in zip(explained["feature"], explained["value"], strict=True)
            ],
            index=explained.index,
        )
    return explained.assign(
        label=explained["feature"].map(feature_labels),
        value=explained["value"].round(3),
        band=band,
    )[["label", "value", "band", "weight", "points_lost"]]


def _band_text(value: float, spec: Mapping, texts: Mapping[str, str]) -> str:
    """The band that applied to `value`, as `scorecard.explain` words it, from `texts`."""
    if np.isnan(value):
        return texts["no_data"]
    share = float(band_shares(np.array([value]), spec)[0])
    if share == 0:
        return texts["best"]
    lower = spec.get("lower_is_worse")
    hits = [b for b in spec["bands"] if (value < b[0] if lower else value >= b[0])]
    band = min(hits, key=lambda b: b[0]) if lower else max(hits, key=lambda b: b[0])
    return texts["lost"].format(
        sign="<" if lower else ">=", threshold=f"{band[0]:g}", share=f"{share:.0%}"
    )
