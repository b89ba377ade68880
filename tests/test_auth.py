"""Roles: what each may do, first sign-in becomes admin, role changes are audited."""

from __future__ import annotations

import pytest

from creditdash.audit import audit_log
from creditdash.auth import (
    CLI,
    LOCAL,
    PERMISSIONS,
    ROLES,
    Actor,
    PermissionDenied,
    allows,
    list_roles,
    role_of,
    set_role,
)
from creditdash.errors import InvalidArgument


def test_each_role_may_do_what_its_rank_allows():
    assert allows("viewer", "view") and not allows("viewer", "import")
    assert allows("analyst", "import") and allows("analyst", "edit_cash_plan")
    assert not allows("analyst", "edit_policy") and not allows("analyst", "decide_limit")
    assert allows("credit_manager", "decide_limit") and not allows("credit_manager", "manage_roles")
    assert all(allows("admin", action) for action in PERMISSIONS)
    assert LOCAL.role == CLI.role == "admin"


def test_require_names_the_role_needed():
    with pytest.raises(PermissionDenied, match="needs the credit manager role or higher"):
        Actor("ann@x.cn", "analyst").require("edit_policy")


def test_unknown_role_or_action_is_refused():
    with pytest.raises(InvalidArgument, match="`role` must be one of viewer, analyst"):
        Actor("a@x.cn", "boss")
    with pytest.raises(InvalidArgument, match="`action` must be one of"):
        allows("admin", "fly")


def test_first_signed_in_user_becomes_admin_then_others_have_no_role(engine):
    assert role_of(engine, "Boss@X.cn ") == "admin"
    assert role_of(engine, "other@x.cn") is None
    entries = audit_log(engine)
    assert entries.iloc[0]["action"] == "role_granted" and entries.iloc[0]["who"] == "boss@x.cn"


def test_admin_grants_and_changes_roles_audited(engine):
    role_of(engine, "boss@x.cn")
    boss = Actor("boss@x.cn", "admin")
    set_role(engine, boss, "ann@x.cn", "analyst")
    set_role(engine, boss, "ann@x.cn", "credit_manager")
    assert role_of(engine, "ann@x.cn") == "credit_manager"
    assert list_roles(engine)["email"].tolist() == ["ann@x.cn", "boss@x.cn"]
    changes = audit_log(engine, action="role_changed")
    assert changes["after"].tolist() == ['{"role": "credit_manager"}', '{"role": "analyst"}']
    assert changes.iloc[0]["before"] == '{"role": "analyst"}'
    with pytest.raises(PermissionDenied):
        set_role(engine, Actor("ann@x.cn", "credit_manager"), "x@x.cn", "admin")
    with pytest.raises(InvalidArgument, match="last admin"):
        set_role(engine, boss, "boss@x.cn", "viewer")
    with pytest.raises(InvalidArgument, match="must be an email address"):
        set_role(engine, boss, "nobody", "viewer")
    assert set(ROLES) >= set(list_roles(engine)["role"])
