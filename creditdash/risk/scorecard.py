"""The transparent scorecard: points lost per feature band, a 0-100 score and a grade.

The weights and bands come from the policy (see `creditdash.risk.policy`).
A missing value (no payments yet, no third-party report) costs no points;
the explanation says so.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from creditdash.errors import NotFound
from creditdash.ledger import DateLike
from creditdash.risk.policy import CAP_FEATURES, FEATURE_LABELS, grade_names


def band_shares(values: np.ndarray, spec: Mapping) -> np.ndarray:
    """Share of the feature's weight lost for each value (0 where the value is NaN)."""
    bands = sorted(spec["bands"], key=lambda b: b[0])
    thresholds = np.array([b[0] for b in bands], dtype=float)
    shares = np.array([b[1] for b in bands], dtype=float)
    v = np.asarray(values, dtype=float)
    if spec.get("lower_is_worse"):
        idx = np.searchsorted(thresholds, np.nan_to_num(v, nan=np.inf), side="right")
        lost = np.where(idx < len(shares), shares[np.minimum(idx, len(shares) - 1)], 0.0)
    else:
        idx = np.searchsorted(thresholds, np.nan_to_num(v, nan=-np.inf), side="right") - 1
        lost = np.where(idx >= 0, shares[np.maximum(idx, 0)], 0.0)
    return np.where(np.isnan(v), 0.0, lost)


def score_customers(
    features: pd.DataFrame, policy: Mapping, as_of: DateLike | None = None
) -> pd.DataFrame:
    """Score and grade per row of `features` (`features_at` frame).

    Returns customer_id, score (0-100, 1 decimal), grade, capped_by (the cap
    that lowered the grade, "" if none) and `lost_<feature>` (points lost) per
    scorecard feature; same row order as `features`, RangeIndex. `as_of` (else
    the rows' own `as_of` column) dates the caps that look back `within_months`;
    without either, every report counts for them.
    """
    card = policy["scorecard"]
    out = pd.DataFrame({"customer_id": features["customer_id"].to_numpy()})
    total = np.zeros(len(features))
    for feature, spec in card.items():
        values = features[feature].astype("float64").to_numpy(na_value=np.nan)
        lost = float(spec["weight"]) * band_shares(values, spec)
        out[f"lost_{feature}"] = lost
        total += lost
    out["score"] = np.round(np.clip(100.0 - total, 0, 100), 1)
    grades, capped = _grades(out["score"].to_numpy(), features, policy, as_of)
    out["grade"] = grades
    out["capped_by"] = capped
    return out[["customer_id", "score", "grade", "capped_by", *(f"lost_{f}" for f in card)]]


def grade_of(scores: np.ndarray, policy: Mapping) -> np.ndarray:
    """The grade of each score: the first (best) grade whose min_score it reaches."""
    names = grade_names(policy)
    mins = np.array([g["min_score"] for g in policy["grades"]], dtype=float)
    idx = np.argmax(np.asarray(scores, dtype=float)[:, None] >= mins[None, :], axis=1)
    return np.array(names, dtype=object)[idx]


def _grades(
    scores: np.ndarray, features: pd.DataFrame, policy: Mapping, as_of: DateLike | None
) -> tuple[np.ndarray, np.ndarray]:
    names = grade_names(policy)
    rank = {g: i for i, g in enumerate(names)}
    idx = np.array([rank[g] for g in grade_of(scores, policy)], dtype=np.int64)
    capped = np.full(len(scores), "", dtype=object)
    for cap in policy.get("caps", []):
        if cap["feature"] not in features:
            continue
        worst = rank[cap["max_grade"]]
        hit = cap_hits(features, cap, as_of) & (idx < worst)
        idx = np.where(hit, worst, idx)
        capped = np.where(hit, cap_text(cap), capped)
    return np.array(names, dtype=object)[idx], capped


def cap_hits(features: pd.DataFrame, cap: Mapping, as_of: DateLike | None = None) -> np.ndarray:
    """Which rows of `features` a grade cap applies to (see `creditdash.risk.policy`)."""
    column = features[cap["feature"]]
    if "ratings" in cap:
        wanted = {str(r).strip().casefold() for r in cap["ratings"]}
        known = column.notna().to_numpy()
        said = column.astype("str").str.strip().str.casefold()
        return known & said.isin(wanted).to_numpy()
    values = column.astype("float64").to_numpy(na_value=np.nan)
    if "below" in cap:
        hit = np.nan_to_num(values, nan=np.inf) < cap["below"]
    else:
        hit = np.nan_to_num(values, nan=-np.inf) >= cap["threshold"]
    months = cap.get("within_months")
    if months is not None and "bureau_report_date" in features:
        dated = pd.to_datetime(features["bureau_report_date"])
        when = features["as_of"] if as_of is None and "as_of" in features else as_of
        if when is not None:
            since = pd.to_datetime(when) - pd.DateOffset(months=int(months))
            hit &= (dated >= since).to_numpy(dtype=bool)
    return hit


def cap_text(cap: Mapping) -> str:
    """A cap in words, e.g. "Third-party score (0-100) < 20: at best E"."""
    label = CAP_FEATURES.get(cap["feature"], cap["feature"])
    if "ratings" in cap:
        test = f"{label} is {' / '.join(cap['ratings'])}"
    elif "below" in cap:
        test = f"{label} < {cap['below']:g}"
    else:
        test = f"{label} >= {cap['threshold']:g}"
    if cap.get("within_months") is not None:
        test += f" within {cap['within_months']:g} months"
    return f"{test}: at best {cap['max_grade']}"


def explain(features: pd.DataFrame, policy: Mapping, customer_id: str) -> pd.DataFrame:
    """Why one customer scored what it did: one row per scorecard feature, costliest first.

    Columns: feature, label, value, band (the rule that applied, text),
    weight, points_lost. NotFound when the customer has no features.
    """
    row = features[features["customer_id"] == customer_id]
    if row.empty:
        raise NotFound.coded(
            "risk.error.no_features",
            "Customer {customer!r} has no invoices on or before the as-of date.",
            customer=customer_id,
        )
    rows = []
    for feature, spec in policy["scorecard"].items():
        value = row[feature].astype("float64").to_numpy(na_value=np.nan)[0]
        share = float(band_shares(np.array([value]), spec)[0])
        rows.append(
            {
                "feature": feature,
                "label": FEATURE_LABELS[feature],
                "value": value,
                "band": _band_text(value, spec, share),
                "weight": float(spec["weight"]),
                "points_lost": round(float(spec["weight"]) * share, 2),
            }
        )
    table = pd.DataFrame(rows)
    return table.sort_values("points_lost", ascending=False, kind="stable").reset_index(drop=True)


def _band_text(value: float, spec: Mapping, share: float) -> str:
    if np.isnan(value):
        return "no data: no points lost"
    if share == 0:
        return "within the best band"
    lower = spec.get("lower_is_worse")
    hits = [b for b in spec["bands"] if (value < b[0] if lower else value >= b[0])]
    band = min(hits, key=lambda b: b[0]) if lower else max(hits, key=lambda b: b[0])
    sign = "<" if lower else ">="
    return f"{sign} {band[0]:g}: loses {share:.0%} of the weight"
