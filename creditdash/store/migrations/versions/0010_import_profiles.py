"""import profiles: saved column mappings found again by the file's header signature

Revision ID: 0010_import_profiles
Revises: 0001 (its own branch: import profiles)
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_import_profiles"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_profiles",
        sa.Column("profile_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("header_row", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(length=320), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("profile_id", name=op.f("pk_import_profiles")),
        sa.UniqueConstraint("name", name=op.f("uq_import_profiles_name")),
    )
    op.create_index(op.f("ix_import_profiles_signature"), "import_profiles", ["signature"])


def downgrade() -> None:
    op.drop_index(op.f("ix_import_profiles_signature"), table_name="import_profiles")
    op.drop_table("import_profiles")
