"""The credit policy as data: grades, scorecard weights, limits, rules, penalties, rewards.

A policy is a plain dict (stored as JSON, versioned in the database by
`creditdash.risk.policy_store`). `DEFAULT_POLICY` is the first version a
new database gets; `check_policy` validates an edited one and names the
first rule it breaks.

Scorecard: every feature has a `weight` (the weights sum to 100) and
`bands`, a list of `[threshold, share]`. A customer loses `weight x share`
points for the last band whose threshold its value reaches (`>=` when
higher values are worse, `<` when `lower_is_worse`). Score = 100 - points
lost; the grade is the first grade whose `min_score` the score reaches,
then capped by `caps`: whatever the points, some facts alone limit the
grade. A cap names a `feature`, its `max_grade` (the best grade a customer
it hits can keep), an optional `id`, and one test:

    "threshold": N           the value is N or more (90+ days past due: at best D)
    "below": N               the value is under N (a third-party score under 20: E)
    "ratings": [..]          the value is one of these (case and spaces ignored),
                             for `bureau_rating`: a rating that means default
    "within_months": M       with threshold/below on a third-party figure: only
                             from a report dated within M months of the as-of date

The default caps are what a credit manager would accept without argument:
an item 90+ days past due or 3+ legal / enforcement events in a report of
the last 12 months cap at D, one legal event at C, and a third-party score
under 20 (of 100) or a default rating (D, SD, RD, E, "default", 违约) at E,
since any one of them outweighs a clean payment record.

Penalties and rewards (`creditdash.risk.penalties` computes them):
`penalties.late_interest_pct_year` (contractual late interest, simple, per
day past due), `penalties.late_fee` (a fixed fee per overdue invoice, in
currency units), `rewards.early_discount_pct` / `early_discount_days` (a
discount for paying within that many days of the invoice date) and
`rewards.limit_increase_pct` (the limit increase a clean record earns).
A section or setting left out counts as 0.

Dunning (`creditdash.risk.dunning`): the `dunning` section holds the
collection strategies per grade and segment, their stages and the letters'
templates; a policy without it dunns by DEFAULT_DUNNING.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from creditdash.errors import InvalidArgument
from creditdash.risk.dunning import DEFAULT_DUNNING, check_dunning

Policy = dict[str, Any]

ACTIONS = ("warn", "hold", "cash_in_advance", "review_increase")
ACTION_LABELS = {
    "warn": "Warn",
    "hold": "Hold new orders",
    "cash_in_advance": "Cash in advance",
    "review_increase": "Review for a limit increase",
}
ACTION_SEVERITY = {"review_increase": 0, "warn": 1, "hold": 2, "cash_in_advance": 3}
# penalties charged on late payment and rewards for good conduct (see creditdash.risk.penalties)
TERMS_KEYS = {
    "penalties": ("late_interest_pct_year", "late_fee"),
    "rewards": ("early_discount_pct", "early_discount_days", "limit_increase_pct"),
}
RULE_KINDS = (
    "over_limit",
    "oldest_dpd",
    "score_drop",
    "bureau_downgrade",
    "concentration",
    "chronic_late",
    "legal_events",
    "clean_record",
)

FEATURE_LABELS = {
    "days_late_recent": "Days late, last 6 months (amount-weighted)",
    "days_late_trend": "Change in days late vs the 12 months before",
    "share_paid_late": "Share paid late, last 12 months",
    "worst_dpd_open": "Oldest open item, days past due",
    "overdue_share": "Overdue share of exposure",
    "utilisation": "Limit utilisation",
    "disputed_share": "Disputed share of open items",
    "tenure_days": "Tenure (days since first invoice)",
    "concentration": "Share of total receivables",
    "bureau_score": "Third-party score (0-100)",
    "legal_events": "Legal / enforcement events (third party)",
}

# features a grade cap may test: the scorecard's, and the third party's rating (text)
CAP_FEATURES = {**FEATURE_LABELS, "bureau_rating": "Third-party rating"}
CAP_TESTS = ("threshold", "below", "ratings")

DEFAULT_POLICY: Policy = {
    "grades": [
        {"grade": "A", "min_score": 80, "max_terms_days": 90, "limit_multiplier": 1.25,
         "review_months": 12},
        {"grade": "B", "min_score": 65, "max_terms_days": 60, "limit_multiplier": 1.0,
         "review_months": 12},
        {"grade": "C", "min_score": 50, "max_terms_days": 45, "limit_multiplier": 0.75,
         "review_months": 6},
        {"grade": "D", "min_score": 35, "max_terms_days": 30, "limit_multiplier": 0.4,
         "review_months": 3},
        {"grade": "E", "min_score": 0, "max_terms_days": 0, "limit_multiplier": 0.0,
         "review_months": 1},
    ],
    "scorecard": {
        "days_late_recent": {"weight": 20, "bands": [[5, 0.2], [15, 0.45], [30, 0.7], [60, 1.0]]},
        "days_late_trend": {"weight": 10, "bands": [[5, 0.3], [15, 0.7], [30, 1.0]]},
        "share_paid_late": {"weight": 10, "bands": [[0.25, 0.3], [0.5, 0.6], [0.8, 1.0]]},
        "worst_dpd_open": {"weight": 15, "bands": [[1, 0.1], [31, 0.4], [61, 0.7], [91, 1.0]]},
        "overdue_share": {"weight": 10, "bands": [[0.1, 0.3], [0.3, 0.6], [0.6, 1.0]]},
        "utilisation": {"weight": 10, "bands": [[0.8, 0.3], [1.0, 0.7], [1.2, 1.0]]},
        "disputed_share": {"weight": 5, "bands": [[0.05, 0.5], [0.2, 1.0]]},
        "tenure_days": {"weight": 5, "lower_is_worse": True, "bands": [[365, 0.5], [180, 1.0]]},
        "concentration": {"weight": 5, "bands": [[0.05, 0.5], [0.1, 1.0]]},
        "bureau_score": {"weight": 10, "lower_is_worse": True,
                         "bands": [[60, 0.3], [40, 0.7], [20, 1.0]]},
    },
    "caps": [
        {"id": "dpd_90", "feature": "worst_dpd_open", "threshold": 91, "max_grade": "D"},
        {"id": "legal", "feature": "legal_events", "threshold": 1, "max_grade": "C"},
        {"id": "legal_recent", "feature": "legal_events", "threshold": 3, "within_months": 12,
         "max_grade": "D"},
        {"id": "score_floor", "feature": "bureau_score", "below": 20, "max_grade": "E"},
        {"id": "default_rating", "feature": "bureau_rating",
         "ratings": ["D", "SD", "RD", "E", "default", "违约"], "max_grade": "E"},
    ],
    "chronic_late": {"min_share_late": 0.75, "min_days_late": 15, "max_days_late": 30},
    "limits": {
        "grace_days": 15,
        "net_worth_share": 0.10,
        "working_capital_share": 0.20,
        "round_to": 1000,
    },
    "rules": [
        {"id": "over_limit", "kind": "over_limit", "threshold": 0, "action": "hold"},
        {"id": "oldest_60", "kind": "oldest_dpd", "threshold": 60, "action": "warn"},
        {"id": "oldest_90", "kind": "oldest_dpd", "threshold": 90, "action": "cash_in_advance"},
        {"id": "score_drop", "kind": "score_drop", "threshold": 15, "action": "warn"},
        {"id": "bureau_down", "kind": "bureau_downgrade", "threshold": 10, "action": "warn"},
        {"id": "concentration", "kind": "concentration", "threshold": 10, "action": "warn"},
        {"id": "chronic_late", "kind": "chronic_late", "threshold": 0, "action": "warn"},
        {"id": "legal", "kind": "legal_events", "threshold": 1, "action": "hold"},
        {"id": "clean_record", "kind": "clean_record", "threshold": 12,
         "action": "review_increase"},
    ],
    "penalties": {"late_interest_pct_year": 6.0, "late_fee": 0},
    "rewards": {"early_discount_pct": 1.0, "early_discount_days": 10, "limit_increase_pct": 10},
    "dunning": DEFAULT_DUNNING,
}  # fmt: skip


def default_policy() -> Policy:
    """A fresh copy of DEFAULT_POLICY."""
    return copy.deepcopy(DEFAULT_POLICY)


def policy_from_json(text: str) -> Policy:
    """A policy parsed from JSON text and checked; InvalidArgument says what is wrong."""
    try:
        policy = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidArgument.coded(
            "risk.error.policy_json",
            "The policy is not valid JSON: {reason} at line {line}, column {column}.",
            reason=err.msg,
            line=err.lineno,
            column=err.colno,
        ) from None
    return check_policy(policy)


def policy_to_json(policy: Mapping) -> str:
    return json.dumps(policy, ensure_ascii=False, indent=2, sort_keys=False)


def check_policy(policy: object) -> Policy:
    """`policy` if it follows the rules above, else InvalidArgument naming the part and value."""
    if not isinstance(policy, dict):
        raise InvalidArgument.coded(
            "risk.error.policy_object",
            "The policy must be a JSON object. Got {kind}.",
            kind=type(policy).__name__,
        )
    for key in ("grades", "scorecard", "rules", "limits", "chronic_late"):
        if key not in policy:
            raise InvalidArgument.coded(
                "risk.error.policy_section", "The policy has no `{section}` section.", section=key
            )
    _check_grades(policy["grades"])
    _check_scorecard(policy["scorecard"])
    grades = {g["grade"] for g in policy["grades"]}
    for cap in policy.get("caps", []):
        _check_cap(cap, grades)
    for rule in policy["rules"]:
        _check_rule(rule)
    _check_terms(policy)
    if "dunning" in policy:
        check_dunning(policy["dunning"], grades)
    return policy


def _number(value: object, where: str, low: float | None = None) -> float:
    """`value` as a float; `where` names it as a path such as `grades[A].min_score`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgument.coded(
            "risk.error.not_number", "`{where}` must be a number. Got {value!r}.",
            where=where, value=value,
        )  # fmt: skip
    if low is not None and value < low:
        raise InvalidArgument.coded(
            "risk.error.too_low", "`{where}` must be >= {low:g}. Got {value!r}.",
            where=where, low=low, value=value,
        )  # fmt: skip
    return float(value)


def _check_grades(grades: object) -> None:
    if not isinstance(grades, list) or not grades:
        raise InvalidArgument.coded(
            "risk.error.grades_empty", "`grades` must be a non-empty list of grades. Got {value!r}.",
            value=grades,
        )  # fmt: skip
    scores = []
    for g in grades:
        name = g.get("grade") if isinstance(g, dict) else None
        if not name:
            raise InvalidArgument.coded(
                "risk.error.grade_name", "Every grade needs a `grade` name. Got {value!r}.", value=g
            )
        scores.append(_number(g.get("min_score"), f"grades[{name}].min_score", 0))
        _number(g.get("limit_multiplier"), f"grades[{name}].limit_multiplier", 0)
        _number(g.get("max_terms_days"), f"grades[{name}].max_terms_days", 0)
    if any(b >= a for a, b in zip(scores, scores[1:], strict=False)):
        raise InvalidArgument.coded(
            "risk.error.grades_order",
            "`grades` must go from best to worst with falling `min_score`. Got {scores}.",
            scores=", ".join(f"{s:g}" for s in scores),
        )
    if scores[-1] != 0:
        raise InvalidArgument.coded(
            "risk.error.last_grade",
            "The last grade must have `min_score` 0 so that every score gets a grade. Got {score:g}.",
            score=scores[-1],
        )


def _check_scorecard(card: object) -> None:
    if not isinstance(card, dict) or not card:
        raise InvalidArgument.coded(
            "risk.error.scorecard_shape",
            "`scorecard` must map feature names to weights and bands. Got {value!r}.",
            value=card,
        )
    total = 0.0
    for feature, spec in card.items():
        if feature not in FEATURE_LABELS:
            raise InvalidArgument.coded(
                "risk.error.unknown_feature",
                "`scorecard` names unknown feature {feature!r}. Use one of: {features}.",
                feature=feature,
                features=", ".join(FEATURE_LABELS),
            )
        total += _number(spec.get("weight"), f"scorecard.{feature}.weight", 0)
        bands = spec.get("bands")
        if not isinstance(bands, list) or not bands:
            raise InvalidArgument.coded(
                "risk.error.bands_list",
                "Scorecard `{feature}`: `bands` must be a list of [threshold, share]. Got {value!r}.",
                feature=feature,
                value=bands,
            )
        for band in bands:
            if not (isinstance(band, list) and len(band) == 2):
                raise InvalidArgument.coded(
                    "risk.error.band_pair",
                    "Scorecard `{feature}`: each band is [threshold, share]. Got {value!r}.",
                    feature=feature,
                    value=band,
                )
            share = _number(band[1], f"scorecard.{feature}.bands share", 0)
            if share > 1:
                raise InvalidArgument.coded(
                    "risk.error.band_share",
                    "Scorecard `{feature}`: a band's share of the weight must be <= 1. "
                    "Got {share:g}.",
                    feature=feature,
                    share=share,
                )
    if abs(total - 100) > 1e-9:
        raise InvalidArgument.coded(
            "risk.error.weights_total",
            "The scorecard weights must sum to 100. Got {total:g}.",
            total=total,
        )


def _check_cap(cap: object, grades: set[str]) -> None:
    """A grade cap: a known feature, a grade, exactly one test (see the module docstring)."""
    if not isinstance(cap, dict) or cap.get("feature") not in CAP_FEATURES:
        raise InvalidArgument.coded(
            "risk.error.cap_feature",
            "`caps`: every cap needs a `feature`, one of {features}. Got {value!r}.",
            features=", ".join(CAP_FEATURES),
            value=cap.get("feature") if isinstance(cap, dict) else cap,
        )
    if cap.get("max_grade") not in grades:
        raise InvalidArgument.coded(
            "risk.error.cap_grade",
            "`caps`: max_grade must be one of {grades}. Got {value!r}.",
            grades=", ".join(sorted(grades)),
            value=cap.get("max_grade"),
        )
    name = cap.get("id") or cap["feature"]
    tests = [t for t in CAP_TESTS if t in cap]
    text_feature = cap["feature"] == "bureau_rating"
    if len(tests) != 1 or (tests[0] == "ratings") != text_feature:
        raise InvalidArgument.coded(
            "risk.error.cap_test",
            "Cap {cap!r}: give exactly one test: `ratings` (a list) for bureau_rating, "
            "else `threshold` (at least) or `below`. Got {tests}.",
            cap=name,
            tests=", ".join(tests) or "none",
        )
    if text_feature:
        ratings = cap["ratings"]
        if (
            not isinstance(ratings, list)
            or not ratings
            or not all(isinstance(r, str) and r.strip() for r in ratings)
        ):
            raise InvalidArgument.coded(
                "risk.error.cap_ratings",
                "Cap {cap!r}: `ratings` must be a non-empty list of ratings. Got {value!r}.",
                cap=name,
                value=ratings,
            )
    else:
        _number(cap[tests[0]], f"caps[{name}].{tests[0]}")
    if cap.get("within_months") is not None:
        _number(cap["within_months"], f"caps[{name}].within_months", 1)


def _check_rule(rule: object) -> None:
    if not isinstance(rule, dict) or "id" not in rule:
        raise InvalidArgument.coded(
            "risk.error.rule_id", "Every rule needs an `id`. Got {value!r}.", value=rule
        )
    rid = rule["id"]
    if rule.get("kind") not in RULE_KINDS:
        raise InvalidArgument.coded(
            "risk.error.rule_kind",
            "Rule {rule!r}: `kind` must be one of {kinds}. Got {value!r}.",
            rule=rid,
            kinds=", ".join(RULE_KINDS),
            value=rule.get("kind"),
        )
    if rule.get("action") not in ACTIONS:
        raise InvalidArgument.coded(
            "risk.error.rule_action",
            "Rule {rule!r}: `action` must be one of {actions}. Got {value!r}.",
            rule=rid,
            actions=", ".join(ACTIONS),
            value=rule.get("action"),
        )
    _number(rule.get("threshold"), f"rules[{rid}].threshold", 0)


def _check_terms(policy: Mapping) -> None:
    """Penalties and rewards, when present: numbers >= 0, a discount below 100%."""
    for section, keys in TERMS_KEYS.items():
        values = policy.get(section, {})
        if not isinstance(values, dict):
            raise InvalidArgument.coded(
                "risk.error.terms_section",
                "`{section}` must be a JSON object of settings. Got {value!r}.",
                section=section,
                value=values,
            )
        for key in keys:
            if key in values:
                _number(values[key], f"{section}.{key}", 0)
    pct = policy.get("rewards", {}).get("early_discount_pct", 0)
    if pct >= 100:
        raise InvalidArgument.coded(
            "risk.error.discount_pct",
            "`rewards.early_discount_pct` must be below 100. Got {value!r}.",
            value=pct,
        )


def penalty_settings(policy: Mapping) -> dict[str, float]:
    """The penalties and rewards of `policy` with 0 for those it leaves out."""
    return {
        key: float(policy.get(section, {}).get(key, 0))
        for section, keys in TERMS_KEYS.items()
        for key in keys
    }


def grade_names(policy: Mapping) -> list[str]:
    """Grade names, best first."""
    return [g["grade"] for g in policy["grades"]]


def grade_table(policy: Mapping) -> dict[str, dict]:
    """Grade name -> its settings."""
    return {g["grade"]: g for g in policy["grades"]}
