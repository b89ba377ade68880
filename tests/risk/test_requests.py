"""Limit change requests: approve / reject with a reason, kept as an audit trail."""

from __future__ import annotations

import pytest

from creditdash.auth import Actor
from creditdash.errors import InvalidArgument, NotFound
from creditdash.risk.requests import (
    approved_limits,
    decide_request,
    decision_log,
    list_requests,
    submit_request,
)

WANG = Actor("wang.lei", "analyst")
MANAGER = Actor("credit.manager", "credit_manager")


def test_request_approve_and_audit_trail(engine):
    first = submit_request(
        engine, "C1", 5_000_000, "New project", actor=WANG, current_limit_cents=3_000_000
    )
    second = submit_request(engine, "C1", 8_000_000, "Even more", actor=WANG)
    assert decide_request(engine, first, True, "Good record", actor=MANAGER) == "approved"
    assert (
        decide_request(engine, second, False, "Too much for grade C", actor=MANAGER) == "rejected"
    )
    table = list_requests(engine).set_index("request_id")
    assert (
        table.loc[first, "status"] == "approved"
        and table.loc[first, "decided_by"] == "credit.manager"
    )
    assert table.loc[first, "current_limit_cents"] == 3_000_000
    assert table.loc[second, "decision_reason"] == "Too much for grade C"
    log = decision_log(engine)
    assert list(log["decision"]) == ["approved", "rejected"]
    assert list(log["requested_limit_cents"]) == [5_000_000, 8_000_000]
    assert approved_limits(engine) == {"C1": 5_000_000}


def test_a_decided_request_cannot_be_decided_again(engine):
    rid = submit_request(engine, "C2", 100, "x", actor=WANG)
    decide_request(engine, rid, False, "no", actor=MANAGER)
    with pytest.raises(InvalidArgument, match=f"#{rid} is already rejected"):
        decide_request(engine, rid, True, "changed my mind", actor=MANAGER)
    assert len(decision_log(engine)) == 1


def test_requests_need_a_reason_an_actor_and_a_sane_limit(engine):
    with pytest.raises(InvalidArgument, match="`reason` must not be empty"):
        submit_request(engine, "C1", 100, "  ", actor=WANG)
    with pytest.raises(InvalidArgument, match="`requested_limit` must be >= 0"):
        submit_request(engine, "C1", -100, "x", actor=WANG)
    rid = submit_request(engine, "C1", 100, "x", actor=WANG)
    with pytest.raises(InvalidArgument, match="`actor` must be the user acting"):
        decide_request(engine, rid, True, "ok", actor="credit.manager")
    with pytest.raises(NotFound, match="#999 does not exist"):
        decide_request(engine, 999, True, "ok", actor=MANAGER)


def test_limit_decisions_need_the_role_and_land_in_the_audit_log(engine):
    from creditdash.audit import audit_log
    from creditdash.auth import PermissionDenied

    analyst = Actor("ann@x.cn", "analyst")
    manager = Actor("mo@x.cn", "credit_manager")
    rid = submit_request(
        engine, "C1", 5_000_000, "New project", actor=analyst, current_limit_cents=3_000_000
    )
    with pytest.raises(PermissionDenied, match="needs the credit manager role"):
        decide_request(engine, rid, True, "ok", actor=analyst)
    with pytest.raises(PermissionDenied):
        submit_request(engine, "C1", 1, "x", actor=Actor("v@x.cn", "viewer"))
    decide_request(engine, rid, True, "Good record", actor=manager)
    log = audit_log(engine)
    assert log["action"].tolist() == ["limit_approved", "limit_requested"]
    assert log["who"].tolist() == ["mo@x.cn", "ann@x.cn"]
    assert (
        '"limit": 50000.0' in log.iloc[0]["after"] and '"limit": 30000.0' in log.iloc[0]["before"]
    )
