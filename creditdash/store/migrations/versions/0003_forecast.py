"""forecast tables: saved cash plans

Revision ID: 0003_forecast
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_forecast"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cash_plans",
        sa.Column("plan_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("opening_cash", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("minimum_cash", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_cash_plans")),
        sa.UniqueConstraint("name", name=op.f("uq_cash_plans_name")),
    )
    op.create_table(
        "cash_plan_lines",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["cash_plans.plan_id"],
            name=op.f("fk_cash_plan_lines_plan_id_cash_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "week", "category", name=op.f("pk_cash_plan_lines")),
    )


def downgrade() -> None:
    op.drop_table("cash_plan_lines")
    op.drop_table("cash_plans")
