"""Agreements: the list, saving one with its optional document, its parties, and an organisation's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from werkzeug.datastructures import FileStorage

from crm import documents
from crm.errors import UserError
from crm.extensions import db
from crm.models import AGREEMENT_KINDS, PARTY_ROLES, Agreement, AgreementParty, Organisation, User
from crm.pagination import Page, count


@dataclass
class AgreementValues:
    """The editable fields of an agreement, as submitted."""

    kind: str
    title: str
    signed_on: date | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    commitments: str | None = None
    document: FileStorage | None = None


def listing() -> Select:
    """Select the agreements with their number of parties, newest signature first."""
    parties = select(func.count(AgreementParty.id)).where(AgreementParty.agreement_id == Agreement.id)
    order = (Agreement.signed_on.is_(None), Agreement.signed_on.desc(), Agreement.id.desc())
    return select(Agreement, parties.scalar_subquery().label("parties")).order_by(*order)


def agreement_page(per_page: int, number: int) -> Page:
    """Return one page of the list: (agreement, number of parties) rows."""
    query = listing().limit(per_page).offset((number - 1) * per_page)
    rows = [(agreement, int(parties)) for agreement, parties in db.session.execute(query)]
    return Page(rows, count(select(Agreement.id)), number, per_page)


def problems(values: AgreementValues) -> dict[str, str]:
    """Return what is wrong with an agreement, by form field."""
    found = {}
    if not (values.title or "").strip():
        found["title"] = _("Give the agreement a title.")
    if values.kind not in AGREEMENT_KINDS:
        found["kind"] = _("Choose the kind of agreement.")
    if values.starts_on and values.ends_on and values.ends_on < values.starts_on:
        found["ends_on"] = _("The end cannot be before the start.")
    return found


def save_agreement(user: User, agreement: Agreement | None, values: AgreementValues) -> Agreement:
    """Create the agreement (None) or change it, storing a new document if one was sent, or refuse."""
    if found := problems(values):
        raise UserError(problems=found)
    if agreement is None:
        agreement = Agreement(created_by_id=user.id)
        db.session.add(agreement)
    agreement.kind, agreement.title = values.kind, values.title.strip()
    agreement.signed_on, agreement.starts_on, agreement.ends_on = (
        values.signed_on,
        values.starts_on,
        values.ends_on,
    )
    agreement.commitments = (values.commitments or "").strip() or None
    if documents.has_file(values.document):
        agreement.document_id = documents.store_upload(values.document, user.id).id
    db.session.flush()
    return agreement


def add_party(agreement: Agreement, org: Organisation, role: str) -> AgreementParty:
    """Make an organisation a party to the agreement in a role, or refuse."""
    if role not in PARTY_ROLES:
        raise UserError(_("Choose the party's role."), "role")
    if any(p.organisation_id == org.id for p in agreement.parties):
        raise UserError(_("This organisation is already a party to the agreement."), "organisation")
    party = AgreementParty(agreement=agreement, organisation_id=org.id, role=role)
    db.session.add(party)
    db.session.flush()
    return party


def remove_party(party: AgreementParty) -> None:
    """Remove a party from its agreement."""
    db.session.delete(party)
    db.session.flush()


def delete_agreement(agreement: Agreement) -> None:
    """Delete an agreement with its parties (its document is kept like any other)."""
    db.session.delete(agreement)
    db.session.flush()


def of_organisation(org_id: int) -> list[tuple[Agreement, str]]:
    """Return the agreements an organisation is party to, with its role, newest first."""
    query = (
        select(Agreement, AgreementParty.role)
        .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
        .where(AgreementParty.organisation_id == org_id)
        .order_by(Agreement.signed_on.is_(None), Agreement.signed_on.desc(), Agreement.id.desc())
    )
    return [(agreement, role) for agreement, role in db.session.execute(query)]
