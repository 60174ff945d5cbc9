"""Association memberships of companies."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped

# Memberships that make a company "a member of" an association in the reports (and their tallies).
MEMBER_STATUSES = ("active",)


class MembershipStatus(StrEnum):
    """The state of a company's membership of an association."""

    PROSPECTIVE = "prospective"
    ACTIVE = "active"
    LAPSED = "lapsed"
    LEFT = "left"


MEMBERSHIP_STATUSES = tuple(member.value for member in MembershipStatus)


# A liaison who adds an existing company must not see its contacts until the PMU agrees.
class Confirmation(StrEnum):
    """Whether the PMU has confirmed a membership a liaison added."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


CONFIRMATIONS = tuple(member.value for member in Confirmation)


class Membership(Timestamped, Base):
    """A company's membership of a business association."""

    __tablename__ = "memberships"
    __audited__ = True
    __table_args__ = (UniqueConstraint("company_id", "association_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    association_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(15), default="prospective", index=True)
    since: Mapped[date | None] = mapped_column(Date)
    last_reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    confirmation: Mapped[str] = mapped_column(
        String(10), default="confirmed", server_default="confirmed", index=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The follow-up that asks the owner or coordinator to decide; closed when someone decides.
    follow_up_id: Mapped[int | None] = mapped_column(
        ForeignKey("follow_ups.id", ondelete="SET NULL"), index=True
    )

    company = relationship("Organisation", foreign_keys=[company_id], lazy="joined")
    association = relationship("Organisation", foreign_keys=[association_id], lazy="joined")
    last_reviewed_by = relationship("User", foreign_keys=[last_reviewed_by_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    follow_up = relationship("FollowUp")

    @property
    def confirmed(self) -> bool:
        """Return whether the PMU has accepted this membership."""
        return self.confirmation == "confirmed"

    def history_organisation_id(self) -> int:
        """Return the organisation whose page shows this record's history."""
        return self.company_id
