"""Tables of the risk domain: credit policy versions, limit change requests and
their decisions (an append-only audit trail), third-party credit reports, and
credit holds (each customer's credit status changes, also append-only).

Customer ids are plain columns, not foreign keys: a ledger import can be
rolled back without touching credit decisions or bureau history.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from creditdash.store.models import MONEY, Base


class PolicyVersion(Base):
    """One saved version of the credit policy (JSON text); the highest version is in force."""

    __tablename__ = "risk_policy_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    policy_json: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class LimitRequest(Base):
    """A request to change a customer's credit limit; status pending, approved or rejected."""

    __tablename__ = "risk_limit_requests"

    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(100), index=True)
    current_limit: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    requested_limit: Mapped[Decimal] = mapped_column(MONEY)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class LimitDecision(Base):
    """One decision on a request; rows are only ever added (the audit trail)."""

    __tablename__ = "risk_limit_decisions"

    decision_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("risk_limit_requests.request_id"), index=True
    )
    decision: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text)


class BureauReport(Base):
    """A third-party credit report on one customer at one date, with its source."""

    __tablename__ = "risk_bureau_reports"

    report_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(100), index=True)
    provider: Mapped[str] = mapped_column(String(100))
    report_date: Mapped[date] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_scale: Mapped[str | None] = mapped_column(String(40), nullable=True)
    score_normalised: Mapped[float | None] = mapped_column(Float, nullable=True)
    rating: Mapped[str | None] = mapped_column(String(40), nullable=True)
    recommended_limit: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    insured_limit: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    net_worth: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    working_capital: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    pd: Mapped[float | None] = mapped_column(Float, nullable=True)
    legal_events: Mapped[int | None] = mapped_column(Integer, nullable=True)
    raw: Mapped[str] = mapped_column(Text, default="{}")
    source_file: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    imported_by: Mapped[str] = mapped_column(String(200), default="local")
    authorisation: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("customer_id", "provider", "report_date"),)


class CreditHold(Base):
    """One change of a customer's credit status: an action applied (warn, hold, cash in
    advance) or released. Rows are only ever added; the newest row per customer is its
    status (none after a release)."""

    __tablename__ = "risk_credit_holds"

    hold_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(DateTime)
