"""Organisations and the confidential energy/emission profile of companies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    event,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped
from crm.text import fold


class OrgKind(StrEnum):
    """The kind of an organisation."""

    COMPANY = "company"
    ASSOCIATION = "association"
    GOVERNMENT = "government"
    BANK = "bank"
    TECHNOLOGY_PROVIDER = "technology_provider"
    CONSULTANCY = "consultancy"
    NGO = "ngo"
    ACADEMIA = "academia"
    DONOR = "donor"
    IMPLEMENTING_AGENCY = "implementing_agency"
    PARK = "park"  # an industrial park; its tenant companies are in park_tenants


KINDS = tuple(member.value for member in OrgKind)


class OrgSize(StrEnum):
    """The size class of a company."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


SIZES = tuple(member.value for member in OrgSize)


class Organisation(Timestamped, Base):
    """A company, association or other stakeholder organisation."""

    __tablename__ = "organisations"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    legal_name: Mapped[str] = mapped_column(String(200), index=True)
    trade_name: Mapped[str | None] = mapped_column(String(200))
    ruc: Mapped[str | None] = mapped_column(String(11), unique=True)
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sectors.id"), index=True)
    size: Mapped[str | None] = mapped_column(String(10), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    website: Mapped[str | None] = mapped_column(String(200))
    # Domains of the organisation's e-mail addresses (space separated): captured e-mail is matched by them.
    email_domains: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    # Lower-cased, accent-free names and RUC, so search behaves alike on SQLite and PostgreSQL.
    search_text: Mapped[str] = mapped_column(String(420), default="", index=True)
    # The legal name's matching key (crm.imports.matching.name_key): the duplicates page groups by it.
    name_key: Mapped[str] = mapped_column(String(300), default="", server_default="")
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)
    # The latest interaction's date, kept by crm.interactions.last_seen (My work, the digest).
    last_interaction_on: Mapped[date | None] = mapped_column(Date)
    # The furthest current stage on the forward path (index in STAGES), kept by crm.pipeline.stage_rank.
    stage_rank: Mapped[int | None] = mapped_column(SmallInteger)

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        Index("ix_organisations_updated_at", "updated_at"),
        # The list's default sort (both directions: the id tie-breaker follows the direction).
        Index("ix_organisations_lower_legal_name", func.lower(legal_name), "id"),
        Index("ix_organisations_name_key", "name_key", "district_id"),  # the duplicates page's groups
        # The list sorted by stage, either way, companies without one last.
        Index("ix_organisations_stage_rank", "stage_rank", "id"),
        Index("ix_organisations_stage_rank_desc", func.coalesce(stage_rank, -1), "id"),
    )

    sector = relationship("Sector", lazy="joined")
    district = relationship("District", lazy="joined")
    owner = relationship("User", foreign_keys=[owner_id], lazy="joined")
    profile = relationship(
        "EmissionProfile", uselist=False, back_populates="organisation", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        """Return the trade name beside the legal name when they differ."""
        if self.trade_name and self.trade_name != self.legal_name:
            return f"{self.legal_name} ({self.trade_name})"
        return self.legal_name

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.legal_name}>"


class EmissionProfile(Timestamped, Base):
    """Process and emission data: visible to the technical team only."""

    __tablename__ = "emission_profiles"
    __audited__ = True
    # Loading a row records who read it in the read trail (crm/privacy/trail.py): what, and the fields.
    __confidential__ = (
        "emission_profile",
        ("electricity_mwh_year", "natural_gas_m3_year", "emits_upops", "reduction_potential_tco2e"),
    )

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    electricity_mwh_year: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    natural_gas_m3_year: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    emits_upops: Mapped[bool] = mapped_column(Boolean, default=False)
    reduction_potential_tco2e: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    organisation = relationship("Organisation", back_populates="profile")


@event.listens_for(Organisation, "before_insert")
@event.listens_for(Organisation, "before_update")
def _fill_search_text(_mapper, _conn, org: Organisation) -> None:
    """Keep the folded search column and the name key in step with names and RUC."""
    from crm.imports.matching import name_key  # the imports' matching module imports the models

    parts = (org.legal_name, org.trade_name, org.ruc)
    org.search_text = fold(" ".join(p for p in parts if p))[:420]
    org.name_key = name_key(org.legal_name)[:300]
