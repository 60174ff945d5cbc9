"""Results-framework indicators with their targets, and frozen reporting periods."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped


class Indicator(Timestamped, Base):
    """An indicator of the results framework the CRM computes from its records."""

    __tablename__ = "indicators"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_es: Mapped[str] = mapped_column(String(250))
    name_en: Mapped[str] = mapped_column(String(250))
    unit: Mapped[str] = mapped_column(String(20))
    target: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    midterm_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    computed_from: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, locale: str = "es") -> str:
        """Return the indicator's name in the given language."""
        return self.name_en if locale == "en" else self.name_es


class FrozenPeriod(Timestamped, Base):
    """A reporting period (e.g. 2026-S1) whose reported figures no longer change."""

    __tablename__ = "frozen_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(10), unique=True)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    frozen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # {indicator code: {"value": ..., "target": ..., "percent": ..., "rating": ...}} as reported.
    figures: Mapped[dict] = mapped_column(JSON, default=dict)

    frozen_by = relationship("User")
