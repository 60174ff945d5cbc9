"""Global search in the user's scope, accent- and case-blind, ranked and grouped by kind.

PostgreSQL matches every word of the query as a substring of the folded text, served by trigram indexes
(migrations 0007 and 0017: organisations' and contacts' search_text, contacts' phone, crm_fold3() of the
interaction and event texts). SQLite matches words by prefix in FTS5 tables kept current by triggers
(migration 0017). Each kind answers its best few rows and whether there are more.

Organisations, contacts and letters rank at most CANDIDATES matches: a common surname or the first digits
of a RUC match thousands of rows, and sorting them all cost 100–500 ms at 100k companies for eight rows
on the screen. The page says when more matched and links to the kind's full, sorted list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, case, func, literal_column, or_, select, text

from crm.extensions import db
from crm.models import Contact, Event, Interaction, Letter, Organisation, User
from crm.permissions import can, visible_contacts, visible_organisations
from crm.text import fold

MAX_TERMS = 6
CANDIDATES = 300  # matches read, in index order, before ranking (see the module's docstring)
WORD = re.compile(r"[^\W_]+")  # punctuation, operators and control characters never reach SQL
KINDS = ("organisations", "contacts", "interactions", "letters", "events")
PERMISSIONS = {
    "organisations": "org.view",
    "contacts": "contact.view",
    "interactions": "interaction.view",
    "letters": "letter.view",
    "events": "event.view",
}


@dataclass
class Group:
    """The best rows of one kind, and whether more matched."""

    kind: str
    rows: list[Any] = field(default_factory=list)
    more: bool = False


def words(query: str) -> list[str]:
    """Return the folded words of a query (at most MAX_TERMS): letters and digits, no one-letter noise."""
    return [w for w in WORD.findall(fold(query)) if len(w) > 1 or w.isdigit()][:MAX_TERMS]


def postgres() -> bool:
    """Return whether the session talks to PostgreSQL."""
    return db.session.get_bind().dialect.name == "postgresql"


def escaped(word: str) -> str:
    """Escape LIKE wildcards with backslash."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like(column: Any, word: str) -> Any:
    """Match a folded word anywhere in a folded column."""
    return column.like(f"%{escaped(word)}%", escape="\\")


def fts_ids(table: str, found: list[str]) -> Select:
    """Select the rowids an FTS5 table matches: every word, as a word prefix (SQLite)."""
    match = " ".join('"' + w.replace('"', '""') + '"*' for w in found)
    fts = literal_column(f"fts_{table}")
    return select(literal_column("rowid")).select_from(text(f"fts_{table}")).where(fts.op("MATCH")(match))


def text_match(table: str, model: Any, folded: Any, found: list[str]) -> Any:
    """Match every word: trigram substrings on PostgreSQL, FTS5 prefixes on SQLite."""
    if postgres():
        return and_(*(like(folded, w) for w in found))
    return model.id.in_(fts_ids(table, found))


def organisation_match(found: list[str]) -> Any:
    """Match organisations by names and RUC."""
    return text_match("organisations", Organisation, Organisation.search_text, found)


def digits(word: str) -> bool:
    """Return whether a word could be part of a phone number."""
    return any(ch.isdigit() for ch in word)


def contact_match(found: list[str]) -> Any:
    """Match contacts by name, e-mail, position and phone."""
    if postgres():
        return and_(
            *(
                or_(like(Contact.search_text, w), like(Contact.phone, w))
                if digits(w)
                else like(Contact.search_text, w)
                for w in found
            )
        )
    return Contact.id.in_(fts_ids("contacts", found))


def first(query: Select, limit: int) -> tuple[list[Any], bool]:
    """Return up to limit rows and whether more matched (one row more is read, never a count)."""
    rows = list(db.session.scalars(query.limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def candidates(query: Select, model: Any) -> Any:
    """Select the ids of the first CANDIDATES rows a match finds, unsorted (so the scan stops there)."""
    return select(query.with_only_columns(model.id).limit(CANDIDATES).subquery().c.id)


@dataclass
class Terms:
    """One search: who asks, the folded words, and the organisations they match once read."""

    user: User
    found: list[str]
    org_ids: list[int] | None = None

    def organisation_ids(self) -> list[int]:
        """Return the ids of the first matching organisations in scope (read once: two kinds use them)."""
        if self.org_ids is None:
            query = visible_organisations(self.user).where(organisation_match(self.found))
            self.org_ids = list(
                db.session.scalars(query.with_only_columns(Organisation.id).limit(CANDIDATES))
            )
        return self.org_ids


def organisations(terms: Terms, limit: int) -> tuple[list[Any], bool]:
    """Return the best matching organisations: names starting with the first word first."""
    starts = case((Organisation.search_text.like(f"{escaped(terms.found[0])}%", escape="\\"), 0), else_=1)
    query = select(Organisation).where(Organisation.id.in_(terms.organisation_ids()))
    return first(query.order_by(starts, func.lower(Organisation.legal_name), Organisation.id), limit)


def contacts(terms: Terms, limit: int) -> tuple[list[Any], bool]:
    """Return the best matching contacts, by name."""
    matched = candidates(visible_contacts(terms.user).where(contact_match(terms.found)), Contact)
    by_name = (func.lower(Contact.last_name), func.lower(Contact.first_name), Contact.id)
    return first(select(Contact).where(Contact.id.in_(matched)).order_by(*by_name), limit)


def in_scope(user: User, column: Any) -> list[Any]:
    """Limit rows to the user's organisations (nothing to add for those who see them all)."""
    if can(user, "scope.all_organisations"):
        return []
    return [column.in_(visible_organisations(user).with_only_columns(Organisation.id))]


def interactions(terms: Terms, limit: int) -> tuple[list[Any], bool]:
    """Return the newest interactions whose summary, outcome or next step match."""
    folded = func.crm_fold3(Interaction.summary, Interaction.outcome, Interaction.next_step)
    match = text_match("interactions", Interaction, folded, terms.found)
    query = select(Interaction).where(match, *in_scope(terms.user, Interaction.organisation_id))
    return first(query.order_by(Interaction.occurred_on.desc(), Interaction.id.desc()), limit)


def letters(terms: Terms, limit: int) -> tuple[list[Any], bool]:
    """Return the latest letters (signed, received or requested) of the first matching organisations."""
    query = select(Letter).where(Letter.organisation_id.in_(terms.organisation_ids()))
    # By date, not by id: no index serves it, so the organisations' letters are read by organisation and
    # sorted, instead of walking every letter newest first until one of theirs turns up.
    latest = func.coalesce(Letter.signed_on, Letter.received_on, Letter.requested_on)
    return first(query.order_by(latest.desc().nulls_last(), Letter.id.desc()), limit)


def events(terms: Terms, limit: int) -> tuple[list[Any], bool]:
    """Return the newest events whose title, place or training module match."""
    folded = func.crm_fold3(Event.title, Event.place, Event.training_module)
    query = select(Event).where(text_match("events", Event, folded, terms.found))
    return first(query.order_by(Event.held_on.desc(), Event.id.desc()), limit)


FINDERS = {
    "organisations": organisations,
    "contacts": contacts,
    "interactions": interactions,
    "letters": letters,
    "events": events,
}


def search(user: User, query: str, limit: int = 8) -> list[Group]:
    """Return, per kind the user may see, the best matches of every word of the query."""
    found = words(query)
    if not found:
        return []
    groups, terms = [], Terms(user, found)
    for kind in KINDS:
        if can(user, PERMISSIONS[kind]):
            rows, more = FINDERS[kind](terms, limit)
            if rows:
                groups.append(Group(kind, rows, more))
    return groups
