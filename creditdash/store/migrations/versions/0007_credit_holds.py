"""risk: credit holds (a customer's credit status changes, append-only)

Revision ID: 0007_holds
Revises: 0002_risk
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_holds"
down_revision = "0002_risk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_credit_holds",
        sa.Column("hold_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("hold_id", name=op.f("pk_risk_credit_holds")),
    )
    op.create_index(op.f("ix_risk_credit_holds_customer_id"), "risk_credit_holds", ["customer_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_risk_credit_holds_customer_id"), table_name="risk_credit_holds")
    op.drop_table("risk_credit_holds")
