"""audit log: every entry's place in the chain and hash NOT NULL on SQLite too

0008_audit_chain made `seq` and `entry_hash` NOT NULL on PostgreSQL; on
SQLite, which cannot alter a column, its insert trigger refused an entry
without them but the columns stayed nullable. Here SQLite's audit_log is
rebuilt with both NOT NULL (the entries copied as they are), and its
guards, which go with the old table, are created again. PostgreSQL already
has this schema.

Revision ID: 0012_audit_not_null
Revises: 0009_invoice_parts
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_audit_not_null"
down_revision = "0009_invoice_parts"
branch_labels = None
depends_on = None

_SQLITE_GUARDS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    """
CREATE TRIGGER audit_log_no_overwrite BEFORE INSERT ON audit_log
WHEN NEW.entry_hash IS NULL
  OR EXISTS (SELECT 1 FROM audit_log WHERE entry_id = NEW.entry_id)
  OR NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries extend the chain'); END
""",
)


def _rebuild(nullable: bool) -> None:
    """SQLite: audit_log copied into a table whose chain columns are (not) nullable."""
    for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_overwrite"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("audit_log", recreate="always") as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=nullable)
        batch_op.alter_column("entry_hash", existing_type=sa.String(length=64), nullable=nullable)
    for guard in _SQLITE_GUARDS:
        op.execute(guard)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(nullable=True)
