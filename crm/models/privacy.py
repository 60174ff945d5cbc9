"""Ley 29733: the record of each erasure (who, when, why; never the erased data)."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped


class Erasure(Timestamped, Base):
    """One person erased on request: the anonymised contact's id, who did it and why, counts per table."""

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    contact_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the anonymised row, no link kept
    reason: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="request")  # request (a person asked) or retention
    summary: Mapped[dict] = mapped_column(JSON, default=dict)  # rows changed per table, no values

    by = relationship("User", lazy="joined")
