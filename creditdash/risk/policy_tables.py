"""The policy as editable tables (for the policy page) and back: grades, scorecard, rules,
grade caps, dunning stages, rest."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from typing import TypeVar

import pandas as pd

from creditdash.errors import InvalidArgument
from creditdash.i18n import t
from creditdash.risk.dunning import dunning_of
from creditdash.risk.policy import CAP_TESTS, FEATURE_LABELS, Policy, check_policy

TABLE_SECTIONS = ("grades", "scorecard", "rules", "caps")
CAP_COLUMNS = ["id", "feature", "test", "value", "within_months", "max_grade"]
_T = TypeVar("_T")  # an editor's settings for a column: whatever the page's tables take
STAGE_COLUMNS = ["strategy", "id", "days", "actions", "template", "interest", "fee"]


def headers(columns: Iterable[str], lang: str = "en", **special: _T) -> dict[str, str | _T]:
    """Every column's header in `lang` (`policy.col.<column>`); a column in `special` keeps
    what is given there (an editor's settings for it)."""
    return {c: special[c] if c in special else t(f"policy.col.{c}", lang) for c in columns}


def grades_frame(policy: Mapping) -> pd.DataFrame:
    """grade, min_score, max_terms_days, limit_multiplier, review_months."""
    return pd.DataFrame(policy["grades"])


def scorecard_frame(policy: Mapping) -> pd.DataFrame:
    """feature, label, weight, lower_is_worse, bands (JSON text [[threshold, share], ...])."""
    return pd.DataFrame(
        [
            {
                "feature": f,
                "label": FEATURE_LABELS[f],
                "weight": float(spec["weight"]),
                "lower_is_worse": bool(spec.get("lower_is_worse", False)),
                "bands": json.dumps(spec["bands"]),
            }
            for f, spec in policy["scorecard"].items()
        ]
    )


def rules_frame(policy: Mapping) -> pd.DataFrame:
    """id, kind, threshold, action."""
    return pd.DataFrame(policy["rules"], columns=["id", "kind", "threshold", "action"])


def caps_frame(policy: Mapping) -> pd.DataFrame:
    """id, feature, test (threshold / below / ratings), value (the number, or the ratings
    joined by commas), within_months (NaN: any report), max_grade."""
    rows = []
    for cap in policy.get("caps", []):
        test = next((t for t in CAP_TESTS if t in cap), "threshold")
        value = cap.get(test)
        shown = ", ".join(value) if test == "ratings" else f"{value:g}"
        rows.append(
            {
                "id": cap.get("id", ""),
                "feature": cap["feature"],
                "test": test,
                "value": shown,
                "within_months": cap.get("within_months"),
                "max_grade": cap["max_grade"],
            }
        )
    frame = pd.DataFrame(rows, columns=CAP_COLUMNS)
    frame["within_months"] = pd.to_numeric(frame["within_months"]).astype("Float64")
    return frame


def caps_from_frame(frame: pd.DataFrame) -> list[dict]:
    """The policy's `caps` from an edited `caps_frame` (rows left blank are dropped)."""
    caps = []
    for row in frame.dropna(how="all").to_dict("records"):
        cap: dict = {"feature": row.get("feature"), "max_grade": row.get("max_grade")}
        if isinstance(row.get("id"), str) and row["id"].strip():
            cap = {"id": row["id"].strip(), **cap}
        test, value = row.get("test") or "threshold", row.get("value")
        text = "" if value is None or value != value else str(value).strip()
        if test == "ratings":
            cap["ratings"] = [r.strip() for r in text.split(",") if r.strip()]
        else:
            cap[test] = _number_or_text(text)
        months = row.get("within_months")
        if months is not None and not pd.isna(months):
            cap["within_months"] = _plain(months)
        caps.append(cap)
    return caps


def _number_or_text(text: str) -> object:
    """A cap's value as a number where it is one; else as typed, for the check to name."""
    try:
        return _plain(float(text))
    except ValueError:
        return text


def stages_frame(policy: Mapping) -> pd.DataFrame:
    """The dunning stages (`creditdash.risk.dunning`), one row per strategy and stage in the
    policy's order: strategy, id, days, actions (list), template, interest, fee."""
    rows = [
        {"strategy": strategy["id"], "id": stage["id"], "days": stage["days"],
         "actions": list(stage["actions"]), "template": stage["template"],
         "interest": bool(stage.get("interest", False)), "fee": bool(stage.get("fee", False))}
        for strategy in dunning_of(policy)["strategies"]
        for stage in strategy["stages"]
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=STAGE_COLUMNS)


def stages_into(rest: dict, frame: pd.DataFrame) -> None:
    """Put the stages of an edited `stages_frame` into `rest["dunning"]`'s strategies (rows
    left blank are dropped; each strategy's stages ordered by days); a row naming a strategy
    the section does not have is refused."""
    section = rest.get("dunning")
    strategies = section.get("strategies") if isinstance(section, dict) else None
    if not isinstance(strategies, list):
        return  # the check names what is wrong with the section
    by_id: dict[object, list[dict]] = {s.get("id"): [] for s in strategies if isinstance(s, dict)}
    for row in frame.dropna(how="all").to_dict("records"):
        strategy = row.get("strategy")
        if strategy not in by_id:
            raise InvalidArgument.coded(
                "collections.error.stage_strategy",
                "Dunning stage {stage!r} names strategy {strategy!r}, which the dunning "
                "section does not have ({known}).",
                stage=row.get("id"),
                strategy=strategy,
                known=", ".join(str(k) for k in by_id),
            )
        actions = row.get("actions")
        stage = {
            "id": row.get("id"),
            "days": _plain(row.get("days")),
            "actions": [] if actions is None else [str(a) for a in actions],
            "template": row.get("template"),
            "interest": _ticked(row.get("interest")),
            "fee": _ticked(row.get("fee")),
        }
        by_id[strategy].append(stage)
    for strategy in strategies:
        if isinstance(strategy, dict):
            found = by_id.get(strategy.get("id"), [])
            strategy["stages"] = sorted(found, key=_days_first)


def _ticked(value: object) -> bool:
    """A checkbox cell: a new row's empty cell is not ticked."""
    return False if value is None or pd.isna(value) else bool(value)


def _days_first(stage: dict) -> tuple:
    days = stage["days"]
    return (0, days) if isinstance(days, int) and not isinstance(days, bool) else (1, 0)


def other_json(policy: Mapping, *, stages_apart: bool = False) -> str:
    """Every section that is not a table, as indented JSON text.

    With `stages_apart` the dunning section (the default one for a policy saved without it)
    is shown without its strategies' stages, which `stages_frame` edits.
    """
    rest = {k: v for k, v in policy.items() if k not in TABLE_SECTIONS}
    if stages_apart:
        section = dunning_of(policy)
        section["strategies"] = [
            {k: v for k, v in s.items() if k != "stages"} for s in section["strategies"]
        ]
        rest["dunning"] = section
    return json.dumps(rest, ensure_ascii=False, indent=2)


def policy_from_tables(
    grades: pd.DataFrame,
    scorecard: pd.DataFrame,
    rules: pd.DataFrame,
    other: str,
    caps: pd.DataFrame | None = None,
    stages: pd.DataFrame | None = None,
) -> Policy:
    """A checked policy from the edited tables and the JSON text of the other sections.

    Without `caps` the grade caps are those of `other` (if it has any); with `stages`
    (`stages_frame`, edited) the dunning strategies of `other` take their stages from it
    (`other` as `other_json(policy, stages_apart=True)` gives it).
    """
    try:
        rest = json.loads(other)
    except json.JSONDecodeError as err:
        raise InvalidArgument.coded(
            "risk.error.other_json",
            "The other settings are not valid JSON: {reason} at line {line}.",
            reason=err.msg,
            line=err.lineno,
        ) from None
    if not isinstance(rest, dict):
        raise InvalidArgument.coded(
            "risk.error.other_object",
            "The other settings must be a JSON object {{ ... }}. Got {kind}.",
            kind=type(rest).__name__,
        )
    policy: Policy = copy.deepcopy(rest)
    policy["grades"] = [
        {k: _plain(v) for k, v in row.items()}
        for row in grades.dropna(how="all").to_dict("records")
    ]
    card = {}
    for row in scorecard.to_dict("records"):
        try:
            bands = json.loads(row["bands"])
        except (TypeError, json.JSONDecodeError):
            raise InvalidArgument.coded(
                "risk.error.bands_json",
                "Scorecard `{feature}`: bands must be JSON such as [[5, 0.2], [15, 0.5]]. "
                "Got {value!r}.",
                feature=row["feature"],
                value=row["bands"],
            ) from None
        spec = {"weight": _plain(row["weight"]), "bands": bands}
        if row.get("lower_is_worse"):
            spec["lower_is_worse"] = True
        card[row["feature"]] = spec
    policy["scorecard"] = card
    policy["rules"] = [
        {k: _plain(v) for k, v in row.items()} for row in rules.dropna(how="all").to_dict("records")
    ]
    if caps is not None:
        policy["caps"] = caps_from_frame(caps)
    if stages is not None:
        stages_into(policy, stages)
    return check_policy(policy)


def _plain(value: object) -> object:
    """numpy scalars as Python numbers (whole floats as int), so the JSON reads naturally."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
