"""Measured results: emission factors (versioned), measures, baselines and the reductions of each measure."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped, utcnow


class Carrier(StrEnum):
    """What a quantity measures: an energy carrier (with a factor), process emissions or u-POPs."""

    ELECTRICITY = "electricity"  # MWh per year
    NATURAL_GAS = "natural_gas"  # GJ (net calorific value) per year
    DIESEL = "diesel"  # GJ per year
    LPG = "lpg"  # GJ per year
    OTHER_FUEL = "other_fuel"  # GJ per year (residual fuel oil factor)
    PROCESS = "process"  # tCO2eq per year, no factor
    UPOPS = "upops"  # µg TEQ per year (stored unit), no factor


# Energy carriers: converted to tCO2eq with an emission factor, and to MJ for "energy saved".
ENERGY_CARRIERS = (
    Carrier.ELECTRICITY.value,
    Carrier.NATURAL_GAS.value,
    Carrier.DIESEL.value,
    Carrier.LPG.value,
    Carrier.OTHER_FUEL.value,
)
CARRIERS = tuple(c.value for c in Carrier)
CARRIER_UNITS = {"electricity": "MWh", "process": "tCO2eq", "upops": "µg TEQ"} | {
    c: "GJ" for c in ("natural_gas", "diesel", "lpg", "other_fuel")
}
MJ_PER_UNIT = {"electricity": Decimal(3600)} | {
    c: Decimal(1000) for c in ("natural_gas", "diesel", "lpg", "other_fuel")
}


class ResultStatus(StrEnum):
    """How far a result is proven: estimated → reported by the company → verified."""

    ESTIMATED = "estimated"
    REPORTED = "reported"
    VERIFIED = "verified"


RESULT_STATUSES = tuple(s.value for s in ResultStatus)


class Basis(StrEnum):
    """Whether a quantity is the reduction expected of a measure or the one achieved."""

    EXPECTED = "expected"
    ACHIEVED = "achieved"


class EmissionFactor(Base):
    """One version of an emission factor (tCO2eq per unit); a change adds a version, never edits one."""

    __tablename__ = "emission_factors"
    __table_args__ = (UniqueConstraint("carrier", "version", name="uq_emission_factors_carrier_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(Numeric(16, 8))
    unit: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(Text)
    year: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Measure(Timestamped, Base):
    """A measure a company can adopt (furnace replacement, boiler tuning, ...)."""

    __tablename__ = "measures"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name_es: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, locale: str = "es") -> str:
        """Return the measure's name in the given language."""
        return self.name_en if locale == "en" else self.name_es


class Baseline(Timestamped, Base):
    """A company's yearly consumption and emissions before the programme's measures."""

    __tablename__ = "result_baselines"
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("organisation_id", "programme_id", name="uq_result_baselines_org_programme"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    electricity: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    natural_gas: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    diesel: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    lpg: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    other_fuel: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    process: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    upops: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    notes: Mapped[str | None] = mapped_column(Text)

    programme = relationship("Programme", lazy="joined")

    # Confidential process data: every load is recorded in the read trail (crm/privacy/trail.py).
    __confidential__ = ("emission_results", ("baseline",))

    def history_organisation_id(self) -> None:
        """Keep its changes off the organisation's history, which viewers read (audited all the same)."""
        return None


class MeasureResult(Timestamped, Base):
    """A measure adopted by a company in a programme: its expected and achieved reductions and status."""

    __tablename__ = "measure_results"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ResultStatus.ESTIMATED.value, index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    verified_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}

    measure = relationship("Measure", lazy="joined")
    programme = relationship("Programme", lazy="joined")
    evidence = relationship("Document")
    verified_by = relationship("User")
    lines = relationship(
        "ResultLine", back_populates="result", cascade="all, delete-orphan", order_by="ResultLine.id"
    )

    __confidential__ = ("emission_results", ("measure", "status", "reductions", "evidence"))

    def history_organisation_id(self) -> None:
        """Keep its changes off the organisation's history, which viewers read (audited all the same)."""
        return None


class ResultLine(Base):
    """One quantity of a result: expected or achieved reduction of one carrier, and the factor it used."""

    __tablename__ = "result_lines"
    __table_args__ = (
        UniqueConstraint("result_id", "basis", "carrier", name="uq_result_lines_basis_carrier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("measure_results.id", ondelete="CASCADE"))
    basis: Mapped[str] = mapped_column(String(10))
    carrier: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    # The factor version this line was computed with: kept when an admin adds a newer version.
    factor_id: Mapped[int | None] = mapped_column(ForeignKey("emission_factors.id"), index=True)
    tco2e: Mapped[Decimal] = mapped_column(Numeric(18, 4))

    result = relationship("MeasureResult", back_populates="lines")
    factor = relationship("EmissionFactor", lazy="joined")
