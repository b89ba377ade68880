"""Who may do what (roles by email) and the append-only audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from creditdash.store.models import Base


class UserRole(Base):
    __tablename__ = "user_roles"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    role: Mapped[str] = mapped_column(String(40))
    granted_by: Mapped[str] = mapped_column(String(320))
    granted_at: Mapped[datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """One action: who, when, what, on which entity, with the state before and after (JSON).

    Rows are only ever inserted; the database refuses UPDATE and DELETE.
    """

    __tablename__ = "audit_log"

    entry_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    who: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(80), index=True)
    entity: Mapped[str] = mapped_column(String(80))
    entity_id: Mapped[str | None] = mapped_column(String(300))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    # the hash chain (creditdash.audit): position in the chain and sha256 of the
    # previous entry's hash with this entry's content (migrations 0008_audit_chain,
    # 0012_audit_not_null)
    seq: Mapped[int] = mapped_column(Integer, index=True, unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The chain's newest position and hash (one row, id 1): appends lock it, `verify` compares."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))
