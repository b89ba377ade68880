"""The dunning stages edited as a table on the Credit policy page and saved back."""

from __future__ import annotations

import json

import numpy as np
import pytest

from creditdash.errors import InvalidArgument
from creditdash.risk import policy_tables as tables
from creditdash.risk.policy import default_policy


def parts(policy: dict) -> tuple:
    """Every table of the page and the other settings as the page shows them."""
    return (tables.grades_frame(policy), tables.scorecard_frame(policy),
            tables.rules_frame(policy), tables.other_json(policy, stages_apart=True),
            tables.caps_frame(policy))  # fmt: skip


def test_the_stages_table_lists_every_stage_and_saves_back_unchanged():
    policy = default_policy()
    frame = tables.stages_frame(policy)
    assert list(frame.columns) == tables.STAGE_COLUMNS
    assert len(frame) == 5 + 6  # high_risk, then standard
    first = frame.iloc[0].to_dict()
    assert first == {"strategy": "high_risk", "id": "courtesy", "days": -7, "actions": ["email"],
                     "template": "courtesy", "interest": False, "fee": False}  # fmt: skip
    other = json.loads(tables.other_json(policy, stages_apart=True))
    assert all("stages" not in s for s in other["dunning"]["strategies"])
    assert other["dunning"]["templates"] == policy["dunning"]["templates"]
    assert tables.policy_from_tables(*parts(policy), frame) == policy


def test_edited_days_actions_and_a_new_stage_are_saved_in_order():
    policy = default_policy()
    frame = tables.stages_frame(policy).astype(object)  # as the editor returns added rows
    warning = (frame["strategy"] == "standard") & (frame["id"] == "warning")
    frame.loc[warning, "days"] = 45.0  # a number column gives floats
    frame.at[frame.index[warning][0], "actions"] = ["email", "call", "hold"]
    frame.loc[len(frame)] = ["standard", "nudge", 7.0, ["call"], "reminder", None, np.True_]
    frame.loc[len(frame)] = [None] * len(tables.STAGE_COLUMNS)  # a blank row is dropped
    saved = tables.policy_from_tables(*parts(policy), frame)
    stages = saved["dunning"]["strategies"][1]["stages"]
    assert [(s["id"], s["days"]) for s in stages] == [
        ("courtesy", -3), ("reminder", 1), ("nudge", 7), ("second_reminder", 15),
        ("warning", 45), ("final", 60), ("legal", 90),
    ]  # fmt: skip
    assert stages[2] == {"id": "nudge", "days": 7, "actions": ["call"], "template": "reminder",
                         "interest": False, "fee": True}  # fmt: skip
    assert stages[4]["actions"] == ["email", "call", "hold"]
    assert saved["dunning"]["strategies"][0] == policy["dunning"]["strategies"][0]


def test_a_stage_of_an_unknown_strategy_is_refused():
    policy = default_policy()
    frame = tables.stages_frame(policy)
    frame.loc[0, "strategy"] = "vip"
    with pytest.raises(InvalidArgument, match="names strategy 'vip', which the dunning section "
                                              "does not have \\(high_risk, standard\\)"):  # fmt: skip
        tables.policy_from_tables(*parts(policy), frame)


def test_the_policy_check_names_a_bad_stage():
    policy = default_policy()
    frame = tables.stages_frame(policy)
    frame.loc[1, "days"] = np.nan
    with pytest.raises(InvalidArgument, match="Dunning stage 'reminder': `days` must be a whole"):
        tables.policy_from_tables(*parts(policy), frame)
    frame = tables.stages_frame(policy)
    frame.at[2, "actions"] = []
    with pytest.raises(InvalidArgument, match="Dunning stage 'warning': `actions` must be a list"):
        tables.policy_from_tables(*parts(policy), frame)
    frame = tables.stages_frame(policy)
    frame = frame[frame["strategy"] != "standard"]  # a strategy left without stages
    with pytest.raises(InvalidArgument, match="'standard' needs a non-empty list of `stages`"):
        tables.policy_from_tables(*parts(policy), frame)


def test_a_policy_saved_before_dunning_existed_shows_the_default_stages():
    policy = default_policy()
    del policy["dunning"]
    assert len(tables.stages_frame(policy)) == 11
    shown = json.loads(tables.other_json(policy, stages_apart=True))
    assert [s["id"] for s in shown["dunning"]["strategies"]] == ["high_risk", "standard"]
    assert "dunning" not in json.loads(tables.other_json(policy))
