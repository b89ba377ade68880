"""Limit change requests: approve / reject with a reason, kept as an audit trail."""

from __future__ import annotations

import pytest

from creditdash.errors import InvalidArgument, NotFound
from creditdash.risk.requests import (
    approved_limits,
    decide_request,
    decision_log,
    list_requests,
    submit_request,
)


def test_request_approve_and_audit_trail(engine):
    first = submit_request(
        engine, "C1", 5_000_000, "New project", who="wang.lei", current_limit_cents=3_000_000
    )
    second = submit_request(engine, "C1", 8_000_000, "Even more", who="wang.lei")
    assert decide_request(engine, first, True, "Good record", who="credit.manager") == "approved"
    assert (
        decide_request(engine, second, False, "Too much for grade C", who="credit.manager")
        == "rejected"
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
    rid = submit_request(engine, "C2", 100, "x", who="a")
    decide_request(engine, rid, False, "no", who="b")
    with pytest.raises(InvalidArgument, match=f"#{rid} is already rejected"):
        decide_request(engine, rid, True, "changed my mind", who="b")
    assert len(decision_log(engine)) == 1


def test_requests_need_reason_who_and_a_sane_limit(engine):
    with pytest.raises(InvalidArgument, match="`reason` must not be empty"):
        submit_request(engine, "C1", 100, "  ", who="a")
    with pytest.raises(InvalidArgument, match="`requested_limit` must be >= 0"):
        submit_request(engine, "C1", -100, "x", who="a")
    rid = submit_request(engine, "C1", 100, "x", who="a")
    with pytest.raises(InvalidArgument, match="`who` must not be empty"):
        decide_request(engine, rid, True, "ok", who="")
    with pytest.raises(NotFound, match="#999 does not exist"):
        decide_request(engine, 999, True, "ok", who="b")


def test_limit_decisions_need_the_role_and_land_in_the_audit_log(engine):
    from creditdash.audit import audit_log
    from creditdash.auth import Actor, PermissionDenied

    analyst = Actor("ann@x.cn", "analyst")
    manager = Actor("mo@x.cn", "credit_manager")
    rid = submit_request(
        engine, "C1", 5_000_000, "New project", who=analyst, current_limit_cents=3_000_000
    )
    with pytest.raises(PermissionDenied, match="needs the credit manager role"):
        decide_request(engine, rid, True, "ok", who=analyst)
    with pytest.raises(PermissionDenied):
        submit_request(engine, "C1", 1, "x", who=Actor("v@x.cn", "viewer"))
    decide_request(engine, rid, True, "Good record", who=manager)
    log = audit_log(engine)
    assert log["action"].tolist() == ["limit_approved", "limit_requested"]
    assert log["who"].tolist() == ["mo@x.cn", "ann@x.cn"]
    assert (
        '"limit": 50000.0' in log.iloc[0]["after"] and '"limit": 30000.0' in log.iloc[0]["before"]
    )
