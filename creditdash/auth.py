"""Roles and what each may do; checked in the library, not only by hiding buttons.

    viewer          sees everything, changes nothing
    analyst         + imports data, edits cash plans and scenarios
    credit_manager  + limits, approvals, credit policy
    admin           + users and roles

Without sign-in configured the app runs as one trusted local user
(`LOCAL`, an admin) and listens on 127.0.0.1 only; the command line runs as
`CLI` (or `command_line(who)`), also trusted. Every library function that
writes takes an `Actor` and starts with `authorise(actor, action)`, which
raises `PermissionDenied` (of the one error tree, creditdash.errors; it can
be imported from here too) when the role does not allow the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, func, select

from creditdash.errors import InvalidArgument, PermissionDenied
from creditdash.i18n import Text, t

ROLES = ("viewer", "analyst", "credit_manager", "admin")

# action -> the least role that may do it
PERMISSIONS: dict[str, str] = {
    "view": "viewer",
    "generate_report": "viewer",  # a pack is a view of the figures; it is audited
    "import": "analyst",
    "rollback": "analyst",
    "edit_cash_plan": "analyst",
    "save_scenario": "analyst",
    "take_snapshot": "analyst",
    "edit_policy": "credit_manager",
    "request_limit": "analyst",
    "decide_limit": "credit_manager",
    "set_credit_status": "credit_manager",  # warn, hold orders, cash in advance, release
    "import_bureau": "credit_manager",
    "record_collection": "analyst",  # contacts, promises to pay, disputes and their resolution
    "send_dunning": "analyst",  # statements and dunning letters by email or post
    "assign_collector": "credit_manager",  # who collects from whom, letters' language
    "manage_roles": "admin",
}


def allows(role: str, action: str) -> bool:
    """True when `role` is at least the role `action` needs."""
    if action not in PERMISSIONS:
        raise InvalidArgument.coded(
            "error.choice", "`{name}` must be one of {options}. Got {value!r}.",
            name="action", options=", ".join(sorted(PERMISSIONS)), value=action,
        )  # fmt: skip
    return ROLES.index(role) >= ROLES.index(PERMISSIONS[action])


@dataclass(frozen=True)
class Actor:
    """Who is acting and in which role."""

    who: str
    role: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise InvalidArgument.coded(
                "error.choice", "`{name}` must be one of {options}. Got {value!r}.",
                name="role", options=", ".join(ROLES), value=self.role,
            )  # fmt: skip

    def can(self, action: str) -> bool:
        return allows(self.role, action)

    def require(self, action: str) -> None:
        """Raise PermissionDenied unless this actor's role allows `action`."""
        if not self.can(action):
            raise PermissionDenied.coded(
                "error.auth.denied",
                "{who} is a {role}; to {action} needs the {need} role or higher. Ask an admin.",
                who=self.who,
                role=Text(f"role.{self.role}"),
                action=Text(f"auth.action.{action}"),
                need=Text(f"role.{PERMISSIONS[action]}"),
            )


LOCAL = Actor("local user", "admin")
CLI = Actor("command line", "admin")


def person(who: object, lang: str = "en") -> str:
    """Who did something as the reader says it: the trusted local user and the command line
    named in `lang`, a signed-in user by their e-mail; nobody (None, NaN) as empty."""
    if who is None or (isinstance(who, float) and who != who):
        return ""
    names = {LOCAL.who: "auth.who.local", CLI.who: "auth.who.cli"}
    return t(names[who], lang) if who in names else str(who)


def authorise(actor: Actor, action: str) -> Actor:
    """`actor`, once its role is checked for `action`: the first line of every library write.

    Only an `Actor` is accepted, never a name: the audit trail's author is the user
    the app signed in (or the trusted local user / command line), not a name typed
    into a box.
    """
    if not isinstance(actor, Actor):
        raise InvalidArgument.coded(
            "error.auth.not_actor",
            "`actor` must be the user acting (creditdash.auth.Actor), not a name. Got {value!r}.",
            value=actor,
        )
    actor.require(action)
    return actor


def command_line(who: str = "") -> Actor:
    """The command line acting, under the name given with `--who` (kept in the audit trail).

    The command line is trusted like `CLI`: whoever runs it holds the database itself.
    """
    return Actor(who.strip() or CLI.who, CLI.role)


def _table():
    from creditdash.store.admin_models import UserRole

    return UserRole.__table__


def role_of(engine: Engine, email: str) -> str | None:
    """The role of a signed-in email; the first user of an empty roles table becomes admin."""
    from creditdash.audit import record

    t = _table()
    email = email.strip().lower()
    with engine.begin() as conn:
        found = conn.execute(select(t.c.role).where(t.c.email == email)).scalar()
        if found:
            return found
        if conn.execute(select(func.count()).select_from(t)).scalar() == 0:
            conn.execute(
                t.insert().values(
                    email=email, role="admin", granted_by="first sign-in", granted_at=datetime.now()
                )
            )
            record(
                conn,
                email,
                "role_granted",
                "user",
                email,
                after={"role": "admin"},
                detail="first signed-in user of an empty roles table",
            )
            return "admin"
    return None


def set_role(engine: Engine, actor: Actor, email: str, role: str | None) -> None:
    """Grant `role` to `email` (None removes the user); admins only, audited."""
    from creditdash.audit import record

    authorise(actor, "manage_roles")
    if role is not None and role not in ROLES:
        raise InvalidArgument.coded(
            "error.choice", "`{name}` must be one of {options}. Got {value!r}.",
            name="role", options=", ".join(ROLES), value=role,
        )  # fmt: skip
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidArgument.coded(
            "error.auth.email", "`email` must be an email address. Got {email!r}.", email=email
        )
    t = _table()
    with engine.begin() as conn:
        before = conn.execute(select(t.c.role).where(t.c.email == email)).scalar()
        admins = conn.execute(
            select(func.count()).select_from(t).where(t.c.role == "admin")
        ).scalar_one()
        if before == "admin" and role != "admin" and admins <= 1:
            raise InvalidArgument.coded(
                "error.auth.last_admin",
                "{email} is the last admin; make someone else admin first.",
                email=email,
            )
        conn.execute(t.delete().where(t.c.email == email))
        if role is not None:
            conn.execute(
                t.insert().values(
                    email=email, role=role, granted_by=actor.who, granted_at=datetime.now()
                )
            )
        record(
            conn,
            actor.who,
            "role_changed",
            "user",
            email,
            before={"role": before},
            after={"role": role},
        )


def list_roles(engine: Engine) -> pd.DataFrame:
    """email, role, granted_by, granted_at; one row per user."""
    t = _table()
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.email)).mappings().all()
    return pd.DataFrame(rows, columns=["email", "role", "granted_by", "granted_at"])
