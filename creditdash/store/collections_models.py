"""Tables of the collections domain: contacts, promises to pay, disputes, who collects
from whom, and the dunning messages sent.

Customer and invoice ids are plain columns, not foreign keys: a ledger import
can be rolled back without touching what collectors recorded. Every write to
these tables is audited in the same transaction (`creditdash.collections.records`,
`creditdash.collections.dunning`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from creditdash.store.models import MONEY, Base


class Contact(Base):
    """One contact with a customer: a call, an email or a visit, with its outcome."""

    __tablename__ = "collections_contacts"

    contact_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    contact_date: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(320))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class Promise(Base):
    """A promise to pay `amount` by `promised_date`, for some invoices (JSON list) or none
    named (then any payment of the customer counts)."""

    __tablename__ = "collections_promises"

    promise_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(100), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    promised_date: Mapped[date] = mapped_column(Date)
    made_on: Mapped[date] = mapped_column(Date)
    invoice_ids: Mapped[str] = mapped_column(Text, default="[]")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(320))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class Dispute(Base):
    """A dispute on one invoice: open until resolved by a credit note or upheld."""

    __tablename__ = "collections_disputes"

    dispute_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(String(100), index=True)
    customer_id: Mapped[str] = mapped_column(String(100), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str] = mapped_column(String(320), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    opened_on: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(320))
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(String(20), nullable=True)
    resolved_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    resolution_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class Assignment(Base):
    """Who collects: a customer (scope "customer") or every customer of a salesperson
    (scope "salesperson") assigned to a collector's email; a customer's row may also
    set the language its letters are written in."""

    __tablename__ = "collections_assignments"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    collector: Mapped[str | None] = mapped_column(String(320), nullable=True)
    language: Mapped[str | None] = mapped_column(String(2), nullable=True)
    set_by: Mapped[str] = mapped_column(String(320))
    set_at: Mapped[datetime] = mapped_column(DateTime)


class DunningSend(Base):
    """One attempt to deliver a dunning message (channel email, letter or task) and its
    outcome: status sent or failed, with the server's answer."""

    __tablename__ = "collections_dunning_sends"

    send_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    as_of: Mapped[date] = mapped_column(Date)
    customer_id: Mapped[str] = mapped_column(String(100), index=True)
    strategy_id: Mapped[str] = mapped_column(String(100))
    stage_id: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(20))
    recipients: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(Text, default="")
    invoice_ids: Mapped[str] = mapped_column(Text, default="[]")
    status: Mapped[str] = mapped_column(String(20))
    server_reply: Mapped[str] = mapped_column(Text, default="")
    sent_by: Mapped[str] = mapped_column(String(320))
    sent_at: Mapped[datetime] = mapped_column(DateTime)


class DunningItem(Base):
    """An invoice that received a stage through a channel: the key makes "never twice"
    a rule of the database."""

    __tablename__ = "collections_dunning_items"

    invoice_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    stage_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    send_id: Mapped[int] = mapped_column(
        ForeignKey("collections_dunning_sends.send_id"), index=True
    )
