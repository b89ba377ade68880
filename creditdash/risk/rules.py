"""Policy rules evaluated on the risk table into watchlist hits.

Rule kinds (threshold meaning in brackets):

over_limit         exposure above the credit limit by more than [threshold %]
oldest_dpd         oldest undisputed open item more than [N] days past due
score_drop         score fell by at least [X] points over the last 90 days
bureau_downgrade   the latest third-party score (0-100) is at least [X]
                   points below the provider's previous report
concentration      the customer holds more than [Y %] of total receivables
chronic_late       "current but chronically late" (threshold unused)
legal_events       at least [N] legal / enforcement events reported
clean_record       nothing overdue, no payment more than 10 days late in 12
                   months, [N] months of tenure and utilisation >= 70%:
                   a limit increase by the policy's `limit_increase_pct`

A hit carries its rule's kind and the figures behind it (`params`), so each
language can word it from its catalogue (`risk.hit.<kind>`); `detail` is the
English sentence, for the command line and exports.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from creditdash.risk.policy import ACTION_SEVERITY

HIT_COLUMNS = [
    "customer_id", "customer_name", "rule", "kind", "action", "severity", "params", "detail",
]  # fmt: skip
SCORE_DROP_DAYS = 90
CLEAN_LATE_DAYS = 10
CLEAN_UTILISATION = 0.7
CLEAN_MONTHS_DEFAULT = 12
# the English sentence of each kind; `params` fill it in (through `detail_text`), and the
# catalogues hold the same sentence under `risk.hit.<kind>` in every language
DETAIL_TEXTS = {
    "over_limit": "Exposure {exposure} over limit {limit}",
    "oldest_dpd": "Oldest open item {days} days past due",
    "score_drop": "Score {before} -> {after} in {window} days",
    "bureau_downgrade": "Third-party score down {drop} points",
    "concentration": "{share}% of total receivables",
    "chronic_late": "Pays {days} days late on average; aging looks current",
    "legal_events": "{events} legal / enforcement events",
    "clean_record": "Clean record, {utilisation}% of limit used: consider +{pct}%",
}


def detail_text(kind: str, params: Mapping, template: str | None = None) -> str:
    """One hit's sentence: `template` (default DETAIL_TEXTS[kind]) filled with its `params`.

    Money (`*_cents`, filling `{exposure}` for `exposure_cents`) shows in whole currency
    units with thousands separators, other numbers without decimals except a share (one
    decimal) and a policy percentage (as written); NaN shows as "-".
    """
    text = DETAIL_TEXTS.get(kind, "") if template is None else template
    return text.format(**_shown(params))


def _shown(params: Mapping) -> dict[str, str]:
    out = {}
    for key, value in params.items():
        number = float(value)
        if np.isnan(number):
            shown = "-"
        elif key.endswith("_cents"):
            shown = f"{number / 100:,.0f}"
        elif key == "share":
            shown = f"{number:.1f}"
        elif key == "pct":
            shown = f"{number:g}"
        else:
            shown = f"{number:,.0f}" if abs(number) >= 1000 else f"{number:.0f}"
        out[key.removesuffix("_cents")] = shown
    return out


def evaluate_rules(
    table: pd.DataFrame,
    policy: Mapping,
    *,
    score_before: pd.Series | None = None,
    bureau_drop: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per (customer, rule) that fires (HIT_COLUMNS), most severe first.

    `table` is `risk_table`; `score_before` is the score 90 days earlier and
    `bureau_drop` the fall of the third-party score since the previous
    report, both indexed by customer_id. `params` holds the figures behind a
    hit (a dict per row, see `rule_params`) and `detail` the English sentence
    `detail_text` makes of them.
    """
    parts = []
    for rule in policy["rules"]:
        hit, params = _fires(table, rule, policy, score_before, bureau_drop)
        if not hit.any():
            continue
        rows = np.flatnonzero(hit)
        chosen = [{k: float(v[i]) for k, v in params.items()} for i in rows]
        parts.append(
            pd.DataFrame(
                {
                    "customer_id": table["customer_id"].to_numpy()[rows],
                    "customer_name": table["customer_name"].to_numpy()[rows],
                    "rule": rule["id"],
                    "kind": rule["kind"],
                    "action": rule["action"],
                    "severity": ACTION_SEVERITY[rule["action"]],
                    "params": pd.Series(chosen, dtype=object),
                    "detail": [detail_text(rule["kind"], p) for p in chosen],
                }
            )
        )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in HIT_COLUMNS})
    hits = pd.concat(parts, ignore_index=True)
    return hits.sort_values(["severity", "customer_id"], ascending=[False, True]).reset_index(
        drop=True
    )


def _series(table: pd.DataFrame, col: str) -> np.ndarray:
    return table[col].astype("float64").to_numpy(na_value=np.nan)


Params = dict[str, np.ndarray]


def _fires(
    table: pd.DataFrame,
    rule: Mapping,
    policy: Mapping,
    score_before: pd.Series | None,
    bureau_drop: pd.Series | None,
) -> tuple[np.ndarray, Params]:
    """Which rows the rule fires on, and the figures (one array per param) behind it."""
    kind, t = rule["kind"], float(rule["threshold"])
    n = len(table)
    none: tuple[np.ndarray, Params] = (np.zeros(n, dtype=bool), {})
    exposure = _series(table, "exposure_cents")
    if kind == "over_limit":
        limit = _series(table, "credit_limit_cents")
        hit = ~np.isnan(limit) & (exposure > np.nan_to_num(limit) * (1 + t / 100))
        return hit, {"exposure_cents": exposure, "limit_cents": limit}
    if kind == "oldest_dpd":
        dpd = _series(table, "worst_dpd_open")
        return dpd > t, {"days": dpd}
    if kind == "score_drop":
        if score_before is None:
            return none
        before = score_before.reindex(table["customer_id"]).to_numpy(dtype=float)
        after = _series(table, "score")
        window = np.full(n, float(SCORE_DROP_DAYS))
        hit = np.nan_to_num(before - after) >= t
        return hit, {"before": before, "after": after, "window": window}
    if kind == "bureau_downgrade":
        if bureau_drop is None:
            return none
        drop = bureau_drop.reindex(table["customer_id"]).to_numpy(dtype=float)
        return np.nan_to_num(drop) >= t, {"drop": drop}
    if kind == "concentration":
        share = _series(table, "concentration") * 100
        return share > t, {"share": share}
    if kind == "chronic_late":
        hit = table["chronic_late"].to_numpy(dtype=bool)
        return hit, {"days": _series(table, "days_late_recent")}
    if kind == "legal_events":
        events = np.nan_to_num(_series(table, "legal_events"))
        return events >= t, {"events": events}
    if kind == "clean_record":
        pct = np.full(n, float(policy.get("rewards", {}).get("limit_increase_pct", 10)))
        utilisation = np.nan_to_num(_series(table, "utilisation")) * 100
        return clean_record(table, t), {"utilisation": utilisation, "pct": pct}
    return none


def clean_record(table: pd.DataFrame, months: float) -> np.ndarray:
    """Per row of `risk_table`: nothing overdue, no payment more than CLEAN_LATE_DAYS late in
    12 months, `months` months of tenure and utilisation >= CLEAN_UTILISATION."""
    worst_late = np.nan_to_num(_series(table, "worst_days_late_12m"), nan=np.inf)
    utilisation = np.nan_to_num(_series(table, "utilisation"))
    return (
        (_series(table, "worst_dpd_open") <= 0)
        & (worst_late <= CLEAN_LATE_DAYS)
        & (_series(table, "tenure_days") >= months * 30.4)
        & (utilisation >= CLEAN_UTILISATION)
    )


def clean_record_months(policy: Mapping) -> float:
    """The tenure (months) the policy's first clean_record rule asks for, else 12."""
    for rule in policy.get("rules", []):
        if rule.get("kind") == "clean_record":
            return float(rule["threshold"])
    return float(CLEAN_MONTHS_DEFAULT)


def bureau_drops(bureau: pd.DataFrame | None, day: int) -> pd.Series:
    """Per customer: previous minus latest normalised score of the provider of its latest report."""
    if bureau is None or bureau.empty:
        return pd.Series(dtype="float64")
    cutoff = np.datetime64(int(day), "D")
    known = bureau[bureau["report_date"].to_numpy().astype("datetime64[D]") <= cutoff]
    known = known.dropna(subset=["score_normalised"]).sort_values(
        ["customer_id", "provider", "report_date"]
    )
    last_two = known.groupby(["customer_id", "provider"]).tail(2)
    drop = last_two.groupby(["customer_id", "provider"])["score_normalised"].agg(
        lambda s: s.iloc[0] - s.iloc[-1] if len(s) == 2 else np.nan
    )
    newest = known.sort_values(["customer_id", "report_date"], kind="stable")
    latest_provider = newest.drop_duplicates("customer_id", keep="last").set_index("customer_id")[
        "provider"
    ]
    pairs = list(zip(latest_provider.index, latest_provider.to_numpy(), strict=True))
    values = [drop.get(p, np.nan) for p in pairs]
    return pd.Series(values, index=latest_provider.index, dtype="float64").dropna()
