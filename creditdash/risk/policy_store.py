"""Policy versions in the database: the newest version is in force.

A new database gets DEFAULT_POLICY as version 1 (author "system") the
first time the policy is read. Saving never overwrites: it adds version
n + 1 with its author and note, so the page can show every change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session

from creditdash import audit
from creditdash.auth import Actor, authorise
from creditdash.errors import NotFound
from creditdash.risk.policy import Policy, check_policy, default_policy
from creditdash.store.risk_models import PolicyVersion

SYSTEM_AUTHOR = "system"  # the author of version 1, made on first use
DEFAULT_NOTE = "Default policy created on first use."


@dataclass(frozen=True)
class StoredPolicy:
    version: int
    policy: Policy
    author: str
    created_at: datetime
    note: str

    @property
    def json(self) -> str:
        """The policy as canonical JSON text (a hashable cache key for the app)."""
        return json.dumps(self.policy, ensure_ascii=False, sort_keys=True)


def _stored(row: PolicyVersion) -> StoredPolicy:
    return StoredPolicy(
        row.version, json.loads(row.policy_json), row.author, row.created_at, row.note
    )


def current_policy(engine: Engine | Connection) -> StoredPolicy:
    """The policy in force (the newest version); creates version 1 from the default if none."""
    with Session(engine) as s, s.begin():
        row = s.scalars(select(PolicyVersion).order_by(PolicyVersion.version.desc())).first()
        if row is None:
            row = PolicyVersion(
                version=1,
                policy_json=json.dumps(default_policy(), ensure_ascii=False),
                author=SYSTEM_AUTHOR,
                created_at=datetime.now().replace(microsecond=0),
                note=DEFAULT_NOTE,
            )
            s.add(row)
        return _stored(row)


def save_policy(engine: Engine, policy: Policy, actor: Actor, note: str = "") -> StoredPolicy:
    """Check `policy` and store it as the next version by `actor` (a new row, nothing overwritten).

    `actor` must be allowed to edit the policy (creditdash.auth); the new version is audited.
    """
    who = authorise(actor, "edit_policy").who
    check_policy(policy)
    current_policy(engine)  # version 1 exists before version 2
    with Session(engine) as s, s.begin():
        latest = s.scalar(select(func.max(PolicyVersion.version))) or 0
        row = PolicyVersion(
            version=latest + 1,
            policy_json=json.dumps(policy, ensure_ascii=False),
            author=who,
            created_at=datetime.now().replace(microsecond=0),
            note=note.strip(),
        )
        s.add(row)
        s.flush()
        audit.record(
            s.connection(),
            who,
            "policy_version",
            "credit_policy",
            row.version,
            after=policy,
            detail=row.note or None,
        )
        return _stored(row)


def policy_version(engine: Engine, version: int) -> StoredPolicy:
    with Session(engine) as s:
        row = s.get(PolicyVersion, version)
        if row is None:
            raise NotFound.coded(
                "risk.error.policy_version", "Policy version {version} does not exist.",
                version=version,
            )  # fmt: skip
        return _stored(row)


def policy_versions(engine: Engine) -> pd.DataFrame:
    """version, author, created_at, note; newest first."""
    current_policy(engine)
    with Session(engine) as s:
        rows = s.execute(
            select(
                PolicyVersion.version,
                PolicyVersion.author,
                PolicyVersion.created_at,
                PolicyVersion.note,
            ).order_by(PolicyVersion.version.desc())
        ).all()
    return pd.DataFrame.from_records(rows, columns=["version", "author", "created_at", "note"])


def policy_changes(old: Policy, new: Policy) -> pd.DataFrame:
    """What changed between two policies: path, before, after (one row per changed leaf)."""
    before, after = _flatten(old), _flatten(new)
    rows = [
        {"path": key, "before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]
    return pd.DataFrame(rows, columns=["path", "before", "after"]).astype(
        {"before": "str", "after": "str"}
    )


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for i, v in enumerate(value):
            name = v.get("grade") or v.get("id") or v.get("feature") or str(i)
            out.update(_flatten(v, f"{prefix}[{name}]"))
        return out
    return {prefix: value}
