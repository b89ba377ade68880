"""The audit trail is append-only and records imports and rollbacks."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from creditdash.audit import audit_log, record
from creditdash.auth import Actor, PermissionDenied
from creditdash.ingest import Source
from creditdash.store import import_sources, rollback

CSV = b"Invoice No,Customer ID,Invoice Date,Amount\nX1,C1,2024-01-02,12.00\n"


def test_imports_and_rollbacks_are_recorded_with_who(engine):
    ann = Actor("ann@x.cn", "analyst")
    summary = import_sources(engine, [Source("a.csv", CSV)], actor=ann)
    rollback(engine, summary.import_id, actor=ann)
    log = audit_log(engine)
    assert log["action"].tolist() == ["rollback", "import"]
    assert set(log["who"]) == {"ann@x.cn"}
    assert '"files": ["a.csv"]' in log.iloc[1]["after"]
    assert '"status": "rolled_back"' in log.iloc[0]["after"]


def test_a_viewer_cannot_import_or_roll_back(engine):
    viewer = Actor("v@x.cn", "viewer")
    with pytest.raises(PermissionDenied):
        import_sources(engine, [Source("a.csv", CSV)], actor=viewer)
    summary = import_sources(engine, [Source("a.csv", CSV)])
    with pytest.raises(PermissionDenied):
        rollback(engine, summary.import_id, actor=viewer)


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET who = 'x'", "DELETE FROM audit_log"])
def test_the_database_refuses_to_change_audit_rows(engine, statement):
    with engine.begin() as conn:
        record(conn, "a@x.cn", "test", "thing", 1, before={"a": 1}, after={"a": 2})
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    assert len(audit_log(engine)) == 1


def test_a_viewer_cannot_load_the_demo_company(engine, tmp_path):
    from creditdash.store import load_demo

    with pytest.raises(PermissionDenied):
        load_demo(engine, tmp_path, actor=Actor("v@x.cn", "viewer"))
