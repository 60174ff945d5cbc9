"""Probable duplicates, found in SQL: organisations with the same normalised name in the same
district (or both without one), and contacts with the same e-mail address.

The RUC column is unique, so two organisations never share a RUC; the name key strips accents,
case, punctuation and legal-form suffixes (S.A.C., S.A., E.I.R.L., S.R.L.): the same key the imports
match names by (crm.imports.matching.name_key), stored per organisation. Groups are counted and paged
in SQL; only one page of members is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, case, cast, func, literal, select

from crm.extensions import db
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


def org_groups_query() -> Any:
    """Select every group of organisations sharing a name key and district: key, district, size, score.

    The key is stored (organisations.name_key, kept by the model's save hook) and indexed with the
    district, so the groups are counted from the index instead of computing 100,000 keys per request;
    the member ids are gathered for one page of groups only (organisation_page).
    """
    org = Organisation
    score = case((org.district_id.is_(None), literal(NO_DISTRICT)), else_=literal(SAME_DISTRICT))
    return (
        select(
            org.name_key.label("key"),
            org.district_id.label("district_id"),
            func.count().label("size"),
            score.label("score"),
            func.count().over().label("total"),  # the number of groups, in the same scan
        )
        .where(org.name_key != "")
        .group_by(org.name_key, org.district_id)
        .having(func.count() > 1)
    )


def organisation_page(per_page: int, number: int) -> list[Any]:
    """Return one page of organisation groups, best score and biggest first, with their member ids."""
    groups = org_groups_query()
    c = groups.selected_columns
    order = [c.score.desc(), c.size.desc(), c.key, c.district_id]
    page = groups.order_by(*order).limit(per_page).offset((number - 1) * per_page).subquery("page")
    org = Organisation
    same = (org.name_key == page.c.key) & org.district_id.is_not_distinct_from(page.c.district_id)
    ids = func.aggregate_strings(cast(org.id, String), ",").label("ids")
    query = select(page, ids).join(org, same).group_by(*page.c)
    order = [page.c.score.desc(), page.c.size.desc(), page.c.key, page.c.district_id]
    return db.session.execute(query.order_by(*order)).all()


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
    rows = organisation_page(per_page, number)
    groups, total = with_members(Organisation, rows, lambda r: int(r.score))
    if rows == [] and number > 1:
        total = count_groups(org_groups_query())
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
