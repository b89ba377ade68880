"""The database schema (SQLAlchemy 2 typed models).

Money is Numeric(18, 2), never float. Every data row carries the import
that last wrote it; `row_changes` keeps the state a row had before an
import changed it, so that an import can be rolled back.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MONEY = Numeric(18, 2, asdecimal=True)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    if TYPE_CHECKING:
        # Every model here is mapped to a table (`__tablename__`), so its `__table__` is a
        # Table with insert()/update()/delete(), not only the FromClause SQLAlchemy declares.
        __table__: ClassVar[Table]


class Import(Base):
    __tablename__ = "imports"

    import_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_names: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_stored: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_new: Mapped[int] = mapped_column(Integer, default=0)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    who: Mapped[str] = mapped_column(String(200), default="local")
    status: Mapped[str] = mapped_column(String(20), default="applied")
    rolled_back_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Customer(Base):
    __tablename__ = "customers"

    customer_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    customer_name: Mapped[str | None] = mapped_column(String(300))
    credit_code: Mapped[str | None] = mapped_column(String(40))
    industry: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    segment: Mapped[str | None] = mapped_column(String(200))
    salesperson: Mapped[str | None] = mapped_column(String(200))
    credit_limit: Mapped[Decimal | None] = mapped_column(MONEY)
    payment_terms_days: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str | None] = mapped_column(String(3))
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.import_id"), index=True)
    # contact emails for statements and dunning letters, several separated by ; , or spaces
    # (migration 0011_collections)
    email: Mapped[str | None] = mapped_column(String(1000), nullable=True)


class Invoice(Base):
    __tablename__ = "invoices"

    invoice_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    invoice_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(20))
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.import_id"), index=True)
    # An item of a document paid in instalments or keeping retention (creditdash.frames):
    # the document's id and "instalment" or "retention"; NULL for an ordinary invoice.
    document_id: Mapped[str | None] = mapped_column(String(100), index=True, nullable=True)
    part: Mapped[str | None] = mapped_column(String(20), nullable=True)


class Payment(Base):
    __tablename__ = "payments"

    payment_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    invoice_id: Mapped[str | None] = mapped_column(String(100), index=True)
    payment_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    source: Mapped[str] = mapped_column(String(20))
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.import_id"), index=True)


class Rate(Base):
    """Units of the reporting currency for one unit of `currency` from `rate_date` on."""

    __tablename__ = "rates"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    rate_date: Mapped[date] = mapped_column(Date, primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.import_id"), index=True)


class SnapshotRecord(Base):
    """An open-items export that was imported: its date and whether it was complete."""

    __tablename__ = "snapshots"

    snapshot_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    items: Mapped[int] = mapped_column(Integer, default=0)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.import_id"), index=True)


class RowChange(Base):
    """A row's state before an import changed it (JSON), for rollback."""

    __tablename__ = "row_changes"

    change_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.import_id"))
    table_name: Mapped[str] = mapped_column(String(40))
    row_key: Mapped[str] = mapped_column(String(300))
    before_import_id: Mapped[int] = mapped_column(Integer, index=True)
    before: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_row_changes_import_table", "import_id", "table_name"),)
