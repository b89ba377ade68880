"""Saved credit-term scenarios and individually assessed customers, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from creditdash.errors import InvalidArgument, NotFound
from creditdash.simulate import Scenario, Selection, parse_inputs, scenario_inputs
from creditdash.store.terms import (
    delete_scenario,
    list_individual,
    list_scenarios,
    load_scenario,
    remove_individual,
    save_scenario,
    set_individual,
)


def test_scenarios_save_replace_list_delete(engine):
    inputs = scenario_inputs(Selection("segment", ("SME",)), Scenario(net_days=45, discount=0.02))
    save_scenario(engine, "SME to 45", inputs, who="ana")
    save_scenario(engine, "  All to 60 ", scenario_inputs(Selection(), Scenario(net_days=60)))
    assert parse_inputs(load_scenario(engine, "SME to 45")) == (
        Selection("segment", ("SME",)),
        Scenario(net_days=45, discount=0.02),
    )
    table = list_scenarios(engine)
    assert set(table["name"]) == {"SME to 45", "All to 60"}
    assert table.set_index("name").loc["SME to 45", "who"] == "ana"
    save_scenario(engine, "SME to 45", scenario_inputs(Selection(), Scenario()), who="bo")
    assert len(list_scenarios(engine)) == 2
    assert load_scenario(engine, "SME to 45")["selection"]["kind"] == "all"
    delete_scenario(engine, "SME to 45")
    assert list_scenarios(engine)["name"].tolist() == ["All to 60"]


def test_scenario_errors(engine):
    with pytest.raises(InvalidArgument, match="`name` of a scenario must not be empty"):
        save_scenario(engine, "  ", {})
    with pytest.raises(InvalidArgument, match="at most 200 characters"):
        save_scenario(engine, "x" * 201, {})
    with pytest.raises(NotFound, match="No saved scenario is named 'nope'"):
        load_scenario(engine, "nope")
    with pytest.raises(NotFound, match="No saved scenario is named 'nope'"):
        delete_scenario(engine, "nope")


def test_individual_set_replace_remove(engine):
    set_individual(engine, "C1", 0.5, "insolvency filed", who="ana")
    set_individual(engine, "C2", 1.0, "disappeared")
    set_individual(engine, "C1", 0.8, "insolvency opened")
    table = list_individual(engine)
    assert table["customer_id"].tolist() == ["C1", "C2"]
    assert table["rate"].tolist() == [0.8, 1.0]
    assert table["reason"].iloc[0] == "insolvency opened"
    remove_individual(engine, "C2")
    assert list_individual(engine)["customer_id"].tolist() == ["C1"]


def test_individual_errors(engine):
    with pytest.raises(InvalidArgument, match="`rate` must be a share between 0 and 1"):
        set_individual(engine, "C1", 1.5, "x")
    with pytest.raises(InvalidArgument, match="`reason` must say why"):
        set_individual(engine, "C1", 0.5, " ")
    with pytest.raises(NotFound, match="Customer 'C9' is not assessed individually"):
        remove_individual(engine, "C9")
