"""The audit trail: append-only in the database, hash-chained, verified, and its CLI."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import uuid
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from creditdash.audit import (
    GENESIS,
    audit_log,
    chain_hash,
    record,
    record_event,
    verify_chain,
)
from creditdash.auth import Actor, PermissionDenied
from creditdash.cli import main
from creditdash.importing import import_sources, rollback
from creditdash.ingest import Source
from creditdash.store import open_store
from creditdash.store.admin_models import AuditEntry
from creditdash.store.engine import _alembic_config, make_engine, migrate
from tests.conftest import PG_URL, _with_search_path

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
    from creditdash.importing import load_demo

    with pytest.raises(PermissionDenied):
        load_demo(engine, tmp_path, actor=Actor("v@x.cn", "viewer"))


# ---------------------------------------------------------------- the hash chain


def _entries(engine, n: int = 3) -> None:
    for i in range(n):
        with engine.begin() as conn:
            record(conn, f"u{i}@x.cn", "test", "thing", i, before={"n": i}, after={"n": i + 1})


def _rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.entry_id)).all()


def test_each_entry_hashes_the_one_before_from_a_fixed_genesis(engine):
    _entries(engine)
    previous = "0" * 64
    for expected_seq, row in enumerate(_rows(engine), start=1):
        content = [row.seq, row.at.isoformat(timespec="microseconds"), row.who, row.action,
                   row.entity, row.entity_id, row.before, row.after, row.detail]  # fmt: skip
        canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256((previous + canonical).encode("utf-8")).hexdigest()
        assert (row.seq, row.entry_hash) == (expected_seq, digest)
        previous = digest
    check = verify_chain(engine)
    assert (check.intact, check.entries, check.head) == (True, 3, previous)
    assert str(check.text()).startswith("Audit trail intact: 3 entries")
    assert check.text().render("zh").startswith("审计日志完整：共 3 条记录")


def test_an_empty_trail_is_intact(engine):
    check = verify_chain(engine)
    assert (check.intact, check.entries, check.head) == (True, 0, GENESIS)


def test_insert_or_replace_cannot_overwrite_an_entry(sqlite_engine):
    _entries(sqlite_engine)
    first = _rows(sqlite_engine)[0]
    for statement in (
        # the same id: REPLACE would delete entry 1 and insert this one in its place
        "INSERT OR REPLACE INTO audit_log (entry_id, at, who, action, entity, seq, entry_hash) "
        "VALUES (1, '2024-01-01 00:00:00.000000', 'mallory@x.cn', 'test', 'thing', 4, 'x')",
        # a new id taking entry 1's place in the chain
        "REPLACE INTO audit_log (entry_id, at, who, action, entity, seq, entry_hash) "
        "VALUES (50, '2024-01-01 00:00:00.000000', 'mallory@x.cn', 'test', 'thing', 1, 'x')",
    ):
        with pytest.raises(DBAPIError, match="append-only"), sqlite_engine.begin() as conn:
            conn.execute(text(statement))
    assert _rows(sqlite_engine)[0] == first
    assert verify_chain(sqlite_engine).intact


def test_an_entry_out_of_chain_order_is_refused(engine):
    _entries(engine, 1)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (at, who, action, entity, seq, entry_hash) "
                "VALUES (:at, 'mallory@x.cn', 'test', 'thing', 7, :h)"
            ),
            {"at": datetime(2024, 1, 1), "h": "0" * 64},
        )
    assert len(_rows(engine)) == 1


@pytest.mark.pg
def test_postgresql_refuses_truncate(pg_engine):
    _entries(pg_engine)
    with pytest.raises(DBAPIError, match="append-only"), pg_engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_log"))
    assert len(_rows(pg_engine)) == 3


def _unguard(conn) -> None:
    """What someone with the database's owner rights can do first: switch the guards off."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
    else:
        for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_overwrite"):
            conn.execute(text(f"DROP TRIGGER {name}"))


TAMPERING = [
    ("edited", ["UPDATE audit_log SET who = 'mallory@x.cn' WHERE entry_id = 2"], 2,
     "Entry #2 (position 2 in the chain) was edited after it was written"),
    ("edited", ["UPDATE audit_log SET at = at WHERE entry_id = 2",
                "UPDATE audit_log SET after = '{\"n\": 9}' WHERE entry_id = 2"], 2,
     "Entry #2 (position 2 in the chain) was edited"),
    ("missing", ["DELETE FROM audit_log WHERE entry_id = 2"], 3,
     "Chain positions 2 to 2 are missing before entry #3 (position 3)"),
    ("missing", ["DELETE FROM audit_log WHERE entry_id = 3"], None,
     "Chain positions 3 to 3 at the end are missing"),
    ("missing", ["DELETE FROM audit_log"], None, "Chain positions 1 to 3 at the end are missing"),
    ("reordered", ["UPDATE audit_log SET entry_id = 99 WHERE entry_id = 2",
                   "UPDATE audit_log SET entry_id = 2 WHERE entry_id = 3",
                   "UPDATE audit_log SET entry_id = 3 WHERE entry_id = 99"], 2,
     "Entry #2 holds position 3 of the chain where position 2 belongs"),
    ("edited", ["UPDATE audit_log SET entry_hash = '" + "0" * 64 + "' WHERE entry_id = 3"], 3,
     "Entry #3 (position 3 in the chain) was edited"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "statements", "entry", "says"),
    TAMPERING,
    ids=["who", "after", "deleted", "last deleted", "emptied", "swapped", "hash"],
)
def test_verify_names_the_first_entry_tampered_with(engine, kind, statements, entry, says):
    _entries(engine)
    with engine.begin() as conn:
        _unguard(conn)
        for statement in statements:
            conn.execute(text(statement))
    check = verify_chain(engine)
    assert (check.intact, check.kind, check.entry_id) == (False, kind, entry)
    assert str(check.text()).startswith(says)
    assert check.text().render("zh") != str(check.text())


def test_an_entry_added_around_the_chain_is_found(engine):
    """Even with a correctly computed hash, an entry the chain's end marker does not know shows."""
    _entries(engine)
    last = _rows(engine)[-1]
    forged = {"seq": 4, "at": datetime(2024, 1, 1), "who": "mallory@x.cn", "action": "test",
              "entity": "thing", "entity_id": None, "before": None, "after": None,
              "detail": None}  # fmt: skip
    with engine.begin() as conn:
        _unguard(conn)
        conn.execute(
            AuditEntry.__table__.insert().values(
                **forged, entry_hash=chain_hash(last.entry_hash, forged)
            )
        )
    check = verify_chain(engine)
    assert (check.kind, check.entry_id) == ("unchained", None)
    assert str(check.text()).startswith("The chain's recorded end is behind its entries")


def test_a_guard_switched_off_is_reported(engine):
    _entries(engine)
    with engine.begin() as conn:
        _unguard(conn)
    check = verify_chain(engine)
    assert (check.intact, check.kind) == (False, "guard")
    assert "audit_log_no_update" in str(check.text())


@pytest.mark.parametrize("writers", [6])
def test_concurrent_appends_keep_one_chain(engine, writers):
    errors = []

    def write(n: int) -> None:
        try:
            for i in range(8):
                record_event(engine, f"w{n}@x.cn", "test", "thing", i)
        except Exception as err:  # noqa: BLE001 - asserted below
            errors.append(err)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    check = verify_chain(engine)
    assert (check.intact, check.entries) == (True, writers * 8)
    assert sorted(r.seq for r in _rows(engine)) == list(range(1, writers * 8 + 1))


# ---------------------------------------------------------------- the migration chains old rows


@pytest.fixture
def old_url(request, tmp_path):
    """A store as it was before migration 0008_audit_chain (every other head applied)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite'}"
        return
    if not PG_URL:
        pytest.skip("CREDITDASH_TEST_PG_URL is not set: PostgreSQL tests need a server")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield _with_search_path(PG_URL, schema)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.mark.parametrize("old_url", ["sqlite", "postgresql"], indirect=True)
def test_the_migration_chains_the_entries_already_written(old_url):
    engine = make_engine(old_url)
    config = _alembic_config(engine)
    command.upgrade(config, "0006_admin")
    command.upgrade(config, "0007_holds")
    with engine.begin() as conn:
        for i in range(3):
            conn.execute(
                text(
                    "INSERT INTO audit_log (at, who, action, entity, entity_id, after) "
                    "VALUES (:at, 'a@x.cn', 'import', 'import', :i, :after)"
                ),
                {"at": datetime(2024, 1, 2 + i, 9, 30, 0, 123456), "i": str(i), "after": "{}"},
            )
    migrate(engine)
    check = verify_chain(engine)
    assert (check.intact, check.entries) == (True, 3)
    assert [r.seq for r in _rows(engine)] == [1, 2, 3]
    record_event(engine, "b@x.cn", "test", "thing")  # new entries continue the chain
    assert verify_chain(engine).entries == 4
    engine.dispose()


# ---------------------------------------------------------------- python -m creditdash audit


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), stdout=out), out.getvalue()


def test_audit_verify_exits_0_when_intact_and_4_naming_the_broken_entry(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    engine = open_store(url)
    _entries(engine)
    code, out = _cli("--db", url, "audit", "--verify")
    assert code == 0
    assert out.startswith("Audit trail intact: 3 entries, each chained to the one before")
    code, out = _cli("--db", url, "audit", "--limit", "2")
    assert code == 0 and out.splitlines()[0].split()[0] == "#3" and len(out.splitlines()) == 2
    with engine.begin() as conn:
        _unguard(conn)
        conn.execute(text("UPDATE audit_log SET who = 'mallory@x.cn' WHERE entry_id = 2"))
    engine.dispose()
    code, out = _cli("--db", url, "audit", "--verify")
    assert code == 4
    assert out == (
        "Audit trail broken: Entry #2 (position 2 in the chain) was edited after it was "
        "written: its content no longer matches its hash.\n"
    )


def test_before_and_after_read_as_a_line_not_json():
    from creditdash.audit import readable

    after = '{"files": ["a.csv", "b.xlsx"], "invoices": {"new": 3, "changed": 0}, "note": null}'
    assert readable(after) == "files: a.csv, b.xlsx · invoices: new: 3, changed: 0 · note: –"
    names = {"files": "文件", "invoices": "发票", "new": "新增", "changed": "变更", "note": "备注"}
    assert readable(after, names.get).startswith("文件: a.csv, b.xlsx · 发票: 新增: 3")
    assert readable(None) == "" and readable("") == ""
    assert readable("not json") == "not json"
    assert readable(float("nan")) == ""  # a missing cell of the log's frame


def test_text_values_of_an_entry_read_in_the_readers_words():
    from creditdash.audit import readable

    after = '{"status": "rolled_back", "files": ["a.csv"], "created": true, "restored": 2}'
    words = {"rolled_back": "已撤销", "true": "是"}
    names = {"status": "状态", "files": "文件"}
    line = readable(after, lambda k: names.get(k, k), lambda w: words.get(w, w))
    assert line == "状态: 已撤销 · 文件: a.csv · created: 是 · restored: 2"


def test_audit_view_names_codes_and_reads_entries_in_chinese():
    import pandas as pd

    from creditdash.audit import audit_name, audit_view

    log = pd.DataFrame(
        {
            "action": ["rollback", "made_up_action"],
            "entity": ["import", "gadget"],
            "who": ["local user", "ann@x.cn"],
            "before": [None, '{"files": ["a.csv"], "odd_key": 1}'],
            "after": ['{"status": "rolled_back", "invoices": {"new": 3}}', None],
        }
    )
    shown = audit_view(log, "zh")
    assert shown["action"].tolist() == ["撤销导入", "made_up_action"]
    assert shown["entity"].tolist() == ["导入", "gadget"]
    assert shown["who"].tolist() == ["本机用户", "ann@x.cn"]
    assert shown["before"].tolist() == ["", "文件: a.csv · odd_key: 1"]
    assert shown["after"].tolist() == ["状态: 已撤销 · 发票: 新增: 3", ""]
    assert audit_name("action", "rollback") == "Rollback"
    assert log["action"].tolist() == ["rollback", "made_up_action"]  # the log is left as it was
