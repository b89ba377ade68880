"""Saved credit-term scenarios, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from creditdash.audit import audit_log
from creditdash.auth import Actor
from creditdash.errors import InvalidArgument, NotFound
from creditdash.simulate import Scenario, Selection, parse_inputs, scenario_inputs
from creditdash.simulate.scenarios import (
    delete_scenario,
    list_scenarios,
    load_scenario,
    save_scenario,
)

ANA = Actor("ana", "credit_manager")
BO = Actor("bo", "credit_manager")


def test_scenarios_save_replace_list_delete(engine):
    inputs = scenario_inputs(Selection("segment", ("SME",)), Scenario(net_days=45, discount=0.02))
    save_scenario(engine, "SME to 45", inputs, ANA)
    save_scenario(engine, "  All to 60 ", scenario_inputs(Selection(), Scenario(net_days=60)), BO)
    assert parse_inputs(load_scenario(engine, "SME to 45")) == (
        Selection("segment", ("SME",)),
        Scenario(net_days=45, discount=0.02),
    )
    table = list_scenarios(engine)
    assert set(table["name"]) == {"SME to 45", "All to 60"}
    assert table.set_index("name").loc["SME to 45", "who"] == "ana"
    save_scenario(engine, "SME to 45", scenario_inputs(Selection(), Scenario()), BO)
    assert len(list_scenarios(engine)) == 2
    assert load_scenario(engine, "SME to 45")["selection"]["kind"] == "all"
    delete_scenario(engine, "SME to 45", ANA)
    assert list_scenarios(engine)["name"].tolist() == ["All to 60"]
    log = audit_log(engine).iloc[::-1]  # oldest first
    assert log["action"].tolist() == ["scenario_saved"] * 3 + ["scenario_deleted"]
    assert log["who"].tolist() == ["ana", "bo", "bo", "ana"]
    assert log["entity_id"].tolist() == ["SME to 45", "All to 60", "SME to 45", "SME to 45"]


def test_scenario_errors(engine):
    with pytest.raises(InvalidArgument, match="`name` of a scenario must not be empty"):
        save_scenario(engine, "  ", {}, ANA)
    with pytest.raises(InvalidArgument, match="at most 200 characters"):
        save_scenario(engine, "x" * 201, {}, ANA)
    with pytest.raises(NotFound, match="No saved scenario is named 'nope'"):
        load_scenario(engine, "nope")
    with pytest.raises(NotFound, match="No saved scenario is named 'nope'"):
        delete_scenario(engine, "nope", ANA)
