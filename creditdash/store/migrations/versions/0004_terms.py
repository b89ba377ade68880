"""credit-term scenarios and individually assessed provisions

Revision ID: 0004_terms
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = "0004_terms"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "terms_scenarios",
        sa.Column("scenario_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("scenario_id", name=op.f("pk_terms_scenarios")),
        sa.UniqueConstraint("name", name=op.f("uq_terms_scenarios_name")),
    )
    op.create_table(
        "individual_provisions",
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_individual_provisions")),
    )


def downgrade() -> None:
    op.drop_table("individual_provisions")
    op.drop_table("terms_scenarios")
