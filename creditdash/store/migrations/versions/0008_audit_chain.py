"""audit log: hash chain over the entries, guards against REPLACE and TRUNCATE

Revision ID: 0008_audit_chain
Revises: 0007_holds
Depends on: 0006_admin (creates audit_log)
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_audit_chain"
down_revision = "0007_holds"
branch_labels = None
depends_on = "0006_admin"


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("seq", sa.Integer(), nullable=True))
    op.add_column("audit_log", sa.Column("entry_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_log", "entry_hash")
    op.drop_column("audit_log", "seq")
