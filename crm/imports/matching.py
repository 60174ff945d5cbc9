"""Matching rows to existing records: exact RUC (or e-mail), else the normalised name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, func, literal, select

from crm.extensions import db
from crm.models import Contact, Organisation

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# Legal-form suffixes of Peruvian company names, written without dots.
SUFFIXES = {
    "sac", "sa", "saa", "eirl", "srl", "scrl", "sl", "ltda", "sc", "scc",
    "sociedad anonima", "sociedad anonima cerrada", "sociedad anonima abierta",
    "empresa individual de responsabilidad limitada", "sociedad comercial de responsabilidad limitada",
}  # fmt: skip
LONGEST_SUFFIX = 6  # words


def ascii_fold(name: str | None) -> str:
    """Return a name lower-cased with accents removed (other non-ASCII characters dropped)."""
    if not name:
        return ""
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return name.lower()


def tokens_of(name: str | None) -> list[str]:
    """Split a name into folded words, dots dropped so that S.A.C. reads as sac."""
    return _NOT_ALNUM.sub(" ", ascii_fold(name).replace(".", "")).split()


def is_suffix(tail: list[str]) -> bool:
    """Return whether the last words are a legal-form suffix (also spelt S A C)."""
    joined = "".join(tail)
    return " ".join(tail) in SUFFIXES or (all(len(t) == 1 for t in tail) and joined in SUFFIXES)


def strip_suffixes(words: list[str]) -> list[str]:
    """Remove trailing legal-form suffixes, keeping at least one word."""
    changed = True
    while changed and len(words) > 1:
        changed = False
        for size in range(min(LONGEST_SUFFIX, len(words) - 1), 0, -1):
            if is_suffix(words[-size:]):
                words, changed = words[:-size], True
                break
    return words


def name_key(name: str | None) -> str:
    """Return the matching key of an organisation name: no accents, case, punctuation or S.A.C."""
    return "".join(strip_suffixes(tokens_of(name)))


def person_key(first: str | None, last: str | None) -> str:
    """Return the matching key of a person's name."""
    return "".join(tokens_of(f"{first or ''} {last or ''}"))


@dataclass
class Match:
    """How a row matched: by 'ruc'/'email' (certain), 'name' (one candidate) or 'ambiguous'."""

    how: str | None = None
    ids: list[int] = field(default_factory=list)


@dataclass
class OrgIndex:
    """Every organisation's RUC and name key, loaded in one query."""

    by_ruc: dict[str, int] = field(default_factory=dict)
    by_key: dict[str, list[int]] = field(default_factory=dict)
    ruc_of: dict[int, str | None] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> OrgIndex:
        """Load the index from the database."""
        index = cls()
        query = select(Organisation.id, Organisation.ruc, Organisation.legal_name)
        for org_id, ruc, legal_name in db.session.execute(query):
            index.add(org_id, ruc, legal_name)
        return index

    def add(self, org_id: int, ruc: str | None, legal_name: str) -> None:
        """Index one organisation."""
        if ruc:
            self.by_ruc[ruc] = org_id
        self.by_key.setdefault(name_key(legal_name), []).append(org_id)
        self.ruc_of[org_id] = ruc
        self.names[org_id] = legal_name

    def match(self, ruc: str | None, legal_name: str | None) -> Match:
        """Match by exact RUC, else by name key among organisations without a different RUC."""
        if ruc and ruc in self.by_ruc:
            return Match("ruc", [self.by_ruc[ruc]])
        ids = [i for i in self.by_key.get(name_key(legal_name), []) if not (ruc and self.ruc_of.get(i))]
        if not ids:
            return Match()
        return Match("name" if len(ids) == 1 else "ambiguous", sorted(ids))


@dataclass
class ContactIndex:
    """Every contact's e-mail and name key per organisation, loaded in one query."""

    by_email: dict[str, list[int]] = field(default_factory=dict)
    by_name: dict[tuple[str, int | None], list[int]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> ContactIndex:
        """Load the index from the database."""
        index = cls()
        columns = (Contact.first_name, Contact.last_name, Contact.organisation_id)
        query = select(Contact.id, func.lower(Contact.email), *columns)
        for contact_id, email, first, last, org_id in db.session.execute(query):
            index.add(contact_id, email, first, last, org_id)
        return index

    def add(self, contact_id: int, email: str | None, first: str, last: str, org_id: int | None) -> None:
        """Index one contact."""
        if email:
            self.by_email.setdefault(email.lower(), []).append(contact_id)
        self.by_name.setdefault((person_key(first, last), org_id), []).append(contact_id)
        self.names[contact_id] = f"{first} {last}".strip()

    def match(self, email: str | None, first: str | None, last: str | None, org_id: int | None) -> Match:
        """Match by e-mail (case-insensitive), else by name at the same organisation."""
        if email and (ids := self.by_email.get(email.lower())):
            return Match("email" if len(ids) == 1 else "ambiguous", sorted(ids))
        ids = self.by_name.get((person_key(first, last), org_id), [])
        if not ids:
            return Match()
        return Match("name" if len(ids) == 1 else "ambiguous", sorted(ids))


# --- the same normalisation in SQL, for the duplicates page ---------------------------------------------

ACCENTS = {"á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "ü": "u", "ñ": "n", "à": "a", "è": "e", "ò": "o"}
SPELLED_SUFFIXES = (" s a c ", " s a a ", " s a ", " e i r l ", " s r l ")
SQL_SUFFIXES = (" sac ", " saa ", " sa ", " eirl ", " srl ", " scrl ", " ltda ")
PUNCTUATION = (",", "-", "(", ")", '"', "'", "&", "/", ";", ":")


def rep(expr: Any, old: str, new: str) -> Any:
    """Return SQL replace() typed as text, so that || concatenation applies."""
    return func.replace(expr, old, new, type_=String)


def sql_fold(column: Any) -> Any:
    """Return SQL lower-casing a name and stripping Spanish accents (first half of the key)."""
    expr = func.lower(column, type_=String)
    for accented, plain in ACCENTS.items():
        expr = rep(rep(expr, accented, plain), accented.upper(), plain)
    return expr


def sql_key(folded: Any) -> Any:
    """Return SQL turning a folded name into its key: no punctuation, spaces or legal-form words.

    Kept apart from sql_fold so that each expression stays below SQLite's parser depth limit.
    """
    expr = rep(folded, ".", "")
    for mark in PUNCTUATION:
        expr = rep(expr, mark, " ")
    expr = literal(" ", String).concat(expr).concat(" ")
    for suffix in SPELLED_SUFFIXES:
        expr = rep(expr, suffix, " ")
    expr = rep(expr, " ", "  ")  # doubled spaces let adjacent suffix words both match
    for suffix in SQL_SUFFIXES:
        expr = rep(expr, suffix, " ")
    return rep(expr, " ", "")
