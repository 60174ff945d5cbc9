"""Contacts: create, update, delete and search within the user's scope."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.exc import StaleDataError

from crm.errors import StaleEditError
from crm.extensions import db
from crm.history import present
from crm.models import (
    GENDERS,
    ChangeLog,
    Contact,
    Interaction,
    Organisation,
    User,
    interaction_contacts,
    utcnow,
)
from crm.pagination import LIST_COUNT_CAP, Page, paginate
from crm.permissions import visible_contacts, visible_organisations
from crm.text import like_pattern

SORTS = {
    "name": (Contact.last_name, Contact.first_name),
    "organisation": (Organisation.legal_name, Contact.last_name),
    "updated": (Contact.updated_at,),
}


@dataclass
class ContactValues:
    """The editable fields of a contact, already validated by the form.

    Not `qualified_consultant`: it mirrors the consultants registry and only the registry sets it.
    """

    first_name: str
    last_name: str
    position: str | None = None
    organisation_id: int | None = None
    email: str | None = None
    phone: str | None = None
    gender: str = "not_recorded"
    email_consent: bool = False
    consent_source: str | None = None
    consent_scope: str | None = None


CONSENT_FIELDS = ("email_consent", "consent_source", "consent_scope")


@dataclass
class ContactSearch:
    """What the contact list asks for: a search term, filters and a sort key."""

    q: str = ""
    gender: str | None = None
    consultant: bool | None = None
    organisation_id: int | None = None
    sort: str = "name"


def contacts_of(user: User, org_id: int) -> list[Contact]:
    """Return the contacts of one organisation that the user may see."""
    query = visible_contacts(user).where(Contact.organisation_id == org_id)
    return list(db.session.scalars(query.order_by(Contact.last_name, Contact.first_name)))


def order_by(query: Select, sort: str) -> Select:
    """Apply a sort key such as 'name' or '-updated' (unknown keys sort by name)."""
    key = sort.lstrip("-")
    columns = SORTS.get(key, SORTS["name"])
    descending = sort.startswith("-") and key in SORTS
    ordered = [c.desc() for c in columns] if descending else list(columns)
    return query.order_by(*ordered, Contact.id)


def filtered(query: Select, search: ContactSearch) -> Select:
    """Narrow a contact query by the search term and filters."""
    if search.q.strip():
        query = query.where(Contact.search_text.like(like_pattern(search.q), escape="\\"))
    if search.gender in GENDERS:
        query = query.where(Contact.gender == search.gender)
    if search.consultant is not None:
        query = query.where(Contact.qualified_consultant.is_(search.consultant))
    if search.organisation_id is not None:
        query = query.where(Contact.organisation_id == search.organisation_id)
    return query


def search_contacts(user: User, search: ContactSearch, per_page: int) -> Page:
    """Return one page of the contacts the user may see, with organisations loaded."""
    query = visible_contacts(user).outerjoin(Contact.organisation)
    query = query.options(contains_eager(Contact.organisation))
    return paginate(order_by(filtered(query, search), search.sort), per_page, cap=LIST_COUNT_CAP)


def visible_organisation(user: User, org_id: int | None) -> Organisation | None:
    """Return the organisation if the user may see it, else None."""
    if org_id is None:
        return None
    return db.session.scalar(visible_organisations(user).where(Organisation.id == org_id))


def same_email(user: User, email: str | None, except_id: int | None = None) -> list[Contact]:
    """Return other visible contacts with this e-mail address (case-insensitive)."""
    if not email:
        return []
    query = visible_contacts(user).where(func.lower(Contact.email) == email.strip().lower())
    if except_id is not None:
        query = query.where(Contact.id != except_id)
    return list(db.session.scalars(query.order_by(Contact.last_name).limit(10)))


def clean(values: ContactValues) -> dict[str, Any]:
    """Return the values as a dict with text stripped and empty text as None."""
    data = {f.name: getattr(values, f.name) for f in fields(values)}
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = value.strip() or None
    data["first_name"] = data["first_name"] or ""
    data["gender"] = data["gender"] if data["gender"] in GENDERS else "not_recorded"
    return data


def without_consent(values: ContactValues) -> dict[str, Any]:
    """Return the cleaned values except consent, which apply_consent records with its date."""
    return {k: v for k, v in clean(values).items() if k not in CONSENT_FIELDS}


def apply_consent(contact: Contact, values: ContactValues) -> None:
    """Record consent to e-mail with when, how and to what; unticking records a withdrawal (Ley 29733)."""
    given, before = values.email_consent, bool(contact.email_consent)
    if given:
        source = values.consent_source or contact.consent_source
        if not before or source != contact.consent_source:
            contact.consent_at = utcnow()
        contact.consent_source = source
        contact.consent_scope = values.consent_scope or contact.consent_scope or "project"
    elif before:
        contact.consent_at, contact.consent_source = utcnow(), "withdrawn"
    contact.email_consent = given


def create_contact(values: ContactValues) -> Contact:
    """Add a contact and flush it (the audit hook records the creation)."""
    contact = Contact(**without_consent(values))
    apply_consent(contact, values)
    db.session.add(contact)
    db.session.flush()
    return contact


def changes_since(contact_id: int, version: int) -> list[ChangeLog]:
    """Return the contact's recorded changes made after the given version."""
    query = (
        select(ChangeLog)
        .where(ChangeLog.entity_type == "contact", ChangeLog.entity_id == contact_id)
        .where(ChangeLog.entity_version > version)
        .order_by(ChangeLog.at, ChangeLog.id)
    )
    return present(list(db.session.scalars(query)))


def update_contact(contact: Contact, values: ContactValues, loaded_version: int) -> Contact:
    """Save the contact unless it changed since loaded_version (then raise StaleEditError)."""
    contact_id = contact.id
    if loaded_version != contact.version_id:
        raise StaleEditError(changes_since(contact_id, loaded_version))
    for key, value in without_consent(values).items():
        setattr(contact, key, value)
    apply_consent(contact, values)
    contact.needs_review = False  # a person of the team has now checked what the public page created
    try:
        db.session.flush()
    except StaleDataError:
        # A concurrent save won the race between our check and our UPDATE. The failed flush leaves the
        # session unable to read what changed: the view reads it after discarding the work.
        raise StaleEditError() from None
    return contact


def delete_contact(contact: Contact) -> None:
    """Delete a contact and its links to interactions (the interactions stay)."""
    db.session.execute(delete(interaction_contacts).where(interaction_contacts.c.contact_id == contact.id))
    db.session.delete(contact)
    db.session.flush()


def history(contact_id: int, limit: int = 100) -> list[ChangeLog]:
    """Return the contact's change history, newest first."""
    query = (
        select(ChangeLog)
        .where(ChangeLog.entity_type == "contact", ChangeLog.entity_id == contact_id)
        .order_by(ChangeLog.at.desc(), ChangeLog.id.desc())
        .limit(limit)
    )
    return present(list(db.session.scalars(query)))


def interactions_with(contact_id: int, limit: int = 50) -> list[Interaction]:
    """Return the latest interactions the contact took part in."""
    query = (
        select(Interaction)
        .join(interaction_contacts, interaction_contacts.c.interaction_id == Interaction.id)
        .where(interaction_contacts.c.contact_id == contact_id)
        .order_by(Interaction.occurred_on.desc(), Interaction.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
