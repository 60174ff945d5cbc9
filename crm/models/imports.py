"""Import batches (who loaded which file, with what result) and remembered column mappings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped


class ImportKind(StrEnum):
    """What an imported file contains."""

    ORGANISATIONS = "organisations"
    CONTACTS = "contacts"
    COFINANCE = "cofinance"
    ATTENDANCE = "attendance"  # an event's sign-in sheet: the batch names the event


IMPORT_KINDS = tuple(member.value for member in ImportKind)


# uploaded → previewed → queued → running → done | failed; done → undoing → reverting → undone | done
class ImportStatus(StrEnum):
    """Where an import batch is in its life."""

    PREVIEWED = "previewed"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    UNDONE = "undone"
    UNDOING = "undoing"  # the undo job is waiting
    REVERTING = "reverting"  # the undo job is running


IMPORT_STATUSES = tuple(member.value for member in ImportStatus)


class ImportBatch(Timestamped, Base):
    """One import of a file: every change it makes is tagged with the batch in the change log."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="previewed", index=True)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    decisions: Mapped[dict] = mapped_column(JSON, default=dict)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    done_rows: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The event whose attendance an "attendance" batch records (kept as history if the event goes).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)

    user = relationship("User", foreign_keys=[user_id])
    event = relationship("Event")


class ColumnMapping(Timestamped, Base):
    """The column mapping a user chose for a file layout (its normalised header row)."""

    __tablename__ = "column_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    layout: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of kind + normalised headers
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
