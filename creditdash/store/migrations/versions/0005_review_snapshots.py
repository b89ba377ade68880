"""review snapshots

Revision ID: 0005_review
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = "0005_review"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_snapshots",
        sa.Column("snapshot_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("week_ending", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.String(length=60), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("snapshot_id", name=op.f("pk_review_snapshots")),
    )
    with op.batch_alter_table("review_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_snapshots_week", ["week_ending", "snapshot_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("review_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_review_snapshots_week")
    op.drop_table("review_snapshots")
