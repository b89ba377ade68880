"""Tables of the cash-flow forecast: saved 13-week cash plans.

cash_plans       one row per plan: name (unique), opening and minimum cash
cash_plan_lines  one row per (plan, week, category): the amount of other
                 receipts or of a disbursement (positive numbers; the
                 category says which way the money goes)
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from creditdash.store.models import MONEY, Base


class CashPlanRecord(Base):
    __tablename__ = "cash_plans"

    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    opening_cash: Mapped[Decimal] = mapped_column(MONEY)
    minimum_cash: Mapped[Decimal] = mapped_column(MONEY)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class CashPlanLine(Base):
    __tablename__ = "cash_plan_lines"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("cash_plans.plan_id", ondelete="CASCADE"), primary_key=True
    )
    week: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
