"""The per-company rows the reports read, kept equal to the history by crm.pipeline.company_reach.

Never written by hand: every move, merge, import, undo, letter or edit of a company recomputes its rows in
the same flush, and `flask crm rebuild-aggregates` rebuilds them all.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base
from crm.models.pipeline import PAST_GATE, REFERRAL_STAGES, STAGES

# The copied filter columns a covering report index includes (PostgreSQL reads them from the index).
REPORT_COPIES = ("sector_id", "district_id", "owner_id", "size")
# What the reports over a period filter stays and exits on, carried by their indexes on the day.
PERIOD_COPIES = ("kind", "programme_id", "organisation_id", "sector_id", "district_id", "owner_id")
EXIT_KEY = ("from_stage", "to_stage", "barrier_id")
# company_days keeps, per row, the day each stage was last reached before it (see CompanyDay): every stage
# (the funnel), every stage past the gate with evidence pending, and conversion's stages per referral.
BEFORE = tuple(f"{stage}_before" for stage in STAGES)
PENDING_BEFORE = tuple(f"pending_{stage}_before" for stage in PAST_GATE)
REFERRAL_BEFORE = tuple(f"referral_{stage}_before" for stage in REFERRAL_STAGES)
# member_days copies company_days' days before conversion's stages and the filter columns.
MEMBER_DAY_COPIES = (*(f"{stage}_before" for stage in REFERRAL_STAGES), *REPORT_COPIES[:3])


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


class MemberDay(Base):
    """A company's company_days row once per association it is an active member of (association 0: none).

    Conversion by membership over a period groups one range of this table's index by association instead
    of joining every row of the period to the memberships. A membership is counted as it is now, as the
    report without a period does, so the days before are the company's own (company_days'). Companies
    only. Kept with company_days by crm.pipeline.company_reach, never written by hand.
    """

    __tablename__ = "member_days"
    __table_args__ = (
        Index(
            "ix_member_days_report",
            "programme_key",
            "reached_on",
            postgresql_include=["association_id", "organisation_id", "top", *MEMBER_DAY_COPIES],
        ),
    )

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    programme_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    reached_on: Mapped[date] = mapped_column(Date, primary_key=True)
    association_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    top: Mapped[int] = mapped_column(SmallInteger)
    contacted_before: Mapped[date | None] = mapped_column(Date)
    loi_signed_before: Mapped[date | None] = mapped_column(Date)
    assessed_before: Mapped[date | None] = mapped_column(Date)
    sector_id: Mapped[int | None] = mapped_column(Integer)
    district_id: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(Integer)
