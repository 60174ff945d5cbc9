"""Letters (interest, co-finance, cooperation), their materialisation and stored documents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped


class LetterKind(StrEnum):
    """The kind of a letter."""

    INTEREST = "interest"
    COFINANCE = "cofinance"
    COOPERATION = "cooperation"


LETTER_KINDS = tuple(member.value for member in LetterKind)


class LetterStatus(StrEnum):
    """Where a letter is in its life."""

    REQUESTED = "requested"
    RECEIVED = "received"
    SIGNED = "signed"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


LETTER_STATUSES = tuple(member.value for member in LetterStatus)


class Currency(StrEnum):
    """The currency of a co-finance amount."""

    USD = "USD"
    PEN = "PEN"


CURRENCIES = tuple(member.value for member in Currency)


class CofinanceType(StrEnum):
    """The form a co-finance contribution takes."""

    EQUITY = "equity"
    IN_KIND = "in_kind"
    GRANT = "grant"
    LOAN = "loan"


COFINANCE_TYPES = tuple(member.value for member in CofinanceType)


class CofinancierType(StrEnum):
    """The type of the party that co-finances."""

    PRIVATE = "private"
    GOVERNMENT = "government"
    DONOR = "donor"
    INDUSTRIAL_ASSOCIATION = "industrial_association"
    IMPLEMENTING_AGENCY = "implementing_agency"


COFINANCIER_TYPES = tuple(member.value for member in CofinancierType)
COMPONENTS = (1, 2, 3, 4, 5)


class Document(Timestamped, Base):
    """An uploaded file kept outside the static folder under a random name."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


class Letter(Timestamped, Base):
    """A letter from an organisation; co-finance letters carry an amount and its materialisation."""

    __tablename__ = "letters"
    __audited__ = True
    __table_args__ = (
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
        CheckConstraint("exchange_rate IS NULL OR exchange_rate > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    requested_on: Mapped[date | None] = mapped_column(Date, index=True)
    received_on: Mapped[date | None] = mapped_column(Date)
    signed_on: Mapped[date | None] = mapped_column(Date, index=True)
    expires_on: Mapped[date | None] = mapped_column(Date)
    signatory_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    # Co-finance letters only. amount_usd = amount × exchange_rate, stored so sums stay in SQL.
    amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    exchange_rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 6))
    amount_usd: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    cofinance_type: Mapped[str | None] = mapped_column(String(20), index=True)
    cofinancier_type: Mapped[str | None] = mapped_column(String(30), index=True)
    component: Mapped[int | None] = mapped_column(Integer)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}

    organisation = relationship("Organisation", lazy="joined")
    programme = relationship("Programme", lazy="joined")
    signatory = relationship("Contact")
    requested_by = relationship("User")
    document = relationship("Document", lazy="joined")
    materialisations = relationship(
        "Materialisation",
        back_populates="letter",
        order_by="Materialisation.occurred_on",
        cascade="all, delete-orphan",
    )

    def history_organisation_id(self) -> int:
        """Return the organisation whose page shows this record's history."""
        return self.organisation_id


class Materialisation(Timestamped, Base):
    """An amount of a co-finance commitment actually disbursed or delivered."""

    __tablename__ = "materialisations"
    __audited__ = True
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    amount_usd: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    note: Mapped[str | None] = mapped_column(Text)

    letter = relationship("Letter", back_populates="materialisations")

    def history_organisation_id(self) -> int:
        """Return the organisation whose page shows this record's history."""
        return self.letter.organisation_id
