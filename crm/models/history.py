"""Change history of audited records and the log of confidential-data access."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, utcnow


class ChangeLog(Base):
    """One create, update or delete of an audited record: who, when, old → new."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(10))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    entity_version: Mapped[int | None] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    # Set while an import runs, so that the batch can be undone from its own changes.
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )
    # Shared by every change written in one transaction (one save), so the history groups them and a
    # manager can restore the whole save at once.
    save_id: Mapped[str | None] = mapped_column(String(32), index=True)

    user = relationship("User", lazy="joined")


class AccessLog(Base):
    """A read of confidential data (the emission profile), for traceability."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(Integer, index=True)
    what: Mapped[str] = mapped_column(String(40))
    endpoint: Mapped[str | None] = mapped_column(String(120))
    fields: Mapped[str | None] = mapped_column(String(500))  # the confidential fields shown, comma separated
    path: Mapped[str | None] = mapped_column(String(500))  # the URL (path and query) of the request
    ip: Mapped[str | None] = mapped_column(String(45))
