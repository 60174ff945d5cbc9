"""The national registry of qualified consultants and their assignments to companies' engagements."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from crm.models.base import Base, Timestamped


class ConsultantStatus(StrEnum):
    """Where a consultant stands in the registry."""

    CANDIDATE = "candidate"
    QUALIFIED = "qualified"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


class Specialism(StrEnum):
    """A field a consultant is qualified in (a fixed list; labels in crm/labels.py)."""

    RECP = "recp"  # resource-efficient and cleaner production, energy efficiency
    CHEMICALS = "chemicals"  # sound chemicals management, u-POPs
    FEASIBILITY = "feasibility"  # feasibility studies
    FINANCE = "finance"


CONSULTANT_STATUSES = tuple(member.value for member in ConsultantStatus)
SPECIALISMS = tuple(member.value for member in Specialism)


class Consultant(Timestamped, Base):
    """A contact's entry in the registry (one per contact; the contact may be independent)."""

    __tablename__ = "consultants"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), unique=True)
    # The codes of SPECIALISMS, space-separated in the list's order ("recp finance").
    specialisms: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str | None] = mapped_column(String(80), index=True)
    status: Mapped[str] = mapped_column(String(15), default=ConsultantStatus.CANDIDATE, index=True)
    # The day each status was last reached (qualified_on: the qualification date; None when unknown).
    candidate_on: Mapped[date | None] = mapped_column(Date)
    qualified_on: Mapped[date | None] = mapped_column(Date, index=True)
    suspended_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    evidence_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}

    # The backref's cascade removes the entry with its contact (SQLite does not enforce ON DELETE).
    contact = relationship(
        "Contact", lazy="joined", backref=backref("consultant", uselist=False, cascade="all, delete-orphan")
    )
    evidence = relationship("Document")
    assignments = relationship(
        "ConsultantAssignment",
        back_populates="consultant",
        order_by="(ConsultantAssignment.started_on.desc(), ConsultantAssignment.id)",
        cascade="all, delete-orphan",
    )

    @property
    def specialism_list(self) -> list[str]:
        """Return the specialism codes."""
        return self.specialisms.split() if self.specialisms else []

    def history_organisation_id(self) -> int | None:
        """Return the organisation whose page shows this record's history (the contact's, if any)."""
        return self.contact.organisation_id if self.contact else None


class ConsultantAssignment(Timestamped, Base):
    """A consultant advising a company in one programme (its engagement), in a role, over dates."""

    __tablename__ = "consultant_assignments"
    __audited__ = True
    __table_args__ = (UniqueConstraint("consultant_id", "engagement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("consultants.id", ondelete="CASCADE"), index=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(120))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    consultant = relationship("Consultant", back_populates="assignments")
    engagement = relationship(
        "Engagement", lazy="joined", backref=backref("consultant_assignments", cascade="all, delete-orphan")
    )

    def history_organisation_id(self) -> int | None:
        """Return the organisation whose page shows this record's history: the advised company."""
        return self.engagement.organisation_id if self.engagement else None
