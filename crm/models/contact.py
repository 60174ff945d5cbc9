"""Contacts: people at organisations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped
from crm.text import fold


class Gender(StrEnum):
    """The gender recorded for a contact."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    NOT_RECORDED = "not_recorded"


GENDERS = tuple(member.value for member in Gender)


class Contact(Timestamped, Base):
    """A person at an organisation (or an independent consultant)."""

    __tablename__ = "contacts"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80), index=True)
    position: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    gender: Mapped[str] = mapped_column(String(15), default="not_recorded", index=True)
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Ley 29733: when and how the person agreed to e-mail, and to what (see crm/privacy/consent.py).
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_source: Mapped[str | None] = mapped_column(String(40))
    consent_scope: Mapped[str | None] = mapped_column(String(40))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # anonymised on request
    # Created by someone outside the team (the public registration page): the team checks it once.
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    qualified_consultant: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    search_text: Mapped[str] = mapped_column(String(420), default="", index=True)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}

    organisation = relationship("Organisation", lazy="joined")

    @property
    def full_name(self) -> str:
        """Return first and last name."""
        return f"{self.first_name} {self.last_name}"

    def history_organisation_id(self) -> int | None:
        """Return the organisation whose page shows this record's history."""
        return self.organisation_id


@event.listens_for(Contact, "before_insert")
@event.listens_for(Contact, "before_update")
def _fill_search_text(_mapper, _conn, contact: Contact) -> None:
    """Keep the folded search column in step with name, e-mail and position."""
    parts = (contact.first_name, contact.last_name, contact.email, contact.position)
    contact.search_text = fold(" ".join(p for p in parts if p))[:420]
