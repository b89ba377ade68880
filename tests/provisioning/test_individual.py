"""Individually assessed customers (单项计提), on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from creditdash.audit import audit_log
from creditdash.auth import Actor, PermissionDenied
from creditdash.errors import InvalidArgument, NotFound
from creditdash.provisioning.individual import (
    INDIVIDUAL_ADDED,
    INDIVIDUAL_CHANGED,
    INDIVIDUAL_REMOVED,
    list_individual,
    remove_individual,
    set_individual,
)

ANA = Actor("ana", "credit_manager")
BO = Actor("bo", "credit_manager")


def test_individual_set_replace_remove(engine):
    set_individual(engine, "C1", 0.5, "insolvency filed", actor=ANA)
    set_individual(engine, "C2", 1.0, "disappeared", actor=BO)
    set_individual(engine, "C1", 0.8, "insolvency opened", actor=BO)
    table = list_individual(engine)
    assert table["customer_id"].tolist() == ["C1", "C2"]
    assert table["rate"].tolist() == [0.8, 1.0]
    assert table["reason"].iloc[0] == "insolvency opened"
    assert table["who"].tolist() == ["bo", "bo"]
    remove_individual(engine, "C2", actor=ANA)
    assert list_individual(engine)["customer_id"].tolist() == ["C1"]


def test_every_individual_change_is_audited(engine):
    manager = Actor("mei@example.com", "credit_manager")
    set_individual(engine, "C1", 0.5, "insolvency filed", actor=manager)
    set_individual(engine, "C1", 0.8, "insolvency opened", actor=ANA)
    remove_individual(engine, "C1", actor=manager)
    log = audit_log(engine).iloc[::-1]  # oldest first
    log = log[log["entity_id"] == "C1"]
    assert log["action"].tolist() == [
        INDIVIDUAL_ADDED,
        INDIVIDUAL_CHANGED,
        INDIVIDUAL_REMOVED,
    ]
    assert log["who"].tolist() == ["mei@example.com", "ana", "mei@example.com"]
    assert set(log["entity"]) == {"customer"}
    assert log["at"].notna().all()
    before = [None if pd.isna(b) else json.loads(b) for b in log["before"]]
    after = [None if pd.isna(a) else json.loads(a) for a in log["after"]]
    assert before == [
        None,
        {"rate": 0.5, "reason": "insolvency filed"},
        {"rate": 0.8, "reason": "insolvency opened"},
    ]
    assert after == [
        {"rate": 0.5, "reason": "insolvency filed"},
        {"rate": 0.8, "reason": "insolvency opened"},
        None,
    ]


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_only_credit_managers_change_individual_assessments(engine, role):
    set_individual(engine, "C1", 0.5, "insolvency filed", actor=ANA)
    entries = len(audit_log(engine))
    actor = Actor("sam@example.com", role)
    with pytest.raises(PermissionDenied, match="needs the credit manager role or higher"):
        set_individual(engine, "C1", 1.0, "worse", actor=actor)
    with pytest.raises(PermissionDenied, match="needs the credit manager role or higher"):
        set_individual(engine, "C2", 1.0, "new", actor=actor)
    with pytest.raises(PermissionDenied, match="needs the credit manager role or higher"):
        remove_individual(engine, "C1", actor=actor)
    table = list_individual(engine)
    assert (table["customer_id"].tolist(), table["rate"].tolist()) == (["C1"], [0.5])
    assert len(audit_log(engine)) == entries  # a refusal writes nothing


def test_individual_errors(engine):
    with pytest.raises(InvalidArgument, match="`rate` must be a share between 0 and 1"):
        set_individual(engine, "C1", 1.5, "x", actor=ANA)
    with pytest.raises(InvalidArgument, match="`reason` must say why"):
        set_individual(engine, "C1", 0.5, " ", actor=ANA)
    with pytest.raises(InvalidArgument, match="`customer_id` must name the customer"):
        set_individual(engine, " ", 0.5, "x", actor=ANA)
    with pytest.raises(InvalidArgument, match="`actor` must be the user acting"):
        set_individual(engine, "C1", 0.5, "x", actor="ana")
    with pytest.raises(NotFound, match="Customer 'C9' is not assessed individually"):
        remove_individual(engine, "C9", actor=ANA)
    assert list_individual(engine).empty
