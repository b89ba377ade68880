"""Roles: what each may do, first sign-in becomes admin, role changes are audited, and every
library function that writes refuses a viewer and a bare name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, table

from creditdash.audit import audit_log
from creditdash.auth import (
    CLI,
    LOCAL,
    PERMISSIONS,
    ROLES,
    Actor,
    PermissionDenied,
    allows,
    command_line,
    list_roles,
    role_of,
    set_role,
)
from creditdash.errors import InvalidArgument
from creditdash.forecast.cashplan import CashPlan, delete_plan, save_plan
from creditdash.importing import import_sources, list_imports, rollback
from creditdash.ingest import Source
from creditdash.provisioning.individual import remove_individual, set_individual
from creditdash.review import take_snapshot
from creditdash.risk.bureau import FileProvider, import_reports
from creditdash.risk.holds import apply_action, release
from creditdash.risk.policy import default_policy
from creditdash.risk.policy_store import save_policy
from creditdash.risk.requests import decide_request, list_requests, submit_request
from creditdash.simulate.scenarios import delete_scenario, save_scenario
from creditdash.store import load_ledger

ROOT = Path(__file__).resolve().parents[1]


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


def test_the_command_line_acts_under_the_name_given():
    assert command_line("mo") == Actor("mo", "admin")
    assert command_line("  ") == CLI


# ------------------------------------------------------------ every write checks the actor
LEDGER = """Invoice No,Customer ID,Customer Name,Invoice Date,Due Date,Amount
INV-1,C1,Acme,2024-01-05,2024-02-04,"1,000.00"
INV-2,C2,北京华盛,2024-02-15,2024-03-16,"2,000.00"
"""
REPORT = b"Customer ID,Score,Report Date\nC1,70,2025-06-01\n"
VIEWER = Actor("viewer@x.cn", "viewer")


@pytest.fixture
def book(engine):
    """A database in which each write below would succeed for an admin."""
    import_sources(engine, [Source("ledger.csv", LEDGER.encode())], actor=LOCAL)
    import_sources(engine, [Source("more.csv", LEDGER.replace("INV-", "INV-9").encode())],
                   actor=LOCAL)  # fmt: skip
    submit_request(engine, "C1", 100_000, "First limit", LOCAL)
    apply_action(engine, "C2", "warn", "Slow payer", LOCAL)
    save_plan(engine, CashPlan("Base", 0, 0), LOCAL)
    save_scenario(engine, "SME to 45", {"net_days": 45}, LOCAL)
    set_individual(engine, "C2", 0.5, "court case", actor=LOCAL)
    return engine


def _pending(engine) -> int:
    return int(list_requests(engine).query("status == 'pending'")["request_id"].iloc[0])


def _newest_import(engine) -> int:
    return int(list_imports(engine)["import_id"].max())


# name -> a call as `actor` that writes; the test asserts an admin's call goes through
WRITES = {
    "import_sources": lambda e, a: import_sources(
        e, [Source("new.csv", LEDGER.replace("INV-", "INV-7").encode())], actor=a
    ),
    "rollback": lambda e, a: rollback(e, _newest_import(e), actor=a),
    "save_policy": lambda e, a: save_policy(e, default_policy(), a, "n"),
    "submit_request": lambda e, a: submit_request(e, "C1", 200_000, "More", a),
    "decide_request": lambda e, a: decide_request(e, _pending(e), True, "Good record", a),
    "apply_action": lambda e, a: apply_action(e, "C1", "hold", "Cheque bounced", a),
    "release": lambda e, a: release(e, "C2", "Paid", a),
    "import_reports": lambda e, a: import_reports(
        e, FileProvider([Source("r.csv", REPORT)], scale="0-100"), load_ledger(e).customers, actor=a
    ),
    "save_plan": lambda e, a: save_plan(e, CashPlan("Stress", 100, 0), a),
    "delete_plan": lambda e, a: delete_plan(e, "Base", a),
    "save_scenario": lambda e, a: save_scenario(e, "All to 60", {"net_days": 60}, a),
    "delete_scenario": lambda e, a: delete_scenario(e, "SME to 45", a),
    "set_individual": lambda e, a: set_individual(e, "C1", 1.0, "disappeared", actor=a),
    "remove_individual": lambda e, a: remove_individual(e, "C2", actor=a),
    "take_snapshot": lambda e, a: take_snapshot(
        e, load_ledger(e), "2024-03-31", trigger="manual", actor=a
    ),
    "set_role": lambda e, a: set_role(e, a, "ann@x.cn", "analyst"),
}


def _rows(engine) -> dict[str, int]:
    """Rows per table: what a refused call must leave as it was."""
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in inspect(engine).get_table_names()
        }


@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_write_refuses_a_viewer_and_a_name_and_writes_nothing(book, name):
    write = WRITES[name]
    before = _rows(book)
    with pytest.raises(PermissionDenied, match="viewer@x.cn is a viewer; to .* needs the"):
        write(book, VIEWER)
    with pytest.raises(InvalidArgument, match="`actor` must be the user acting") as refused:
        write(book, "Somebody Else")
    assert refused.value.code == "error.auth.not_actor"
    assert _rows(book) == before
    write(book, LOCAL)  # the same call goes through for a role that may
    assert _rows(book) != before


def _checked(functions: dict[str, str]) -> set[str]:
    """The functions (name -> source) of one module that write only once the actor is checked.

    A function runs checked when it calls `authorise`, or when it is a private helper and
    every function of the module that calls it runs checked (it acts on their behalf).
    """
    runs_checked = {name for name, body in functions.items() if "authorise(" in body}
    changed = True
    while changed:
        changed = False
        for name in set(functions) - runs_checked:
            callers = [n for n, b in functions.items() if n != name and f"{name}(" in b]
            if name.startswith("_") and callers and set(callers) <= runs_checked:
                runs_checked.add(name)
                changed = True
    return runs_checked | {name for name, body in functions.items() if ".begin()" not in body}


def test_every_function_that_opens_a_write_checks_the_actor():
    """A new function that writes must start with `authorise` (or be one of the trusted few)."""
    trusted = {
        "audit.record_event",  # the audit entry of an action its caller checked
        "auth.role_of",  # the first sign-in of an empty roles table becomes admin
        "risk.policy_store.current_policy",  # version 1 from the default, on first read
    }
    unchecked = []
    for path in sorted((ROOT / "creditdash").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        module = ".".join(path.relative_to(ROOT / "creditdash").with_suffix("").parts)
        functions = {
            node.name: ast.get_source_segment(source, node) or ""
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef)
        }
        ok = _checked(functions)
        unchecked += [f"{module}.{n}" for n in functions if n not in ok]
    assert sorted(set(unchecked) - trusted) == []


def test_the_write_scan_follows_private_helpers_and_flags_the_rest():
    functions = {
        "save": "def save(e, actor):\n    authorise(actor, 'import')\n    _hand_over(e)",
        "_hand_over": "def _hand_over(e):\n    _put(e)",
        "_put": "def _put(e):\n    with e.begin() as c: ...",
        "load": "def load(e):\n    with e.begin() as c: ...",  # public: must check itself
        "_orphan": "def _orphan(e):\n    with e.begin() as c: ...",  # no caller checks
        "report": "def report(e):\n    _orphan(e)",
    }
    assert set(functions) - _checked(functions) == {"load", "_orphan"}


def test_who_did_it_is_named_in_the_readers_language():
    from creditdash.auth import CLI, LOCAL, person

    assert person(LOCAL.who, "en") == "local user" and person(LOCAL.who, "zh") == "本机用户"
    assert person(CLI.who, "zh") == "命令行"
    assert person("ann@x.cn", "zh") == "ann@x.cn"
    assert person(None) == "" and person(float("nan")) == ""
