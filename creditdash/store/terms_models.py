"""Tables of the credit-terms and provisions domain (migration 0004_terms).

terms_scenarios         a named credit-term scenario: its inputs as JSON
                        (selection, terms, assumptions), when and by whom saved
individual_provisions   a customer provided for individually (单项计提) at its own
                        rate and reason; it is taken out of the provision matrix
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from creditdash.store.models import Base


class TermsScenario(Base):
    __tablename__ = "terms_scenarios"

    scenario_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    inputs: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    who: Mapped[str] = mapped_column(String(200), default="local")


class IndividualProvision(Base):
    __tablename__ = "individual_provisions"

    customer_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    who: Mapped[str] = mapped_column(String(200), default="local")
