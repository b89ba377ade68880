"""risk tables: policy versions, limit requests and decisions, bureau reports

Revision ID: 0002_risk
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = "0002_risk"
down_revision = "0001"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=18, scale=2)


def upgrade() -> None:
    op.create_table(
        "risk_policy_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("policy_json", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_risk_policy_versions")),
    )
    op.create_table(
        "risk_limit_requests",
        sa.Column("request_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("current_limit", MONEY, nullable=True),
        sa.Column("requested_limit", MONEY, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_risk_limit_requests")),
    )
    with op.batch_alter_table("risk_limit_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_limit_requests_customer_id"), ["customer_id"], unique=False
        )
    op.create_table(
        "risk_limit_decisions",
        sa.Column("decision_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["risk_limit_requests.request_id"],
            name=op.f("fk_risk_limit_decisions_request_id_risk_limit_requests"),
        ),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_risk_limit_decisions")),
    )
    with op.batch_alter_table("risk_limit_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_limit_decisions_request_id"), ["request_id"], unique=False
        )
    op.create_table(
        "risk_bureau_reports",
        sa.Column("report_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("provider", sa.String(length=100), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("score_scale", sa.String(length=40), nullable=True),
        sa.Column("score_normalised", sa.Float(), nullable=True),
        sa.Column("rating", sa.String(length=40), nullable=True),
        sa.Column("recommended_limit", MONEY, nullable=True),
        sa.Column("insured_limit", MONEY, nullable=True),
        sa.Column("net_worth", MONEY, nullable=True),
        sa.Column("working_capital", MONEY, nullable=True),
        sa.Column("pd", sa.Float(), nullable=True),
        sa.Column("legal_events", sa.Integer(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("authorisation", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_risk_bureau_reports")),
        sa.UniqueConstraint(
            "customer_id", "provider", "report_date", name=op.f("uq_risk_bureau_reports_customer_id")
        ),
    )
    with op.batch_alter_table("risk_bureau_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_bureau_reports_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("risk_bureau_reports")
    op.drop_table("risk_limit_decisions")
    op.drop_table("risk_limit_requests")
    op.drop_table("risk_policy_versions")
