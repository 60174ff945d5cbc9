"""Interactions with organisations and the follow-ups they create."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped


class InteractionKind(StrEnum):
    """How an interaction took place."""

    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    VIRTUAL_MEETING = "virtual_meeting"
    SITE_VISIT = "site_visit"
    OTHER = "other"


INTERACTION_KINDS = tuple(member.value for member in InteractionKind)

interaction_contacts = Table(
    "interaction_contacts",
    Base.metadata,
    Column(
        "interaction_id",
        Integer,
        ForeignKey("interactions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "contact_id",
        Integer,
        ForeignKey("contacts.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Interaction(Timestamped, Base):
    """A logged call, e-mail, meeting or visit with an organisation."""

    __tablename__ = "interactions"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), index=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(Text)
    # Set when the retention job replaced the texts and dropped the participants (crm/privacy/jobs.py).
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Incremented by every save: the API's ETag, so a deletion based on an older copy is refused.
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version_id}

    organisation = relationship("Organisation")
    staff = relationship("User", lazy="joined")
    contacts = relationship(
        "Contact", secondary=interaction_contacts, lazy="selectin", order_by="Contact.last_name"
    )
    follow_ups = relationship("FollowUp", back_populates="interaction", lazy="selectin")

    def history_organisation_id(self) -> int:
        """Return the organisation whose page shows this record's history."""
        return self.organisation_id


class FollowUp(Timestamped, Base):
    """A dated task for a staff member, usually arising from an interaction."""

    __tablename__ = "follow_ups"
    __audited__ = True
    __table_args__ = (
        # My work and the digest read a person's open follow-ups by due date.
        Index(
            "ix_follow_ups_open_assignee_due",
            "assignee_id",
            "due_on",
            sqlite_where=text("done_at IS NULL"),
            postgresql_where=text("done_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL"), index=True
    )
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    description: Mapped[str] = mapped_column(String(500))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    interaction = relationship("Interaction", back_populates="follow_ups")
    organisation = relationship("Organisation")
    assignee = relationship("User", foreign_keys=[assignee_id], lazy="joined")

    def history_organisation_id(self) -> int:
        """Return the organisation whose page shows this record's history."""
        return self.organisation_id
