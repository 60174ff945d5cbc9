"""Company counts kept per report filter and grouping value: the reports read a few rows, not each company."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, SmallInteger, String, false
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base

# What filter_dim and group_dim hold: no filter or grouping, or which company column; a company's
# associations: any link (the filter), its active memberships, the association that referred it.
NO_DIMENSION, SECTOR, DISTRICT, OWNER, SIZE, ASSOCIATION, MEMBERSHIP, REFERRAL = 0, 1, 2, 3, 4, 5, 6, 7
FILTER_DIMENSIONS = (NO_DIMENSION, SECTOR, DISTRICT, OWNER, ASSOCIATION)
COLUMN_GROUPS = (NO_DIMENSION, SECTOR, DISTRICT, OWNER, SIZE)
GROUP_DIMENSIONS = (*COLUMN_GROUPS, MEMBERSHIP, REFERRAL)


class LedgerRow:
    """The columns every tally shares: its id (the fold's watermark), programme key and filter."""

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    programme_key: Mapped[int] = mapped_column(Integer)  # 0: every programme together
    filter_dim: Mapped[int] = mapped_column(SmallInteger)
    filter_value: Mapped[int | None] = mapped_column(Integer)  # NULL with no filter dimension


class ReachTally(LedgerRow, Base):
    """A signed count of companies: with this programme key, filter value and group value, furthest stages.

    One company with a furthest stage (a company_reach row with `top`) counts once under every pair of a
    filter dimension (none, sector, district, owner, association) and a grouping dimension (none, sector,
    district, owner, size), with its own values; under the association filter, once per association it
    is an active member of or was referred by. Grouped by membership, it counts once per association it
    is an active member of (or once under NULL); grouped by referral, once per programme row under the
    row's referring association (or NULL), and under programme key 0 once per referring association with
    its furthest stage over the programmes that association referred (company_reach.source_top), with
    no pending stage. The funnel and conversion by every dimension, with no filter or one of those, add
    up a few of these rows instead of reading 100,000 companies. The table
    is a ledger: each change of company_reach adds -1 under the company's old values and +1 under its new
    ones (inserts only, so concurrent moves never wait on one another's counts), and
    crm.pipeline.tallies.compact() regularly folds the rows into one per key. Readers always SUM(n).
    Never written by hand.
    """

    __tablename__ = "reach_tallies"
    # The reports read a range of this index alone (PostgreSQL: an index-only scan with the counts included).
    __table_args__ = (
        Index(
            "ix_reach_tallies_report", "programme_key", "filter_dim", "group_dim", "filter_value",
            postgresql_include=["group_value", "top", "pending_top", "n"],
        ),
    )  # fmt: skip

    group_dim: Mapped[int] = mapped_column(SmallInteger)
    group_value: Mapped[int | None] = mapped_column(Integer)  # a size is its place in SIZES, from 1
    top: Mapped[int] = mapped_column(SmallInteger)
    pending_top: Mapped[int | None] = mapped_column(SmallInteger)
    n: Mapped[int] = mapped_column(Integer)


class CompanyLink(Base):
    """A company's association for the report filter: one it is an active member of or that referred it.

    `member` says the company is an active member of it (the conversion grouped by membership).
    Kept with company_reach by crm.pipeline.company_reach (never written by hand), so that the tallies can
    take a company out under the associations it had when it was counted.
    """

    __tablename__ = "company_links"
    # The reports' association filter: an association's companies, one range of this index.
    __table_args__ = (Index("ix_company_links_association", "association_id", "organisation_id"),)

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    association_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class StayTally(LedgerRow, Base):
    """A signed count of finished stays in a stage that lasted this many days, under a report filter.

    Each stage_stays row of a company counts under its programme and under programme key 0 (every
    programme), with every filter dimension (none, sector, district, owner, association) and its value;
    under the association filter, once per company_links row. Time in stage with no period and at most
    one of those filters adds up these rows instead of grouping every stay. A ledger like ReachTally:
    crm.pipeline.company_reach adds -1 for a company's old stays and +1 for its new ones in the same
    flush; crm.pipeline.tallies.compact() folds it. Never written by hand.
    """

    __tablename__ = "stay_tallies"
    __table_args__ = (
        Index(
            "ix_stay_tallies_report", "programme_key", "filter_dim", "filter_value",
            postgresql_include=["stage", "days", "n"],
        ),
    )  # fmt: skip

    stage: Mapped[str] = mapped_column(String(30))
    days: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)


class ExitTally(LedgerRow, Base):
    """A signed count of exits (to declined, on hold or withdrawn) from a stage, to an exit, for a reason,
    under a report filter.

    Each stage_exits row of a company counts under its programme and under programme key 0 (every
    programme), with every filter dimension (none, sector, district, owner, association) and its value;
    under the association filter, once per company_links row. The funnel's exits table with no period and
    at most one of those filters adds up these rows instead of grouping every exit. A ledger like
    ReachTally, kept in the same flush and folded by the same job. Never written by hand.
    """

    __tablename__ = "exit_tallies"
    __table_args__ = (
        Index(
            "ix_exit_tallies_report", "programme_key", "filter_dim", "filter_value",
            postgresql_include=["from_stage", "to_stage", "barrier_id", "n"],
        ),
    )  # fmt: skip

    from_stage: Mapped[str | None] = mapped_column(String(30))
    to_stage: Mapped[str] = mapped_column(String(30))
    barrier_id: Mapped[int | None] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)
