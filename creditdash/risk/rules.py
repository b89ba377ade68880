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
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from creditdash.risk.policy import ACTION_SEVERITY

HIT_COLUMNS = ["customer_id", "customer_name", "rule", "kind", "action", "severity", "detail"]
SCORE_DROP_DAYS = 90
CLEAN_LATE_DAYS = 10
CLEAN_UTILISATION = 0.7


def _money(cents: float) -> str:
    return f"{cents / 100:,.0f}"


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
    report, both indexed by customer_id.
    """
    parts = []
    for rule in policy["rules"]:
        hit, detail = _fires(table, rule, policy, score_before, bureau_drop)
        if not hit.any():
            continue
        parts.append(
            pd.DataFrame(
                {
                    "customer_id": table["customer_id"].to_numpy()[hit],
                    "customer_name": table["customer_name"].to_numpy()[hit],
                    "rule": rule["id"],
                    "kind": rule["kind"],
                    "action": rule["action"],
                    "severity": ACTION_SEVERITY[rule["action"]],
                    "detail": np.asarray(detail, dtype=object)[hit],
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


def _fires(
    table: pd.DataFrame,
    rule: Mapping,
    policy: Mapping,
    score_before: pd.Series | None,
    bureau_drop: pd.Series | None,
) -> tuple[np.ndarray, np.ndarray]:
    kind, t = rule["kind"], float(rule["threshold"])
    n = len(table)
    none = np.zeros(n, dtype=bool), np.full(n, "", dtype=object)
    exposure = _series(table, "exposure_cents")
    if kind == "over_limit":
        limit = _series(table, "credit_limit_cents")
        hit = ~np.isnan(limit) & (exposure > np.nan_to_num(limit) * (1 + t / 100))
        text = [
            f"Exposure {_money(e)} over limit {_money(lim)}"
            for e, lim in zip(exposure, np.nan_to_num(limit), strict=True)
        ]
        return hit, np.array(text, dtype=object)
    if kind == "oldest_dpd":
        dpd = _series(table, "worst_dpd_open")
        return dpd > t, np.array(
            [f"Oldest open item {d:.0f} days past due" for d in dpd], dtype=object
        )
    if kind == "score_drop":
        if score_before is None:
            return none
        before = score_before.reindex(table["customer_id"]).to_numpy(dtype=float)
        drop = before - _series(table, "score")
        text = [
            f"Score {b:.0f} -> {b - d:.0f} in 90 days" for b, d in zip(before, drop, strict=True)
        ]
        return np.nan_to_num(drop) >= t, np.array(text, dtype=object)
    if kind == "bureau_downgrade":
        if bureau_drop is None:
            return none
        drop = bureau_drop.reindex(table["customer_id"]).to_numpy(dtype=float)
        text = [f"Third-party score down {d:.0f} points" for d in drop]
        return np.nan_to_num(drop) >= t, np.array(text, dtype=object)
    if kind == "concentration":
        share = _series(table, "concentration") * 100
        return share > t, np.array([f"{s:.1f}% of total receivables" for s in share], dtype=object)
    if kind == "chronic_late":
        late = _series(table, "days_late_recent")
        hit = table["chronic_late"].to_numpy(dtype=bool)
        return hit, np.array(
            [f"Pays {d:.0f} days late on average; aging looks current" for d in late], dtype=object
        )
    if kind == "legal_events":
        events = _series(table, "legal_events")
        return np.nan_to_num(events) >= t, np.array(
            [f"{e:.0f} legal / enforcement events" for e in np.nan_to_num(events)], dtype=object
        )
    if kind == "clean_record":
        return _clean_record(table, t, policy)
    return none


def _clean_record(
    table: pd.DataFrame, months: float, policy: Mapping
) -> tuple[np.ndarray, np.ndarray]:
    worst_late = np.nan_to_num(_series(table, "worst_days_late_12m"), nan=np.inf)
    utilisation = np.nan_to_num(_series(table, "utilisation"))
    hit = (
        (_series(table, "worst_dpd_open") <= 0)
        & (worst_late <= CLEAN_LATE_DAYS)
        & (_series(table, "tenure_days") >= months * 30.4)
        & (utilisation >= CLEAN_UTILISATION)
    )
    pct = policy.get("rewards", {}).get("limit_increase_pct", 10)
    text = [f"Clean record, {u:.0%} of limit used: consider +{pct:g}%" for u in utilisation]
    return hit, np.array(text, dtype=object)


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
