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


# The copied filter columns a covering report index includes (PostgreSQL reads them from the index).
REPORT_COPIES = ("sector_id", "district_id", "owner_id", "size")
# What the reports over a period filter stays and exits on, carried by their indexes on the day.
PERIOD_COPIES = ("kind", "programme_id", "organisation_id", "sector_id", "district_id", "owner_id")
EXIT_KEY = ("from_stage", "to_stage", "barrier_id")
# company_days keeps, per row, the day each stage was last reached before it (see CompanyDay): every stage
# (the funnel), every stage past the gate with evidence pending, and conversion's stages per referral.
PAST_GATE = STAGES[STAGES.index("loi_signed") :]  # the stages a signed letter of interest opens
REFERRAL_STAGES = ("contacted", "loi_signed", "assessed")
BEFORE = tuple(f"{stage}_before" for stage in STAGES)
PENDING_BEFORE = tuple(f"pending_{stage}_before" for stage in PAST_GATE)
REFERRAL_BEFORE = tuple(f"referral_{stage}_before" for stage in REFERRAL_STAGES)


class CompanyCopies:
    """The company's columns the reports filter on, copied into each row by crm.pipeline.company_reach."""

    kind: Mapped[str] = mapped_column(String(30))
    sector_id: Mapped[int | None] = mapped_column(Integer)
    district_id: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(Integer)


class CompanyReach(CompanyCopies, Base):
    """Per organisation and programme: the furthest stage it ever reached, beside its report filters.

    Maintained from stage_reach and organisations (never written by hand) by crm.pipeline.company_reach,
    in the same flush as any move, merge, undo or edit of the company. The reports without a period read
    it instead of grouping stage_reach per company on every request: one narrow row per company, its
    filter columns (kind, sector, district, owner, size) copied so that no join is needed. One row per
    programme the organisation has an engagement in, and one for every programme together (programme_key
    0, since a programme id is never 0); `top` is NULL when no engagement has reached a stage yet. Letters
    are watched too: a letter of interest signed or scanned changes `pending_top`.
    """

    __tablename__ = "company_reach"
    # Narrow, so the funnel reads it alone (an index-only scan on PostgreSQL) instead of the table.
    __table_args__ = (
        Index("ix_company_reach_report", "programme_key", "kind", "top", "pending_top"),
        # Cohorts read their companies from this index alone (PostgreSQL): it carries the report's filters.
        Index(
            "ix_company_reach_cohorts",
            "programme_key",
            "first_contact",
            postgresql_include=["kind", "top", "organisation_id", *REPORT_COPIES[:3]],
        ),
        # My work reads an owner's engagements (their stage, evidence pending) from this index alone.
        Index(
            "ix_company_reach_owner",
            "owner_id",
            "programme_key",
            postgresql_include=["stage", "pending_top", "kind", "organisation_id"],
        ),
    )

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    programme_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    top: Mapped[int | None] = mapped_column(SmallInteger)
    # The same through the engagements whose signed letter of interest has no scan yet (evidence pending).
    pending_top: Mapped[int | None] = mapped_column(SmallInteger)
    # On a programme's row: the association that referred that engagement (conversion by referral).
    source_id: Mapped[int | None] = mapped_column(Integer)
    # On one programme row per (organisation, referring association): the furthest rank of all the
    # organisation's programme rows with that association, so conversion by referral counts each company
    # once per association without grouping per company. NULL on the other rows.
    source_top: Mapped[int | None] = mapped_column(SmallInteger)
    size: Mapped[str | None] = mapped_column(String(10))
    # The first day an engagement (of this programme, or any) reached "contacted" or further: the cohorts
    # report groups companies by it. NULL while none has.
    first_contact: Mapped[date | None] = mapped_column(Date)
    # On a programme's row: the stage its engagement is at now (My work counts and chases them by it).
    stage: Mapped[str | None] = mapped_column(String(30))


class CompanyDay(CompanyCopies, Base):
    """Per organisation, programme and day it moved forward: the furthest stage it moved to that day.

    The reports with a period read these rows (maintained with company_reach by crm.pipeline.company_reach,
    never written by hand): "reached stage s in the period" is a row in the period with top >= s, so a
    company's furthest stage in a period is the largest top of its rows there, and its filter columns are
    beside it (no join with engagements and organisations). programme_key 0 is every programme together
    (the largest rank of the organisation's engagements that day); `pending_top` the same through the
    engagements whose signed letter of interest has no scan yet; `source_id`, on a programme's rows, the
    association that referred that engagement.

    `<stage>_before`: the latest earlier day of the same organisation and programme key at or past that
    stage, or NULL. A row in the period [a, b] at or past s whose day before is NULL or before a is the
    company's first at s in the period, so the funnel and conversion over a period add up rows without
    grouping them per company. `pending_<stage>_before` (stages from the letter of interest on): the same
    by `pending_top`. `referral_<stage>_before` (REFERRAL_STAGES), on programme rows: the same over the
    organisation's programme rows with the same referring association (ordered by day, then programme).
    """

    __tablename__ = "company_days"
    __table_args__ = (
        Index(
            "ix_company_days_report",
            "programme_key",
            "reached_on",
            postgresql_include=[
                *("kind", "organisation_id", "top", "pending_top", "source_id"),
                *REPORT_COPIES,
                *BEFORE,
                *PENDING_BEFORE,
                *REFERRAL_BEFORE,
            ],
        ),
    )

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    programme_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    reached_on: Mapped[date] = mapped_column(Date, primary_key=True)
    top: Mapped[int] = mapped_column(SmallInteger)
    pending_top: Mapped[int | None] = mapped_column(SmallInteger)
    source_id: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[str | None] = mapped_column(String(10))
    identified_before: Mapped[date | None] = mapped_column(Date)
    contacted_before: Mapped[date | None] = mapped_column(Date)
    meeting_held_before: Mapped[date | None] = mapped_column(Date)
    loi_signed_before: Mapped[date | None] = mapped_column(Date)
    assessed_before: Mapped[date | None] = mapped_column(Date)
    technical_assistance_before: Mapped[date | None] = mapped_column(Date)
    feasibility_delivered_before: Mapped[date | None] = mapped_column(Date)
    adopting_before: Mapped[date | None] = mapped_column(Date)
    pending_loi_signed_before: Mapped[date | None] = mapped_column(Date)
    pending_assessed_before: Mapped[date | None] = mapped_column(Date)
    pending_technical_assistance_before: Mapped[date | None] = mapped_column(Date)
    pending_feasibility_delivered_before: Mapped[date | None] = mapped_column(Date)
    pending_adopting_before: Mapped[date | None] = mapped_column(Date)
    referral_contacted_before: Mapped[date | None] = mapped_column(Date)
    referral_loi_signed_before: Mapped[date | None] = mapped_column(Date)
    referral_assessed_before: Mapped[date | None] = mapped_column(Date)


class StageExit(CompanyCopies, Base):
    """An exit transition (to declined, on hold or withdrawn) beside its company's report filters.

    Maintained with company_reach by crm.pipeline.company_reach (never written by hand), so the funnel's
    exits table groups these narrow rows instead of joining every exit to its engagement and company.
    """

    __tablename__ = "stage_exits"
    __table_args__ = (
        Index("ix_stage_exits_organisation_id", "organisation_id"),
        # Over a period the funnel reads its exits from this index alone (PostgreSQL): it carries the columns.
        Index("ix_stage_exits_occurred_on", "occurred_on", postgresql_include=[*PERIOD_COPIES, *EXIT_KEY]),
        Index("ix_stage_exits_report", "kind", "from_stage", "to_stage", "barrier_id"),
    )

    # No foreign key: the row goes with its company's refresh, which first takes it out of the tallies
    # (a cascade from the transition would remove it before that).
    transition_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(Integer)
    occurred_on: Mapped[date] = mapped_column(Date)
    from_stage: Mapped[str | None] = mapped_column(String(30))
    to_stage: Mapped[str] = mapped_column(String(30))
    barrier_id: Mapped[int | None] = mapped_column(Integer)


class StageStay(CompanyCopies, Base):
    """A finished stay in a stage (a transition to the next one), beside the company's filter columns.

    Maintained with company_reach by crm.pipeline.company_reach (never written by hand), so time in stage
    counts stays per length instead of ordering every transition of the history on each request. Stays
    not yet finished (the current stage) are not here.
    """

    __tablename__ = "stage_stays"
    __table_args__ = (
        Index("ix_stage_stays_organisation_id", "organisation_id"),
        Index("ix_stage_stays_report", "stage", "days", "kind"),
        # Time in stage over a period reads its stays from this index alone (PostgreSQL).
        Index("ix_stage_stays_began", "began", postgresql_include=["stage", "days", *PERIOD_COPIES]),
    )

    # No foreign key: the row goes with its company's refresh, which first takes it out of the tallies
    # (a cascade from the transition would remove it before that).
    transition_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(30))
    began: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
