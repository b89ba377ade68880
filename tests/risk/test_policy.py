"""Policy as data: validation messages, versions in the database, changes between versions."""

from __future__ import annotations

import json

import pytest

from creditdash.auth import Actor
from creditdash.errors import InvalidArgument, NotFound
from creditdash.i18n import t
from creditdash.risk.policy import (
    check_policy,
    default_policy,
    penalty_settings,
    policy_from_json,
)
from creditdash.risk.policy_store import (
    current_policy,
    policy_changes,
    policy_version,
    policy_versions,
    save_policy,
)


def test_default_policy_is_created_on_first_use(engine):
    first = current_policy(engine)
    assert first.version == 1 and first.author == "system"
    assert first.policy == default_policy()
    assert current_policy(engine).version == 1  # not created twice


def test_saving_adds_a_version_and_keeps_the_old(engine):
    policy = default_policy()
    policy["grades"][0]["min_score"] = 85
    saved = save_policy(engine, policy, Actor("li.na", "credit_manager"), note="Tighter grade A")
    assert saved.version == 2 and current_policy(engine).policy["grades"][0]["min_score"] == 85
    assert policy_version(engine, 1).policy["grades"][0]["min_score"] == 80
    versions = policy_versions(engine)
    assert list(versions["version"]) == [2, 1]
    assert versions.iloc[0]["author"] == "li.na" and versions.iloc[0]["note"] == "Tighter grade A"
    changes = policy_changes(policy_version(engine, 1).policy, saved.policy)
    assert changes.to_dict("records") == [
        {"path": "grades[A].min_score", "before": "80", "after": "85"}
    ]


def test_saving_needs_an_actor_and_a_valid_policy(engine):
    with pytest.raises(InvalidArgument, match="`actor` must be the user acting"):
        save_policy(engine, default_policy(), "Somebody Else")
    bad = default_policy()
    bad["scorecard"]["utilisation"]["weight"] = 20
    with pytest.raises(InvalidArgument, match="weights must sum to 100. Got 110"):
        save_policy(engine, bad, Actor("x", "credit_manager"))
    assert current_policy(engine).version == 1
    with pytest.raises(NotFound, match="Policy version 7 does not exist"):
        policy_version(engine, 7)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda p: p.pop("rules"), "no `rules` section"),
        (lambda p: p["grades"][1].update(min_score=90), "falling `min_score`"),
        (lambda p: p["grades"][-1].update(min_score=10), "last grade must have `min_score` 0"),
        (
            lambda p: p["scorecard"].update(colour={"weight": 0, "bands": [[1, 1]]}),
            "unknown feature 'colour'",
        ),
        (
            lambda p: p["scorecard"]["utilisation"].update(bands=[[1, 2]]),
            "share of the weight must be <= 1",
        ),
        (lambda p: p["rules"][0].update(action="shout"), "`action` must be one of"),
        (lambda p: p["rules"][0].update(kind="moon"), "`kind` must be one of"),
        (
            lambda p: p["rules"][0].update(threshold="ten"),
            r"`rules\[over_limit\].threshold` must be a number. Got 'ten'",
        ),
        (lambda p: p["caps"][0].update(max_grade="Z"), "max_grade must be one of"),
        (lambda p: p["caps"][0].update(feature="mood"), "every cap needs a `feature`, one of"),
        (
            lambda p: p["caps"][3].update(threshold=20),
            r"Cap 'score_floor': give exactly one test: .* Got threshold, below",
        ),
        (lambda p: p["caps"][4].update(ratings="E"), r"`ratings` must be a non-empty list"),
        (
            lambda p: p["caps"][4].update(ratings=[], threshold=1),
            r"Cap 'default_rating': give exactly one test",
        ),
        (
            lambda p: p["caps"][2].update(within_months=0),
            r"`caps\[legal_recent\].within_months` must be >= 1. Got 0",
        ),
        (
            lambda p: p["caps"][1].update(threshold="one"),
            r"`caps\[legal\].threshold` must be a number. Got 'one'",
        ),
        (
            lambda p: p["grades"][0].update(limit_multiplier=-1),
            r"`grades\[A\].limit_multiplier` must be >= 0. Got -1",
        ),
        (lambda p: p.update(grades=[]), "`grades` must be a non-empty list"),
        (lambda p: p["grades"].append({"min_score": 0}), "Every grade needs a `grade` name"),
        (lambda p: p.update(scorecard={}), "`scorecard` must map feature names"),
        (lambda p: p["scorecard"]["utilisation"].update(bands=5), "`bands` must be a list"),
        (lambda p: p["scorecard"]["utilisation"].update(bands=[[1]]), "each band is"),
        (lambda p: p["rules"].append({"kind": "over_limit"}), "Every rule needs an `id`"),
        (
            lambda p: p["penalties"].update(late_interest_pct_year=-2),
            r"`penalties.late_interest_pct_year` must be >= 0. Got -2",
        ),
        (lambda p: p["rewards"].update(early_discount_pct=100), "must be below 100. Got 100"),
        (lambda p: p.update(rewards=[1]), "`rewards` must be a JSON object of settings"),
    ],
)
def test_policy_rules_name_what_is_wrong(edit, message):
    policy = default_policy()
    edit(policy)
    with pytest.raises(InvalidArgument, match=message):
        check_policy(policy)


def test_policy_json_errors():
    with pytest.raises(InvalidArgument, match="not valid JSON: .* line 1"):
        policy_from_json("{oops")
    with pytest.raises(InvalidArgument, match="must be a JSON object. Got list"):
        policy_from_json("[1, 2]")
    assert policy_from_json(json.dumps(default_policy())) == default_policy()


def test_policy_errors_carry_their_code_for_other_languages():
    from creditdash import i18n

    bad = default_policy()
    bad["scorecard"]["utilisation"]["weight"] = 20
    with pytest.raises(InvalidArgument) as err:
        check_policy(bad)
    assert err.value.code == "risk.error.weights_total"
    assert (
        i18n.t(err.value.code, "zh", **err.value.params) == "评分卡权重之和必须为 100。实际为 110。"
    )


def test_penalty_settings_default_to_zero_when_left_out():
    policy = default_policy()
    del policy["penalties"]
    settings = penalty_settings(check_policy(policy))
    assert settings["late_interest_pct_year"] == 0 and settings["late_fee"] == 0
    assert settings["early_discount_pct"] == 1.0 and settings["limit_increase_pct"] == 10


def test_policy_versions_need_the_role_and_are_audited(engine):
    from creditdash.audit import audit_log
    from creditdash.auth import PermissionDenied

    with pytest.raises(PermissionDenied, match="to edit policy needs the credit manager role"):
        save_policy(engine, default_policy(), Actor("ann@x.cn", "analyst"))
    saved = save_policy(engine, default_policy(), Actor("mo@x.cn", "credit_manager"), note="n")
    [entry] = audit_log(engine, action="policy_version").to_dict("records")
    assert (entry["who"], entry["entity_id"], entry["detail"]) == (
        "mo@x.cn",
        str(saved.version),
        "n",
    )


def test_policy_tables_report_bad_bands_and_other_settings():
    from creditdash.risk import policy_tables as tables

    policy = default_policy()
    grades, card = tables.grades_frame(policy), tables.scorecard_frame(policy)
    rules, other = tables.rules_frame(policy), tables.other_json(policy)
    caps = tables.caps_frame(policy)
    assert tables.policy_from_tables(grades, card, rules, other, caps) == policy
    assert "caps" not in json.loads(other)  # the caps have their own table
    bad = card.copy()
    bad.loc[0, "bands"] = "[[5, 0.2"
    with pytest.raises(InvalidArgument, match="Scorecard `days_late_recent`: bands must be JSON"):
        tables.policy_from_tables(grades, bad, rules, other)
    with pytest.raises(InvalidArgument, match=r"must be a JSON object \{ ... \}. Got list"):
        tables.policy_from_tables(grades, card, rules, "[1]")
    with pytest.raises(InvalidArgument, match="not valid JSON: .* at line 1"):
        tables.policy_from_tables(grades, card, rules, "{")


def test_grade_caps_edited_as_a_table():
    from creditdash.risk import policy_tables as tables

    policy = default_policy()
    caps = tables.caps_frame(policy)
    shown = caps.set_index("id")
    assert shown.loc["score_floor", "test"] == "below" and shown.loc["score_floor", "value"] == "20"
    assert shown.loc["default_rating", "value"] == "D, SD, RD, E, default, 违约"
    assert shown.loc["legal_recent", "within_months"] == 12
    edited = caps.copy()
    edited.loc[edited["id"] == "score_floor", "value"] = "25"
    edited.loc[edited["id"] == "default_rating", "value"] = "D, E,  CCC "
    edited.loc[len(edited)] = ["", "worst_dpd_open", "threshold", "181", None, "E"]
    rest = (tables.grades_frame(policy), tables.scorecard_frame(policy),
            tables.rules_frame(policy), tables.other_json(policy))  # fmt: skip
    saved = tables.policy_from_tables(*rest, edited)["caps"]
    assert saved[3] == {"id": "score_floor", "feature": "bureau_score", "max_grade": "E",
                        "below": 25}  # fmt: skip
    assert saved[4]["ratings"] == ["D", "E", "CCC"]
    assert saved[5] == {"feature": "worst_dpd_open", "max_grade": "E", "threshold": 181}
    edited.loc[edited["id"] == "score_floor", "value"] = "low"
    with pytest.raises(InvalidArgument, match=r"`caps\[score_floor\].below` must be a number"):
        tables.policy_from_tables(*rest, edited)


def test_policy_table_headers_in_either_language_with_special_columns_kept():
    from creditdash.risk import policy_tables as tables

    special = object()
    assert tables.headers(["grade", "weight"], "zh", weight=special) == {
        "grade": t("policy.col.grade", "zh"),
        "weight": special,
    }
    assert tables.headers(["grade"]) == {"grade": t("policy.col.grade")}
    assert t("policy.col.grade", "zh") != t("policy.col.grade")
