"""Industrial parks' tenant companies (a park is an organisation of kind 'park')."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped


class ParkTenant(Timestamped, Base):
    """A company located in an industrial park, from `since` until `until` (open while it stays)."""

    __tablename__ = "park_tenants"
    __audited__ = True
    __table_args__ = (UniqueConstraint("park_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)

    park = relationship("Organisation", foreign_keys=[park_id])
    company = relationship("Organisation", foreign_keys=[company_id], lazy="joined")

    def history_organisation_id(self) -> int:
        """List the change in the company's history."""
        return self.company_id
