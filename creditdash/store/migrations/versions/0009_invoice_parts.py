"""invoices: document_id and part, for instalments and retention (质保金)

An invoice paid in instalments or keeping retention money is stored item by
item; `document_id` names the ERP document the items belong to and `part`
says what an item is ("instalment" or "retention"). Both are NULL for an
ordinary invoice, so every stored row keeps its meaning.

Revision ID: 0009_invoice_parts
Revises: 0008_audit_chain
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_invoice_parts"
down_revision = "0008_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("part", sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f("ix_invoices_document_id"), ["document_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_document_id"))
        batch_op.drop_column("part")
        batch_op.drop_column("document_id")
