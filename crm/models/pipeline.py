"""Programmes, engagements (company × programme), their stage transitions and exit reasons."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped, utcnow


class Stage(StrEnum):
    """A pipeline stage: the forward path in order, then the side exits."""

    IDENTIFIED = "identified"
    CONTACTED = "contacted"
    MEETING_HELD = "meeting_held"
    LOI_SIGNED = "loi_signed"
    ASSESSED = "assessed"
    TECHNICAL_ASSISTANCE = "technical_assistance"
    FEASIBILITY_DELIVERED = "feasibility_delivered"
    ADOPTING = "adopting"
    DECLINED = "declined"
    ON_HOLD = "on_hold"
    WITHDRAWN = "withdrawn"


# Side exits: each needs a reason from the barrier list and a note.
EXITS = (Stage.DECLINED.value, Stage.ON_HOLD.value, Stage.WITHDRAWN.value)
# The forward path, in order; an engagement's position is its index here.
STAGES = tuple(stage.value for stage in Stage if stage not in EXITS)
ALL_STAGES = STAGES + EXITS


class Programme(Timestamped, Base):
    """A programme companies can engage in (e.g. the sustainable industrial zone)."""

    __tablename__ = "programmes"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name_es: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, locale: str = "es") -> str:
        """Return the name in the given language."""
        return self.name_en if locale == "en" else self.name_es


class Barrier(Timestamped, Base):
    """A reason why a company declines, pauses or withdraws (admin-editable)."""

    __tablename__ = "barriers"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    reason_es: Mapped[str] = mapped_column(String(200))
    reason_en: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def reason(self, locale: str = "es") -> str:
        """Return the reason in the given language."""
        return self.reason_en if locale == "en" else self.reason_es


class Engagement(Timestamped, Base):
    """A company's participation in one programme, with its current stage."""

    __tablename__ = "engagements"
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("organisation_id", "programme_id"),
        # The board: one programme's cards per stage, oldest in stage first.
        Index("ix_engagements_programme_stage_since", "programme_id", "stage", "stage_since"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    # Kept equal to the last transition's to_stage by crm.pipeline.services.move only.
    stage: Mapped[str] = mapped_column(String(30), index=True)
    stage_since: Mapped[date] = mapped_column(Date, index=True)
    feasibility_delivered_on: Mapped[date | None] = mapped_column(Date)
    # Referral: the association that brought the company, who referred it and when.
    source_association_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    referred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version_id}

    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    programme = relationship("Programme", lazy="joined")
    source_association = relationship("Organisation", foreign_keys=[source_association_id])
    transitions = relationship(
        "StageTransition",
        back_populates="engagement",
        order_by="(StageTransition.occurred_on, StageTransition.id)",
        cascade="all, delete-orphan",
    )

    def history_organisation_id(self) -> int:
        """Return the organisation whose page shows this record's history."""
        return self.organisation_id


class StageTransition(Base):
    """One stage change of an engagement: from, to, when it happened, who recorded it and why."""

    __tablename__ = "stage_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(30))
    to_stage: Mapped[str] = mapped_column(String(30), index=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    barrier_id: Mapped[int | None] = mapped_column(ForeignKey("barriers.id"), index=True)

    engagement = relationship("Engagement", back_populates="transitions")
    by = relationship("User", lazy="joined")
    barrier = relationship("Barrier", lazy="joined")


class StageReach(Base):
    """A day on which an engagement moved forward, and the furthest forward stage it moved to that day.

    Maintained from stage_transitions (never written by hand): crm.pipeline.reach recomputes an
    engagement's rows in the same flush as any change to its transitions, and `flask crm
    rebuild-aggregates` rebuilds them all. Reaching a stage counts the stages before it too, so
    "reached stage s in a period" is "a row in the period with stage_rank >= s"; `furthest` marks
    the engagement's earliest day at its highest rank, so reports without a period read one row
    per engagement.
    """

    __tablename__ = "stage_reach"
    __table_args__ = (
        Index("ix_stage_reach_organisation_id", "organisation_id"),
        Index("ix_stage_reach_programme_id", "programme_id"),
        Index("ix_stage_reach_reached_on", "reached_on"),
    )

    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True
    )
    reached_on: Mapped[date] = mapped_column(Date, primary_key=True)
    # The place on the forward path (index in STAGES) of the furthest stage moved to that day.
    stage_rank: Mapped[int] = mapped_column(SmallInteger)
    # Copied from the engagement (recomputed when it changes company or programme).
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    furthest: Mapped[bool] = mapped_column(Boolean)


# The stages a signed letter of interest opens, and the stages conversion counts.
PAST_GATE = STAGES[STAGES.index("loi_signed") :]
REFERRAL_STAGES = ("contacted", "loi_signed", "assessed")
