"""Saved column mappings ("import profiles"), one row per name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from creditdash.store.models import Base


class ImportProfile(Base):
    """How one export's columns are read: found again by its header signature.

    `mapping` is JSON: header text -> canonical field (null = ignored).
    """

    __tablename__ = "import_profiles"

    profile_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    signature: Mapped[str] = mapped_column(String(64), index=True)
    header_row: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    mapping: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(320))
    saved_at: Mapped[datetime] = mapped_column(DateTime)
