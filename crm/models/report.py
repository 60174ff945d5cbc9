"""Results-framework indicators with their targets (per period too), hand-entered values, frozen periods."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped

# builtin: a rule of crm.reports.indicators named by computed_from; computed: a measure of the catalogue
# (crm.reports.catalogue) with its parameters; manual: values entered per period (IndicatorEntry).
INDICATOR_KINDS = ("builtin", "computed", "manual")
# How a manual indicator's value as of a date is read from its entries.
AGGREGATIONS = ("latest", "sum")


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
    kind: Mapped[str] = mapped_column(String(10), default="builtin", server_default="builtin")
    measure: Mapped[str | None] = mapped_column(String(30))  # computed: the catalogue measure
    params: Mapped[dict | None] = mapped_column(JSON)  # computed: the measure's filters, validated
    aggregation: Mapped[str | None] = mapped_column(String(10))  # manual: latest or sum
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    def name(self, locale: str = "es") -> str:
        """Return the indicator's name in the given language."""
        return self.name_en if locale == "en" else self.name_es

    @property
    def custom(self) -> bool:
        """Return whether an administrator defined the indicator (not one of the framework's rules)."""
        return self.kind != "builtin"


class IndicatorTarget(Timestamped, Base):
    """An indicator's target for one reporting period (else the end-of-project target applies)."""

    __tablename__ = "indicator_targets"
    __audited__ = True
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    target: Mapped[Decimal] = mapped_column(Numeric(14, 2))


class IndicatorEntry(Timestamped, Base):
    """A manual indicator's value for one reporting period, with a note and optional evidence."""

    __tablename__ = "indicator_entries"
    __audited__ = True
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    note: Mapped[str | None] = mapped_column(Text)
    evidence_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    evidence = relationship("Document")
    entered_by = relationship("User")


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
