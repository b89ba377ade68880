"""The audit trail of credit decisions and data changes (append-only).

Imports, rollbacks, policy versions, limit decisions, role changes and
report generations each add one entry: who, when, what, and the state
before and after. No code path updates or deletes an entry, and the
database itself refuses it (triggers in migration 0006_admin).
"""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, insert, select
from sqlalchemy.engine import Connection

from creditdash.store.admin_models import AuditEntry

AUDIT_COLUMNS = [
    "entry_id",
    "at",
    "who",
    "action",
    "entity",
    "entity_id",
    "before",
    "after",
    "detail",
]


def _json(value: object) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def record(
    conn: Connection,
    who: str,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    before: object = None,
    after: object = None,
    detail: str | None = None,
) -> None:
    """Add one entry inside the caller's transaction (so it lands or rolls back with the change)."""
    conn.execute(
        insert(AuditEntry.__table__).values(
            at=datetime.now(),
            who=who,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=_json(before),
            after=_json(after),
            detail=detail,
        )
    )


def record_event(
    engine: Engine,
    who: str,
    action: str,
    entity: str,
    entity_id: object = None,
    *,
    after: object = None,
    detail: str | None = None,
) -> None:
    """`record` in a transaction of its own, for actions that change no other table."""
    with engine.begin() as conn:
        record(conn, who, action, entity, entity_id, after=after, detail=detail)


def audit_log(
    engine: Engine, *, limit: int | None = None, action: str | None = None
) -> pd.DataFrame:
    """Entries newest first (AUDIT_COLUMNS); `before`/`after` are JSON text."""
    t = AuditEntry.__table__
    query = select(t).order_by(t.c.entry_id.desc())
    if action:
        query = query.where(t.c.action == action)
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)
