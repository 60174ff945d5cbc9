"""Agreements between organisations: clean production agreements (APL) under PRODUCE's roadmap."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped


class AgreementKind(StrEnum):
    """The kind of an agreement."""

    APL = "apl"  # Acuerdo de Producción Limpia


AGREEMENT_KINDS = tuple(member.value for member in AgreementKind)


class PartyRole(StrEnum):
    """The part an organisation plays in an agreement."""

    PROMOTER = "promoter"  # PRODUCE, which promotes and follows the agreement
    SIGNATORY = "signatory"  # a company or association committing to the measures
    ADHERENT = "adherent"  # a company adhering to an association's agreement
    WITNESS = "witness"  # e.g. the implementing agency or a municipality


PARTY_ROLES = tuple(member.value for member in PartyRole)


class Agreement(Timestamped, Base):
    """A signed agreement with its term, commitments and optional scanned document."""

    __tablename__ = "agreements"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True, default=AgreementKind.APL)
    title: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[date | None] = mapped_column(Date, index=True)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    commitments: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version_id}

    document = relationship("Document")
    parties = relationship(
        "AgreementParty",
        back_populates="agreement",
        cascade="all, delete-orphan",
        order_by="AgreementParty.id",
    )


class AgreementParty(Timestamped, Base):
    """One organisation party to one agreement, in one role."""

    __tablename__ = "agreement_parties"
    __audited__ = True
    __table_args__ = (UniqueConstraint("agreement_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))

    agreement = relationship("Agreement", back_populates="parties")
    organisation = relationship("Organisation", lazy="joined")
