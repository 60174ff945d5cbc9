"""Writing and deleting contacts through the services (and scopes) of their pages."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from flask_login import current_user

from crm.api import resources
from crm.api.blueprint import bp
from crm.api.schemas import ContactSchema
from crm.api.schemas_in import ContactCreate, ContactIn
from crm.contacts import services as contacts
from crm.contacts.services import ContactValues
from crm.errors import StaleEditError
from crm.models import Contact
from crm.permissions import require, visible_contacts, visible_organisations


def check_organisation(values: dict[str, Any]) -> None:
    """Answer 404 for an organisation outside the user's scope (the form offers only visible ones)."""
    if values.get("organisation_id") is not None:
        resources.first(visible_organisations(current_user), values["organisation_id"])


def contact_values(contact: Contact | None, values: dict[str, Any]) -> ContactValues:
    """Return the contact's values as they are (none for a new one) with the sent ones over them."""
    current = {f.name: getattr(contact, f.name) for f in fields(ContactValues)} if contact else {}
    if current.get("consent_source") == "withdrawn":
        current["consent_source"] = None  # recorded only; giving consent again needs its new source
    return ContactValues(**(current | values))


@bp.route("/contacts", methods=["POST"])
@require("contact.edit")
@bp.arguments(ContactCreate)
@bp.response(201, ContactSchema, headers=resources.ETAG_HEADER)
def create_contact(values: dict[str, Any]):
    """Create a contact through the same service as the form (consent recorded with its date)."""
    check_organisation(values)
    row = contacts.create_contact(contact_values(None, values))
    return row, 201, resources.etag(row.version_id)


@bp.route("/contacts/<int:contact_id>", methods=["PATCH"])
@require("contact.edit")
@bp.arguments(ContactIn)
@bp.response(200, ContactSchema, headers=resources.ETAG_HEADER)
@bp.doc(parameters=[resources.IF_MATCH])
def update_contact(values: dict[str, Any], contact_id: int):
    """Change some fields of a contact; If-Match must carry the version it is based on."""
    row = resources.first(visible_contacts(current_user), contact_id)
    version = resources.expected_version()
    check_organisation(values)
    try:
        contacts.update_contact(row, contact_values(row, values), version)
    except StaleEditError:
        resources.stale()
    return row, 200, resources.etag(row.version_id)


@bp.route("/contacts/<int:contact_id>", methods=["DELETE"])
@require("contact.edit")
@bp.response(204)
@bp.doc(parameters=[resources.IF_MATCH])
def delete_contact(contact_id: int):
    """Delete a contact as its page does (its interactions stay); If-Match must carry its version."""
    row = resources.first(visible_contacts(current_user), contact_id)
    with resources.if_match(row):
        contacts.delete_contact(row)
    return "", 204
