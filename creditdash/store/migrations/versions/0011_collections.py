"""collections: contacts, promises to pay, disputes, collectors, dunning sends; the
customer master's contact emails

`customers.email` holds one or more addresses (separated by `;`, `,` or spaces)
read from an optional customer-master column (email, 邮箱, 联系邮箱).
`collections_dunning_items` keys (invoice, stage, channel), so the database
itself refuses a stage sent twice for the same invoice.

Revision ID: 0011_collections
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_collections"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=1000), nullable=True))
    op.create_table(
        "collections_contacts",
        sa.Column("contact_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("contact_date", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=320), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_collections_contacts")),
    )
    op.create_index(
        op.f("ix_collections_contacts_customer_id"), "collections_contacts", ["customer_id"]
    )
    op.create_table(
        "collections_promises",
        sa.Column("promise_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("invoice_ids", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=320), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("promise_id", name=op.f("pk_collections_promises")),
    )
    op.create_index(
        op.f("ix_collections_promises_customer_id"), "collections_promises", ["customer_id"]
    )
    op.create_table(
        "collections_disputes",
        sa.Column("dispute_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("invoice_id", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=320), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(length=320), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolved_by", sa.String(length=320), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("dispute_id", name=op.f("pk_collections_disputes")),
    )
    op.create_index(
        op.f("ix_collections_disputes_invoice_id"), "collections_disputes", ["invoice_id"]
    )
    op.create_index(
        op.f("ix_collections_disputes_customer_id"), "collections_disputes", ["customer_id"]
    )
    op.create_table(
        "collections_assignments",
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("collector", sa.String(length=320), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("set_by", sa.String(length=320), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_collections_assignments")),
    )
    op.create_table(
        "collections_dunning_sends",
        sa.Column("send_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("strategy_id", sa.String(length=100), nullable=False),
        sa.Column("stage_id", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("invoice_ids", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("server_reply", sa.Text(), nullable=False),
        sa.Column("sent_by", sa.String(length=320), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("send_id", name=op.f("pk_collections_dunning_sends")),
    )
    op.create_index(
        op.f("ix_collections_dunning_sends_customer_id"),
        "collections_dunning_sends",
        ["customer_id"],
    )
    op.create_table(
        "collections_dunning_items",
        sa.Column("invoice_id", sa.String(length=100), nullable=False),
        sa.Column("stage_id", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("send_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["send_id"],
            ["collections_dunning_sends.send_id"],
            name=op.f("fk_collections_dunning_items_send_id_collections_dunning_sends"),
        ),
        sa.PrimaryKeyConstraint(
            "invoice_id", "stage_id", "channel", name=op.f("pk_collections_dunning_items")
        ),
    )
    op.create_index(
        op.f("ix_collections_dunning_items_send_id"), "collections_dunning_items", ["send_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_collections_dunning_items_send_id"), table_name="collections_dunning_items")
    op.drop_table("collections_dunning_items")
    op.drop_index(
        op.f("ix_collections_dunning_sends_customer_id"), table_name="collections_dunning_sends"
    )
    op.drop_table("collections_dunning_sends")
    op.drop_table("collections_assignments")
    op.drop_index(op.f("ix_collections_disputes_customer_id"), table_name="collections_disputes")
    op.drop_index(op.f("ix_collections_disputes_invoice_id"), table_name="collections_disputes")
    op.drop_table("collections_disputes")
    op.drop_index(op.f("ix_collections_promises_customer_id"), table_name="collections_promises")
    op.drop_table("collections_promises")
    op.drop_index(op.f("ix_collections_contacts_customer_id"), table_name="collections_contacts")
    op.drop_table("collections_contacts")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("email")
