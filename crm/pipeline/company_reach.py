"""The per-company report aggregates, kept equal to the history: company_reach, company_days, the
exits and stays of crm.pipeline.history_rows, the co-finance lines and the counts of crm.pipeline.tallies.

crm.pipeline.reach calls keep_current() at the end of its flush hook, after the engagements' stage_reach
rows are current: the organisations whose engagements, transitions or letters changed, or whose filter
columns (kind, sector, district, owner, size) were edited, get their rows recomputed on the flush's own
connection, so the aggregate commits or rolls back with the change. Writers that go around the ORM call
refresh(); `flask crm rebuild-aggregates` calls rebuild().
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    bindparam,
    case,
    cast,
    delete,
    event,
    func,
    inspect,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from crm.models import STAGES, CofinanceLine, Engagement, Letter, Materialisation, Membership, Organisation
from crm.models.organisation import OrgKind
from crm.models.pipeline import PAST_GATE, REFERRAL_STAGES, StageReach
from crm.models.report_rows import (
    BEFORE,
    MEMBER_DAY_COPIES,
    PENDING_BEFORE,
    REFERRAL_BEFORE,
    CompanyDay,
    CompanyReach,
    MemberDay,
    StageExit,
    StageStay,
)
from crm.models.tallies import CompanyLink
from crm.pipeline import cofinance_rows, history_rows, tallies
from crm.pipeline.evidence import unscanned_clause

CHUNK = 500  # organisation ids per statement (SQLite's bound-parameter limit)
COPIED = ("kind", "sector_id", "district_id", "owner_id", "size")
COLUMNS = ("organisation_id", "programme_key", "top", "pending_top", "source_id", "first_contact", "stage")
COLUMNS += ("source_top", *COPIED)
DAY_COLUMNS = ("organisation_id", "programme_key", "reached_on", "top", "pending_top", "source_id", *COPIED)
DAY_COLUMNS += (*BEFORE, *PENDING_BEFORE, *REFERRAL_BEFORE)
MEMBER_DAY_COLUMNS = ("organisation_id", "programme_key", "reached_on", "association_id", "top")
MEMBER_DAY_COLUMNS += MEMBER_DAY_COPIES
NO_ASSOCIATION = 0  # member_days' association of a company that is no active member of any
EVERY_PROGRAMME = tallies.EVERY_PROGRAMME  # 0: every programme together
CONTACTED = STAGES.index("contacted")  # the rank of first contact
MEMBERSHIP_KEYS = ("company_id", "association_id", "status")  # what company_links and member_days read
RECOUNT = "company_reach_recount"  # session.info: organisations to refresh after this flush


def per_key(keyed: tuple[Any, Any, Any], organisation_ids: list[int] | None, daily: bool) -> Any:
    """Select one row per organisation and key (and day it moved forward, when daily): the furthest rank.

    keyed: the key's programme key, referring association and current stage (the last two on programme
    rows only).
    """
    programme_key, source, stage = keyed
    days = [StageReach.reached_on] if daily else []
    pending = func.max(case((unscanned_clause(Engagement), StageReach.stage_rank)))
    query = select(Engagement.organisation_id, programme_key.label("programme_key"), *days)
    query = query.add_columns(func.max(StageReach.stage_rank).label("top"), pending.label("pending_top"))
    query = query.add_columns(source.label("source_id"))
    if daily:  # every day's row
        query = query.join(StageReach, StageReach.engagement_id == Engagement.id)
    else:  # the furthest row, or none yet, and the day of first contact
        furthest = (StageReach.engagement_id == Engagement.id) & StageReach.furthest.is_(True)
        query = query.outerjoin(StageReach, furthest)
        firsts = first_contacts(organisation_ids)
        query = query.outerjoin(firsts, firsts.c.engagement_id == Engagement.id)
        first = func.min(firsts.c.first_contact).label("first_contact")
        query = query.add_columns(first, stage.label("stage"))
    if organisation_ids is not None:
        query = query.where(Engagement.organisation_id.in_(organisation_ids))
    return query.group_by(Engagement.organisation_id, programme_key, *days)


def first_contacts(organisation_ids: list[int] | None) -> Any:
    """Return a subquery: per engagement (of these organisations), the first day it reached "contacted" or
    further (the cohorts report's first contact)."""
    query = select(StageReach.engagement_id, func.min(StageReach.reached_on).label("first_contact"))
    query = query.where(StageReach.stage_rank >= CONTACTED)
    if organisation_ids is not None:
        query = query.where(StageReach.organisation_id.in_(organisation_ids))
    return query.group_by(StageReach.engagement_id).subquery("firsts")


def every_key(organisation_ids: list[int] | None, daily: bool) -> Any:
    """Return the rows per programme and for every programme together (programme_key 0), as a subquery."""
    # One engagement per company and programme: its referring association is the programme row's.
    referred, stage = func.max(Engagement.source_association_id), func.max(Engagement.stage)
    return union_all(
        per_key((Engagement.programme_id, referred, stage), organisation_ids, daily),
        per_key((literal(EVERY_PROGRAMME), null_id(), cast(null(), String(30))), organisation_ids, daily),
    ).subquery("tops")


def null_id() -> Any:
    """Return a NULL typed as an id (for the every-programme row's referring association)."""
    return cast(null(), Integer)


def company_rows(organisation_ids: list[int] | None = None) -> Any:
    """Select the company_reach rows stage_reach and the organisations imply (for some, or all)."""
    org_id, key, top, pending_top, source_id, first_contact, stage = every_key(organisation_ids, False).c
    copied = [getattr(Organisation, name) for name in COPIED]
    query = select(org_id, key, top, pending_top, source_id, first_contact, stage)
    query = query.add_columns(source_top(org_id, key, top, source_id), *copied)
    return query.join(Organisation, Organisation.id == org_id)


def source_top(org_id: Any, key: Any, top: Any, source_id: Any) -> Any:
    """Return, on the first programme row of each (organisation, referring association), its furthest rank."""
    group = (org_id, case((key == EVERY_PROGRAMME, 1), else_=0), source_id)
    first = func.row_number().over(partition_by=group, order_by=key) == 1
    return case(((key != EVERY_PROGRAMME) & first, func.max(top).over(partition_by=group)))


def day_rows(organisation_ids: list[int] | None = None) -> Any:
    """Select the company_days rows stage_reach and the organisations imply (for some, or all)."""
    days = every_key(organisation_ids, daily=True)
    copied = [getattr(Organisation, name) for name in COPIED]
    query = select(*days.c, *copied, *days_before(days.c), *referral_days_before(days.c))
    return query.join(Organisation, Organisation.id == days.c.organisation_id)


def last_day_at(days: Any, rank: Any, stage: str, window: tuple[tuple[Any, ...], tuple[Any, ...]]) -> Any:
    """Return the latest day of the window's earlier rows whose rank is at or past a stage (NULL if none)."""
    at = case((rank >= STAGES.index(stage), days.reached_on))
    partition, order = window
    return func.max(at).over(partition_by=partition, order_by=order, rows=(None, -1))


def days_before(days: Any) -> list[Any]:
    """Return each stage's day before the row (and, past the gate, with evidence pending), within the
    organisation and programme key."""
    window = ((days.organisation_id, days.programme_key), (days.reached_on,))
    reached = [(days.top, stage, name) for stage, name in zip(STAGES, BEFORE, strict=True)]
    pending = zip(PAST_GATE, PENDING_BEFORE, strict=True)
    reached += [(days.pending_top, stage, name) for stage, name in pending]
    return [last_day_at(days, rank, stage, window).label(name) for rank, stage, name in reached]


def referral_days_before(days: Any) -> list[Any]:
    """Return conversion's stages' days before within the organisation's programme rows of one referring
    association (NULL on the every-programme rows): conversion by referral over a period, no programme."""
    programme_row = days.programme_key != EVERY_PROGRAMME
    window = ((days.organisation_id, programme_row, days.source_id), (days.reached_on, days.programme_key))
    stages = zip(REFERRAL_STAGES, REFERRAL_BEFORE, strict=True)
    last = [(last_day_at(days, days.top, stage, window), name) for stage, name in stages]
    return [case((programme_row, day)).label(name) for day, name in last]


def member_day_rows(organisation_ids: list[int] | None = None) -> Any:
    """Select the member_days rows: the companies' company_days rows once per active membership (or once
    under NO_ASSOCIATION). Read after company_days and company_links are refreshed (TABLES' order)."""
    cd, link = CompanyDay, CompanyLink
    member = (link.organisation_id == cd.organisation_id) & link.member.is_(True)
    association = func.coalesce(link.association_id, NO_ASSOCIATION)
    keys = (cd.organisation_id, cd.programme_key, cd.reached_on, association, cd.top)
    query = select(*keys, *[getattr(cd, name) for name in MEMBER_DAY_COPIES])
    query = query.outerjoin(link, member).where(cd.kind == OrgKind.COMPANY)
    if organisation_ids is not None:
        query = query.where(cd.organisation_id.in_(organisation_ids))
    return query


# Every table kept per organisation: (model, its columns, the select of the rows the history implies).
TABLES = (
    (CompanyReach, COLUMNS, company_rows),
    (CompanyDay, DAY_COLUMNS, day_rows),
    (StageExit, history_rows.EXIT_COLUMNS, history_rows.exit_rows),
    (StageStay, history_rows.STAY_COLUMNS, history_rows.stay_rows),
    (CompanyLink, ("organisation_id", "association_id", "member"), tallies.link_rows),
    (CofinanceLine, cofinance_rows.LINE_COLUMNS, cofinance_rows.line_rows),
    (MemberDay, MEMBER_DAY_COLUMNS, member_day_rows),  # last: it reads company_days and company_links
)


# The organisations a refresh or forget statement is for: one expanding IN list, bound at execution.
IDS = bindparam("organisation_ids", expanding=True)


@functools.cache
def refresh_statements() -> tuple[Any, ...]:
    """Return the statements of a refresh, built once per process (building them cost 40 ms per flush)."""
    replace = [
        statement
        for model, columns, rows in TABLES
        for statement in (
            delete(model).where(model.organisation_id.in_(IDS)),
            model.__table__.insert().from_select(columns, rows(IDS)),
        )
    ]
    # The counts the organisations had are taken out before their rows change, the new ones added after.
    return (*tallies.record_statements(IDS, -1), *replace, *tallies.record_statements(IDS, 1))


@functools.cache
def forget_statements() -> tuple[Any, ...]:
    """Return the statements that take organisations out of the tallies and drop their rows."""
    drops = [delete(model).where(model.organisation_id.in_(IDS)) for model, _columns, _rows in TABLES]
    return (*tallies.record_statements(IDS, -1), *drops)


def run_per_chunk(connection: Connection, statements: tuple[Any, ...], ids: Iterable[int]) -> None:
    """Run the statements for these organisations, CHUNK ids at a time."""
    chosen = sorted({i for i in ids if i is not None})
    for start in range(0, len(chosen), CHUNK):
        params = {"organisation_ids": chosen[start : start + CHUNK]}
        for statement in statements:
            connection.execute(statement, params)


def refresh(connection: Connection, organisation_ids: Iterable[int]) -> None:
    """Recompute the rows of these organisations, in every table (idempotent)."""
    run_per_chunk(connection, refresh_statements(), organisation_ids)


def forget(connection: Connection, organisation_ids: Iterable[int]) -> None:
    """Take organisations about to be deleted out of the tallies and drop their rows (before the DELETE).

    PostgreSQL cascades the organisation's deletion to its rows: a refresh after it would find nothing to
    take out of the tallies.
    """
    run_per_chunk(connection, forget_statements(), organisation_ids)


def forget_deleted(session: Session, _context: Any, _instances: Any) -> None:
    """Before a flush deletes organisations through the ORM, take them out of the report tables."""
    ids = [obj.id for obj in session.deleted if isinstance(obj, Organisation) and obj.id is not None]
    if ids:
        forget(session.connection(), ids)
        # A deleted association's memberships go by cascade: its companies are counted again after.
        linked = select(CompanyLink.organisation_id).where(CompanyLink.association_id.in_(ids))
        session.info.setdefault(RECOUNT, set()).update(session.connection().scalars(linked))


def install() -> None:
    """Register the before-flush hook once per process (the after-flush one is crm.pipeline.reach's)."""
    if not event.contains(Session, "before_flush", forget_deleted):
        event.listen(Session, "before_flush", forget_deleted)


def rebuild(connection: Connection) -> int:
    """Recompute every row of every table; return how many company rows there are now."""
    for model, columns, rows in TABLES:
        connection.execute(delete(model))
        connection.execute(model.__table__.insert().from_select(columns, rows(None)))
    tallies.rebuild(connection)
    return connection.scalar(select(func.count()).select_from(CompanyReach)) or 0


def previous(obj: Any, key: str) -> list[int]:
    """Return the values an attribute had before this flush, and the one it has."""
    history = inspect(obj).attrs[key].history
    return [v for v in chain(history.deleted or (), [getattr(obj, key)]) if v is not None]


def edited(obj: Any, columns: tuple[str, ...] = COPIED) -> bool:
    """Return whether any of these columns of an object changed in this flush (an organisation's copies)."""
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in columns)


def membership_counts(session: Session, obj: Membership) -> bool:
    """Return whether a membership's change can change the reports: a review or a note cannot."""
    return obj in session.new or obj in session.deleted or edited(obj, MEMBERSHIP_KEYS)


def changed_organisations(session: Session, engagement_ids: set[int]) -> set[int]:
    """Return the organisations whose rows this flush may have changed."""
    found: set[int] = set()
    letters: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Materialisation):  # its letter's organisation's co-finance lines
            letters.update(previous(obj, "letter_id"))
        elif isinstance(obj, (Engagement, Letter)):  # a signed letter opens the gate; its scan ends "pending"
            found.update(previous(obj, "organisation_id"))
        elif isinstance(obj, Membership) and membership_counts(session, obj):  # the company's associations
            found.update(previous(obj, "company_id"))
        elif isinstance(obj, Organisation) and (obj in session.deleted or edited(obj)):
            found.add(obj.id)
    if engagement_ids:
        owner = select(Engagement.organisation_id).where(Engagement.id.in_(sorted(engagement_ids)))
        found.update(session.connection().scalars(owner))
    if letters:
        found.update(
            session.connection().scalars(select(Letter.organisation_id).where(Letter.id.in_(letters)))
        )
    return found


def keep_current(session: Session, engagement_ids: set[int]) -> None:
    """Recompute the rows of the organisations this flush touched (after their stage_reach)."""
    ids = changed_organisations(session, engagement_ids) | session.info.pop(RECOUNT, set())
    if ids:
        refresh(session.connection(), ids)
