"""The dunning section of the credit policy: defaults, and every rule a saved policy must keep."""

from __future__ import annotations

import copy

import pytest

from creditdash.errors import InvalidArgument
from creditdash.i18n import Text
from creditdash.risk.dunning import (
    DEFAULT_DUNNING,
    STAGE_ACTIONS,
    TEMPLATE_FIELDS,
    check_dunning,
    dunning_of,
)
from creditdash.risk.policy import check_policy, default_policy, policy_from_json, policy_to_json


def test_the_default_policy_carries_the_default_strategy_and_passes_its_checks():
    policy = default_policy()
    assert policy["dunning"] == DEFAULT_DUNNING
    check_policy(policy)
    standard = policy["dunning"]["strategies"][-1]
    assert [s["days"] for s in standard["stages"]] == [-3, 1, 15, 30, 60, 90]
    final = next(s for s in standard["stages"] if s["id"] == "final")
    assert "hold" in final["actions"] and final["interest"] and final["fee"]
    assert set(policy["dunning"]["strategies"][0]["grades"]) == {"D", "E"}


def test_a_policy_saved_without_a_dunning_section_reads_as_the_default():
    policy = default_policy()
    del policy["dunning"]
    assert check_policy(policy) is policy
    assert dunning_of(policy) == DEFAULT_DUNNING
    assert dunning_of(policy) is not DEFAULT_DUNNING  # a copy the caller may change


def test_the_policy_round_trips_through_json_with_its_templates():
    policy = default_policy()
    assert policy_from_json(policy_to_json(policy))["dunning"]["templates"]["final"]["zh"]


def test_default_templates_fill_in_both_languages_with_every_field():
    fields = dict.fromkeys(TEMPLATE_FIELDS, "x")
    for name, texts in DEFAULT_DUNNING["templates"].items():
        for lang in ("zh", "en"):
            assert texts[lang]["subject"].format(**fields), name
            assert texts[lang]["body"].format(**fields), name


def _broken(change) -> dict:
    section = copy.deepcopy(DEFAULT_DUNNING)
    change(section)
    return section


def _standard(section: dict) -> dict:
    return section["strategies"][-1]


CASES = [
    ("collections.error.dunning_language", lambda s: s.update(default_language="fr"), "fr"),
    ("collections.error.dunning_days", lambda s: s.update(pay_within_days=-1), "-1"),
    ("collections.error.dunning_days", lambda s: s.update(promise_grace_days=1.5), "1.5"),
    ("collections.error.templates", lambda s: s.update(templates={}), None),
    ("collections.error.template_text",
     lambda s: s["templates"]["final"].pop("en"), "'final' needs a subject and a body in en"),
    ("collections.error.template_braces",
     lambda s: s["templates"]["final"]["zh"].update(body="欠款 {overdue"), "literal brace"),
    ("collections.error.template_field",
     lambda s: s["templates"]["final"]["en"].update(subject="Pay {debt}"), "unknown fields debt"),
    ("collections.error.strategies_empty", lambda s: s.update(strategies=[]), None),
    ("collections.error.strategy_id", lambda s: _standard(s).pop("id"), None),
    ("collections.error.strategy_repeated",
     lambda s: s["strategies"].insert(0, copy.deepcopy(_standard(s))), "'standard' appears twice"),
    ("collections.error.strategy_list", lambda s: _standard(s).update(segments="SME"), "SME"),
    ("collections.error.strategy_grade",
     lambda s: s["strategies"][0].update(grades=["D", "Z"]), "grades the policy does not have: Z"),
    ("collections.error.no_catch_all",
     lambda s: _standard(s).update(segments=["SME"]), "'standard'"),
    ("collections.error.stages_empty", lambda s: _standard(s).update(stages=[]), None),
    ("collections.error.stage_id", lambda s: _standard(s)["stages"][0].pop("id"), None),
    ("collections.error.stage_days",
     lambda s: _standard(s)["stages"][0].update(days="-3"), "'courtesy'"),
    ("collections.error.stage_actions",
     lambda s: _standard(s)["stages"][0].update(actions=["fax"]), "fax"),
    ("collections.error.stage_actions",
     lambda s: _standard(s)["stages"][0].update(actions=["email", "email"]), None),
    ("collections.error.stage_template",
     lambda s: _standard(s)["stages"][0].update(template="nice"), "'nice'"),
    ("collections.error.stage_flag",
     lambda s: _standard(s)["stages"][0].update(interest="yes"), "`interest`"),
    ("collections.error.stage_repeated",
     lambda s: _standard(s)["stages"][1].update(id="courtesy"), "stage 'courtesy' twice"),
    ("collections.error.stage_order",
     lambda s: _standard(s)["stages"][2].update(days=1), "at 1 days must come later"),
]  # fmt: skip


@pytest.mark.parametrize("code,change,shown", CASES, ids=[f"{c[0]}-{i}" for i, c in
                                                          enumerate(CASES)])  # fmt: skip
def test_each_broken_rule_is_named_in_both_languages(code, change, shown):
    section = _broken(change)
    with pytest.raises(InvalidArgument) as caught:
        check_dunning(section, ["A", "B", "C", "D", "E"])
    err = caught.value
    assert err.code == code
    if shown:
        assert shown in str(err)
    assert Text.of_error(err).render("zh") != str(err)  # the Chinese text exists and differs


def test_check_policy_refuses_a_broken_dunning_section():
    policy = default_policy()
    policy["dunning"]["strategies"][0]["grades"] = ["F"]
    with pytest.raises(InvalidArgument, match="grades the policy does not have: F"):
        check_policy(policy)


def test_negative_days_and_every_action_are_allowed():
    section = _broken(lambda s: _standard(s)["stages"][0].update(days=-10,
                                                                actions=list(STAGE_ACTIONS)))  # fmt: skip
    assert check_dunning(section, ["A", "B", "C", "D", "E"]) is section


def test_the_section_must_be_an_object():
    with pytest.raises(InvalidArgument, match="`dunning` must be a JSON object") as caught:
        check_dunning(["stages"], ["A"])
    assert "催收策略" in Text.of_error(caught.value).render("zh")
