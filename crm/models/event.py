"""Events and trainings, and who attended them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
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
    training_module: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    programme = relationship("Programme", lazy="joined")


class Attendance(Timestamped, Base):
    """One person at one event: the unique pair keeps people from being counted twice."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("event_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)

    event = relationship("Event")
    contact = relationship("Contact", lazy="joined")
