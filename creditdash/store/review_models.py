"""Tables of the weekly management review: stored snapshots of the week's figures.

A review snapshot keeps every figure of one week (KPIs, aging, per-customer
balances, alerts, scorecards and the optional risk, forecast and provision
sections) as one JSON document, so a past week is shown exactly as it was
recorded, whatever later imports change in the ledger. Rows are never
updated: re-recording a week adds a row and the newest row of a week wins.

(The ledger's own `snapshots` table is something else: the open-items
exports that were imported.)
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from creditdash.store.models import Base


class ReviewSnapshot(Base):
    __tablename__ = "review_snapshots"

    snapshot_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    week_ending: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    import_id: Mapped[int] = mapped_column(Integer, default=0)  # newest import when taken
    data_version: Mapped[str] = mapped_column(String(60))
    trigger: Mapped[str] = mapped_column(String(20))  # import, manual, cli
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_review_snapshots_week", "week_ending", "snapshot_id"),)
