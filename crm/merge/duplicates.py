"""Probable duplicates, found in SQL: organisations with the same normalised name in the same
district (or both without one), and contacts with the same e-mail address.

The RUC column is unique, so two organisations never share a RUC; the name key strips accents,
case, punctuation and legal-form suffixes (S.A.C., S.A., E.I.R.L., S.R.L.) with portable
lower()/replace() calls. Groups are counted and paged in SQL; only one page of members is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, case, cast, func, literal, select

from crm.extensions import db
from crm.imports.matching import sql_fold, sql_key
from crm.models import Contact, Organisation
from crm.pagination import Page

SAME_DISTRICT = 90  # same normalised name, same district
NO_DISTRICT = 70  # same normalised name, neither has a district
SAME_EMAIL = 95
MAX_MEMBERS = 10  # members shown per group


@dataclass
class Group:
    """A set of records that are probably the same, with a score out of 100."""

    key: str
    score: int
    size: int
    members: list[Any] = field(default_factory=list)


def keyed_organisations() -> Any:
    """Return a subquery of (id, key, district_id): the name key computed in SQL, in two steps."""
    folded = select(
        Organisation.id, sql_fold(Organisation.legal_name).label("folded"), Organisation.district_id
    )
    folded = folded.subquery()
    return select(folded.c.id, sql_key(folded.c.folded).label("key"), folded.c.district_id).subquery()


def org_groups_query() -> Any:
    """Select every group of organisations sharing a name key and district: size, score, member ids."""
    keyed = keyed_organisations()
    score = case((keyed.c.district_id.is_(None), literal(NO_DISTRICT)), else_=literal(SAME_DISTRICT))
    return (
        select(
            keyed.c.key,
            func.count().label("size"),
            score.label("score"),
            func.aggregate_strings(cast(keyed.c.id, String), ",").label("ids"),
            func.count().over().label("total"),  # the number of groups, in the same scan
        )
        .where(keyed.c.key != "")
        .group_by(keyed.c.key, keyed.c.district_id)
        .having(func.count() > 1)
    )


def page_of(query: Any, order: list[Any], per_page: int, number: int) -> list[Any]:
    """Run one page of a grouped query."""
    return db.session.execute(query.order_by(*order).limit(per_page).offset((number - 1) * per_page)).all()


def with_members(model: type, rows: list[Any], score: Any) -> tuple[list[Group], int]:
    """Turn group rows into groups with their first members loaded in one query; return the total."""
    groups = [Group(r.key, score(r), r.size) for r in rows]
    wanted = [sorted(int(i) for i in r.ids.split(","))[:MAX_MEMBERS] for r in rows]
    found = {m.id: m for m in db.session.scalars(select(model).where(model.id.in_(sum(wanted, []))))}
    for group, ids in zip(groups, wanted, strict=True):
        group.members = [found[i] for i in ids if i in found]
    return groups, (rows[0].total if rows else 0)


def organisation_groups(per_page: int, number: int) -> Page:
    """Return one page of organisation groups, best score and biggest first, with their members."""
    query = org_groups_query()
    columns = query.selected_columns
    rows = page_of(query, [columns.score.desc(), columns.size.desc(), columns.key], per_page, number)
    groups, total = with_members(Organisation, rows, lambda r: int(r.score))
    if rows == [] and number > 1:
        total = count_groups(query)
    return Page(groups, total, number, per_page)


def count_groups(query: Any) -> int:
    """Count the groups of a grouped query, in SQL (only needed past the last page)."""
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def contact_groups_query() -> Any:
    """Select every e-mail address two or more contacts share: size and member ids."""
    email = func.lower(func.trim(Contact.email))
    return (
        select(
            email.label("key"),
            func.count().label("size"),
            func.aggregate_strings(cast(Contact.id, String), ",").label("ids"),
            func.count().over().label("total"),
        )
        .where(Contact.email.is_not(None), Contact.email != "")
        .group_by(email)
        .having(func.count() > 1)
    )


def contact_groups(per_page: int, number: int) -> Page:
    """Return one page of contact groups sharing an e-mail, biggest first, with their members."""
    query = contact_groups_query()
    columns = query.selected_columns
    rows = page_of(query, [columns.size.desc(), columns.key], per_page, number)
    groups, total = with_members(Contact, rows, lambda _r: SAME_EMAIL)
    if rows == [] and number > 1:
        total = count_groups(query)
    return Page(groups, total, number, per_page)
