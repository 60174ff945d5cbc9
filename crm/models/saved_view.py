"""Saved views: a list's filters kept under a name, the user's own or shared with the team, and defaults."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped


class SavedView(Timestamped, Base):
    """A named set of filters of one list page (the query string, only the keys the list knows)."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "page", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    page: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(1000), default="")
    shared: Mapped[bool] = mapped_column(Boolean, default=False)

    user = relationship("User", lazy="joined")


class SavedViewDefault(Base):
    """The view a user's list opens with when they open it without filters (one per user and list)."""

    __tablename__ = "saved_view_defaults"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    page: Mapped[str] = mapped_column(String(30), primary_key=True)
    # Indexed so that deleting a view finds the defaults pointing at it without a scan.
    saved_view_id: Mapped[int] = mapped_column(ForeignKey("saved_views.id", ondelete="CASCADE"), index=True)
