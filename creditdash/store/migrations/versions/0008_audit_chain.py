"""audit log: hash chain over the entries, guards against REPLACE and TRUNCATE

Each entry gets its place in the chain (`seq`) and `entry_hash`, the sha256
of the previous entry's hash and its own content (creditdash.audit); the
entries already written are chained here, in entry order. `audit_chain_head`
holds the newest seq and hash. New guards: on SQLite a BEFORE INSERT
trigger refuses an entry id that exists (INSERT OR REPLACE would otherwise
overwrite it) and an entry that does not extend the chain; on PostgreSQL a
BEFORE TRUNCATE trigger refuses TRUNCATE and a BEFORE INSERT trigger keeps
the chain in order.

It follows 0007_holds and joins the branch of 0006_admin, which created
audit_log, so both are applied first.

Revision ID: 0008_audit_chain
Revises: 0007_holds, 0006_admin
"""

import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0008_audit_chain"
down_revision = ("0007_holds", "0006_admin")
branch_labels = None
depends_on = None

_ENTRIES = sa.table(
    "audit_log",
    sa.column("entry_id", sa.Integer()),
    sa.column("at", sa.DateTime()),
    sa.column("who", sa.String()),
    sa.column("action", sa.String()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.String()),
    sa.column("before", sa.Text()),
    sa.column("after", sa.Text()),
    sa.column("detail", sa.Text()),
    sa.column("seq", sa.Integer()),
    sa.column("entry_hash", sa.String()),
)
_HEAD = sa.table(
    "audit_chain_head",
    sa.column("id", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("entry_hash", sa.String()),
)

_SQLITE_OVERWRITE = """
CREATE TRIGGER audit_log_no_overwrite BEFORE INSERT ON audit_log
WHEN NEW.entry_hash IS NULL
  OR EXISTS (SELECT 1 FROM audit_log WHERE entry_id = NEW.entry_id)
  OR NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries extend the chain'); END
"""
_SQLITE_UPDATE = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
)
_PG_IN_ORDER = """
CREATE OR REPLACE FUNCTION audit_log_chain_order() RETURNS trigger AS $$
BEGIN
    IF NEW.seq IS DISTINCT FROM (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log) THEN
        RAISE EXCEPTION 'audit_log is append-only: entries extend the chain';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

# The chain as creditdash.audit defines it (GENESIS, CHAINED, canonical, chain_hash), kept
# here so that this revision does not change when the library does (a test holds them equal).
GENESIS = "0" * 64
CHAINED = ["seq", "at", "who", "action", "entity", "entity_id", "before", "after", "detail"]


def chain_hash(previous: str, entry) -> str:
    """sha256 (hex) of the previous entry's hash followed by this entry's canonical form."""
    at = entry["at"]
    stamp = at.isoformat(timespec="microseconds") if isinstance(at, datetime) else str(at)
    values = [stamp if c == "at" else entry[c] for c in CHAINED]
    canonical = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(previous.encode("ascii") + canonical).hexdigest()


def _chain_existing_entries(bind) -> tuple[int, str]:
    """Number the entries in entry order and hash each onto the previous; the chain's end."""
    rows = bind.execute(sa.select(_ENTRIES).order_by(_ENTRIES.c.entry_id)).mappings().all()
    previous, updates = GENESIS, []
    for seq, row in enumerate(rows, start=1):
        previous = chain_hash(previous, {**row, "seq": seq})
        updates.append({"key": row["entry_id"], "s": seq, "h": previous})
    if updates:
        bind.execute(
            _ENTRIES.update()
            .where(_ENTRIES.c.entry_id == sa.bindparam("key"))
            .values(seq=sa.bindparam("s"), entry_hash=sa.bindparam("h")),
            updates,
        )
    return len(rows), previous


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    op.add_column("audit_log", sa.Column("seq", sa.Integer(), nullable=True))
    op.add_column("audit_log", sa.Column("entry_hash", sa.String(length=64), nullable=True))
    # the existing entries get their chain values: the only update they ever see
    if pg:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
    seq, end = _chain_existing_entries(bind)
    if pg:
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update")
        op.alter_column("audit_log", "seq", nullable=False)
        op.alter_column("audit_log", "entry_hash", nullable=False)
    else:
        op.execute(_SQLITE_UPDATE)
    op.create_index(op.f("ix_audit_log_seq"), "audit_log", ["seq"], unique=True)
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.bulk_insert(_HEAD, [{"id": 1, "seq": seq, "entry_hash": end}])
    if pg:
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(_PG_IN_ORDER)
        op.execute(
            "CREATE TRIGGER audit_log_in_order BEFORE INSERT ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_chain_order()"
        )
    else:
        op.execute(_SQLITE_OVERWRITE)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        op.execute("DROP TRIGGER IF EXISTS audit_log_in_order ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_chain_order()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_overwrite")
    op.drop_table("audit_chain_head")
    op.drop_index(op.f("ix_audit_log_seq"), table_name="audit_log")
    op.drop_column("audit_log", "entry_hash")
    op.drop_column("audit_log", "seq")
