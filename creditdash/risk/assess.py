"""The risk table, watchlist and score history at an as-of date.

`risk_table` joins features, scorecard, PD, limits and flags into one row
per customer; `watchlist` evaluates the policy's rules on it, at D and a
week earlier, so new alerts are marked. Policies arrive as dicts or JSON
text (JSON keeps the app's cache keys hashable).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from creditdash.errors import InsufficientHistory
from creditdash.i18n import Text
from creditdash.ledger import DateLike, Ledger, day_number
from creditdash.risk.features import features_at
from creditdash.risk.limits import recommended_limits
from creditdash.risk.outcomes import DEFAULT_DPD, monthly_dates
from creditdash.risk.pd_model import PDModel, fit_pd_model
from creditdash.risk.penalties import limit_rewards, penalties_at
from creditdash.risk.policy import Policy, check_policy, grade_names
from creditdash.risk.rules import SCORE_DROP_DAYS, bureau_drops, evaluate_rules
from creditdash.risk.scorecard import score_customers

PolicyLike = Mapping | str
LimitOverrides = Mapping[str, int] | tuple[tuple[str, int], ...] | None
OUTPUT_COLUMNS = [
    "customer_id",
    "customer_name",
    "score",
    "grade",
    "pd",
    "recommended_limit",
    "credit_limit",
    "exposure",
    "flags",
    "credit_status",
    "late_interest",
    "late_fees",
    "discount_earned",
    "discount_open",
    "limit_increase",
]


def as_policy(policy: PolicyLike) -> Policy:
    return check_policy(json.loads(policy) if isinstance(policy, str) else dict(policy))


def chronic_late(features: pd.DataFrame, policy: Mapping) -> np.ndarray:
    """'Current but chronically late': most money (`min_share_late`) is paid late, by
    `min_days_late` days or more on average, yet no payment in 12 months came more than
    `max_days_late` days late, so the aging (due basis) never shows it beyond 1-30."""
    rule = policy["chronic_late"]
    late = features["days_late_recent"].to_numpy(dtype=float)
    share = features["share_paid_late"].to_numpy(dtype=float)
    worst = features["worst_days_late_12m"].to_numpy(dtype=float)
    return (
        (np.nan_to_num(worst, nan=np.inf) <= rule["max_days_late"])
        & (np.nan_to_num(share) >= rule["min_share_late"])
        & (np.nan_to_num(late) >= rule["min_days_late"])
    )


def risk_table(
    ledger: Ledger,
    as_of: DateLike,
    policy: PolicyLike,
    bureau: pd.DataFrame | None = None,
    limits: LimitOverrides = None,
    pd_model: PDModel | None = None,
) -> pd.DataFrame:
    """One row per customer with an invoice dated <= as_of, highest exposure first.

    Columns: every `features_at` column, score, grade, capped_by, lost_* points,
    pd (NaN without a model), limit_* method figures, multiplier,
    recommended_limit_cents, binding, credit_limit_cents (an approved limit
    request in `limits` overrides the master data), utilisation,
    over_limit_cents, in_default, chronic_late, the penalties and rewards of
    `penalties` (late_interest_cents, late_fees_cents,
    discount_earned_cents, discount_open_cents, clean_record,
    limit_increase_cents), flags (';'-joined rule ids that fire, plus
    chronic_late / in_default).
    """
    policy = as_policy(policy)
    features = features_at(ledger, as_of, bureau)
    features = _apply_limits(features, limits)
    scored = score_customers(features, policy, as_of)
    table = features.merge(scored, on="customer_id")
    limit_frame = recommended_limits(table, table["grade"].to_numpy(), policy)
    table = table.merge(limit_frame, on="customer_id")
    table["pd"] = pd_model.predict(table).to_numpy() if pd_model is not None else np.nan
    limit = table["credit_limit_cents"].astype("float64").to_numpy(na_value=np.nan)
    exposure = table["exposure_cents"].to_numpy(dtype=float)
    over = np.where(np.isnan(limit), 0, np.clip(exposure - np.nan_to_num(limit), 0, None))
    table["over_limit_cents"] = over.astype(np.int64)
    table["in_default"] = table["worst_dpd_open"].to_numpy() >= DEFAULT_DPD
    table["chronic_late"] = chronic_late(table, policy)
    penalties = penalties_at(ledger, as_of, policy, table).drop(columns="customer_id")
    table = table.join(penalties).join(limit_rewards(table, policy))
    table["flags"] = ""
    table = table.sort_values(["exposure_cents", "customer_id"], ascending=[False, True])
    return table.reset_index(drop=True)


def _apply_limits(features: pd.DataFrame, limits: LimitOverrides) -> pd.DataFrame:
    overrides = dict(limits or {})
    if not overrides:
        return features
    out = features.copy()
    new = out["customer_id"].map(overrides)
    out["credit_limit_cents"] = new.astype("Int64").fillna(out["credit_limit_cents"])
    limit = out["credit_limit_cents"].astype("float64").to_numpy(na_value=np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["utilisation"] = np.where(limit > 0, out["exposure_cents"].to_numpy() / limit, np.nan)
    return out


def _hits(
    ledger: Ledger,
    as_of: DateLike,
    policy: Policy,
    bureau: pd.DataFrame | None,
    limits: LimitOverrides,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = risk_table(ledger, as_of, policy, bureau, limits)
    day = day_number(as_of)
    before = pd.Timestamp(np.datetime64(day - SCORE_DROP_DAYS, "D"))
    earlier = risk_table(ledger, before, policy, bureau, limits)
    score_before = earlier.set_index("customer_id")["score"]
    hits = evaluate_rules(
        table, policy, score_before=score_before, bureau_drop=bureau_drops(bureau, day)
    )
    return table, hits


def assess(
    ledger: Ledger,
    as_of: DateLike,
    policy: PolicyLike,
    bureau: pd.DataFrame | None = None,
    limits: LimitOverrides = None,
    with_pd: bool = True,
) -> dict:
    """Everything the risk page and the CLI show at as_of, in one call.

    Returns {"table": risk_table with pd and flags, "watchlist": watchlist
    frame, "pd_note": "" or why the PD model is missing (English), "pd_error": the
    InsufficientHistory that says so (coded, for other languages) or None,
    "pd_notes": the model's inputs left out and its calibration (`PDModel.notes`,
    i18n Texts; empty without a model), "model": PDModel or None}.
    """
    policy = as_policy(policy)
    model, note, why = None, "", None
    if with_pd:
        try:
            model = fit_pd_model(ledger, as_of, bureau)
        except InsufficientHistory as err:
            note, why = str(err), err
    table = risk_table(ledger, as_of, policy, bureau, limits, model)
    watch = watchlist(ledger, as_of, policy, bureau, limits, table=table)
    flags = watch.groupby("customer_id")["rule"].agg(";".join)
    extra = np.where(table["in_default"], "in_default", "")
    rules = table["customer_id"].map(flags).fillna("").to_numpy(dtype=object)
    table["flags"] = [";".join(x for x in (e, r) if x) for e, r in zip(extra, rules, strict=True)]
    return {
        "table": table,
        "watchlist": watch,
        "pd_note": note,
        "pd_error": why,
        "pd_notes": [] if model is None else model.notes(),
        "model": model,
    }


def watchlist(
    ledger: Ledger,
    as_of: DateLike,
    policy: PolicyLike,
    bureau: pd.DataFrame | None = None,
    limits: LimitOverrides = None,
    *,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rule hits at as_of (rules.HIT_COLUMNS) plus exposure_cents, grade and `new`
    (True when the rule did not fire for that customer 7 days earlier); most severe first."""
    policy = as_policy(policy)
    table_now, hits = _hits(ledger, as_of, policy, bureau, limits)
    table = table if table is not None else table_now
    week_ago = pd.Timestamp(as_of) - pd.Timedelta(days=7)
    _, old = _hits(ledger, week_ago, policy, bureau, limits)
    seen = set(zip(old["customer_id"], old["rule"], strict=True))
    hits["new"] = [
        (c, r) not in seen for c, r in zip(hits["customer_id"], hits["rule"], strict=True)
    ]
    info = table.set_index("customer_id")[["exposure_cents", "grade", "score"]]
    hits = hits.join(info, on="customer_id")
    return hits.sort_values(
        ["severity", "new", "exposure_cents"], ascending=[False, False, False], kind="stable"
    ).reset_index(drop=True)


def grade_summary(table: pd.DataFrame, policy: PolicyLike) -> pd.DataFrame:
    """Per grade (best first): grade, customers, exposure_cents, overdue_cents, mean_pd."""
    policy = as_policy(policy)
    grouped = table.groupby("grade").agg(
        customers=("customer_id", "size"),
        exposure_cents=("exposure_cents", "sum"),
        overdue_cents=("overdue_cents", "sum"),
        mean_pd=("pd", "mean"),
    )
    out = grouped.reindex(grade_names(policy))
    out["customers"] = out["customers"].fillna(0).astype(np.int64)
    for col in ("exposure_cents", "overdue_cents"):
        out[col] = out[col].fillna(0).astype(np.int64)
    return out.rename_axis("grade").reset_index()


def score_history(
    ledger: Ledger,
    as_of: DateLike,
    policy: PolicyLike,
    bureau: pd.DataFrame | None = None,
    months: int = 12,
) -> pd.DataFrame:
    """Scores at the last `months` month ends and at as_of: as_of, customer_id, score, grade."""
    policy = as_policy(policy)
    end = pd.Timestamp(as_of)
    dates = [*monthly_dates(end - pd.DateOffset(months=months), end), end]
    dates = sorted(set(dates))
    parts = []
    for date in dates:
        f = features_at(ledger, date, bureau)
        s = score_customers(f, policy, date)
        parts.append(s[["customer_id", "score", "grade"]].assign(as_of=date))
    return pd.concat(parts, ignore_index=True)[["as_of", "customer_id", "score", "grade"]]


def output_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The command line's columns (OUTPUT_COLUMNS), money in currency units; credit_status
    is "" unless `table` has it (`holds.with_status`)."""
    status = table.get("credit_status", "")
    out = pd.DataFrame(
        {
            "customer_id": table["customer_id"],
            "customer_name": table["customer_name"],
            "score": table["score"],
            "grade": table["grade"],
            "pd": table["pd"].round(4),
            "recommended_limit": table["recommended_limit_cents"].astype("float64") / 100,
            "credit_limit": table["credit_limit_cents"].astype("float64") / 100,
            "exposure": table["exposure_cents"] / 100,
            "flags": table["flags"],
            "credit_status": status,
            **{
                name: table[f"{name}_cents"] / 100
                for name in ("late_interest", "late_fees", "discount_earned", "discount_open")
            },
            "limit_increase": table["limit_increase_cents"] / 100,
        }
    )
    return out[OUTPUT_COLUMNS]


@dataclass(frozen=True, eq=False)
class RiskOverview:
    """What the Customer risk page shows at an as-of date: `assess` without the model object
    (so it caches and pickles).

    table      the risk table: one row per customer, grade, score, pd, flags, limits, ...
    watchlist  the policy's rule hits (watchlist's columns)
    pd_note    "" or why there is no PD model (English); `pd_error` says it coded, or None
    pd_notes   the model's inputs left out and its calibration (i18n Texts; [] without one)
    coef       the PD model's coefficient table, None without a model
    pd_rows    (rows, defaults) the model was fitted on, None without a model
    """

    table: pd.DataFrame
    watchlist: pd.DataFrame
    pd_note: str
    pd_error: InsufficientHistory | None
    pd_notes: list[Text]
    coef: pd.DataFrame | None
    pd_rows: tuple[int, int] | None


def risk_overview(
    ledger: Ledger,
    as_of: DateLike,
    policy: PolicyLike,
    bureau: pd.DataFrame | None = None,
    limits: LimitOverrides = None,
) -> RiskOverview:
    """Everything the Customer risk page shows at as_of (see `RiskOverview`)."""
    result = assess(ledger, as_of, policy, bureau, limits)
    model = result["model"]
    return RiskOverview(
        table=result["table"],
        watchlist=result["watchlist"],
        pd_note=result["pd_note"],
        pd_error=result["pd_error"],
        pd_notes=result["pd_notes"],
        coef=None if model is None else model.coef_,
        pd_rows=None if model is None else (model.n_rows_, model.n_events_),
    )
