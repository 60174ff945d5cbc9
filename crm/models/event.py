"""Events and trainings, and who attended them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped


class EventType(StrEnum):
    """The type of an event."""

    AWARENESS = "awareness"
    TRAINING = "training"
    WORKSHOP = "workshop"
    STEERING_COMMITTEE = "steering_committee"
    OTHER = "other"


EVENT_TYPES = tuple(member.value for member in EventType)


class Event(Timestamped, Base):
    """An awareness event, training, workshop or committee meeting."""

    __tablename__ = "events"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(30), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str | None] = mapped_column(String(200))
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    gender_specific: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # Free text kept from before the reference list (migration 0028); the module is the counted one.
    training_module: Mapped[str | None] = mapped_column(String(200))
    training_module_id: Mapped[int | None] = mapped_column(ForeignKey("training_modules.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    # The public registration page: open or closed, at an unguessable address (events are not enumerable).
    registration_open: Mapped[bool] = mapped_column(Boolean, default=False)
    public_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Incremented by every save: the API's ETag, so a change based on an older copy is refused.
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    __mapper_args__ = {"version_id_col": version_id}

    programme = relationship("Programme", lazy="joined")
    module = relationship("TrainingModule", lazy="joined")


class Attendance(Timestamped, Base):
    """One person at one event: the unique pair keeps people from being counted twice."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("event_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)

    event = relationship("Event")
    contact = relationship("Contact", lazy="joined")


class RegistrationSource(StrEnum):
    """How a person came onto an event's registered list."""

    INVITATION = "invitation"  # the personal link of an invitation e-mail
    PUBLIC = "public"  # the event's public registration page
    TEAM = "team"  # typed in by the PMU


REGISTRATION_SOURCES = tuple(member.value for member in RegistrationSource)


class Invitation(Timestamped, Base):
    """One contact invited to one event; the unique pair means nobody is invited (or e-mailed) twice."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("event_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    language: Mapped[str] = mapped_column(String(5), default="es")

    contact = relationship("Contact", lazy="joined")


class Registration(Timestamped, Base):
    """One person registered for one event (before the day); attendance is recorded at the door."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("event_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20), default=RegistrationSource.PUBLIC)
    # As the person typed them: the team checks them against the contact (new contacts wait in review).
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(120))

    contact = relationship("Contact", lazy="joined")
