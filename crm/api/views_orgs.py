"""Organisations, contacts and memberships, through the same scoped queries and services as the pages."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_login import current_user

from crm.api import paging, resources
from crm.api.blueprint import bp
from crm.api.paging import Id, Sorting, Text, page_schema
from crm.api.schemas import (
    ContactSchema,
    MembershipSchema,
    OrganisationCreate,
    OrganisationIn,
    OrganisationSchema,
)
from crm.errors import StaleEditError, UserError
from crm.extensions import db
from crm.models import KINDS, MEMBERSHIP_STATUSES, Contact, District, Membership, Organisation, Sector, User
from crm.organisations import listing, services
from crm.permissions import can, require, visible_contacts, visible_memberships, visible_organisations

ORG_SORTING = Sorting(
    {"id": Organisation.id, "name": Organisation.legal_name, "updated_at": Organisation.updated_at},
    Organisation.id,
)
ORG_COLUMNS = (
    "id",
    "kind",
    "legal_name",
    "trade_name",
    "ruc",
    "sector_id",
    "size",
    "district_id",
    "website",
    "owner_id",
    "notes",
    "created_at",
    "updated_at",
    "version_id",
)


class OrganisationArgs(paging.ListArgs):
    """Search, filters and sort of the organisation list (as on its page)."""

    q = Text(validate=ma.validate.Length(max=200), metadata={"description": "names or RUC"})
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    sector = Id()
    district = Id()
    owner = Id()
    sort = paging.sort_field(list(ORG_SORTING.columns), "id")


def org_out(org: Organisation, detail: bool = False) -> dict[str, Any]:
    """Return what the user may see of an organisation (loading the profile writes the read trail)."""
    data = {name: getattr(org, name) for name in ORG_COLUMNS}
    if not can(current_user, "org.notes"):
        del data["notes"]
    if detail and can(current_user, "profile.view") and services.shows_profile(org):
        data["emission_profile"] = org.profile
    return data


@bp.route("/organisations")
@require("org.view")
@bp.arguments(OrganisationArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(OrganisationSchema, "OrganisationPage"))
def organisations(args: dict[str, Any]):
    """List the organisations the token's user may see."""
    filters = listing.Filters(
        q=args.get("q", "").strip(),
        kind=args.get("kind"),
        sector=args.get("sector"),
        district=args.get("district"),
        owner=args.get("owner"),
    )
    query = visible_organisations(current_user).where(*listing.filter_conditions(filters))
    result = paging.page(query, ORG_SORTING, args, args["sort"], Organisation.updated_at)
    result["items"] = [org_out(org) for org in result["items"]]
    return result


@bp.route("/organisations/<int:org_id>")
@require("org.view")
@bp.response(200, OrganisationSchema, headers=resources.ETAG_HEADER)
def organisation(org_id: int):
    """Show one organisation (with the emission profile for the technical team, each read recorded)."""
    org = resources.first(visible_organisations(current_user), org_id)
    return org_out(org, detail=True), 200, resources.etag(org.version_id)


def check_references(values: dict[str, Any]) -> None:
    """Refuse a sector, district or owner that does not exist (the form offers only real ones)."""
    if values.get("sector_id") and db.session.get(Sector, values["sector_id"]) is None:
        raise UserError(_("Choose an existing sector."), "sector_id")
    if values.get("district_id") and db.session.get(District, values["district_id"]) is None:
        raise UserError(_("Choose an existing district."), "district_id")
    owner = db.session.get(User, values["owner_id"]) if values.get("owner_id") else None
    if values.get("owner_id") and (owner is None or not owner.active or not can(owner, "org.own")):
        raise UserError(_("Choose an active staff member."), "owner_id")


def current_values(org: Organisation) -> dict[str, Any]:
    """Return the organisation's editable fields as they are."""
    return {name: getattr(org, name) for name in services.ORG_FIELDS}


@bp.route("/organisations", methods=["POST"])
@require("org.edit")
@bp.arguments(OrganisationCreate)
@bp.response(201, OrganisationSchema, headers=resources.ETAG_HEADER)
def create_organisation(values: dict[str, Any]):
    """Create an organisation through the same service as the form."""
    check_references(values)
    org = services.create_organisation({name: values.get(name) for name in services.ORG_FIELDS})
    return org_out(org), 201, resources.etag(org.version_id)


@bp.route("/organisations/<int:org_id>", methods=["PATCH"])
@require("org.edit")
@bp.arguments(OrganisationIn)
@bp.response(200, OrganisationSchema, headers=resources.ETAG_HEADER)
@bp.doc(parameters=[resources.IF_MATCH])
def update_organisation(values: dict[str, Any], org_id: int):
    """Change some fields of an organisation; If-Match must carry the version it is based on."""
    org = resources.first(visible_organisations(current_user), org_id)
    version = resources.expected_version()
    check_references(values)
    try:
        services.update_organisation(org, current_values(org) | values, version)
    except StaleEditError:
        resources.stale()
    return org_out(org), 200, resources.etag(org.version_id)


CONTACT_SORTING = Sorting(
    {"id": Contact.id, "last_name": Contact.last_name, "updated_at": Contact.updated_at}, Contact.id
)


class ContactArgs(paging.ListArgs):
    """Filters and sort of the contact list."""

    organisation_id = Id()
    sort = paging.sort_field(list(CONTACT_SORTING.columns), "id")


@bp.route("/contacts")
@require("contact.view")
@bp.arguments(ContactArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(ContactSchema, "ContactPage"))
def contacts(args: dict[str, Any]):
    """List the contacts the token's user may see."""
    query = visible_contacts(current_user)
    if args.get("organisation_id"):
        query = query.where(Contact.organisation_id == args["organisation_id"])
    return paging.page(query, CONTACT_SORTING, args, args["sort"], Contact.updated_at)


@bp.route("/contacts/<int:contact_id>")
@require("contact.view")
@bp.response(200, ContactSchema, headers=resources.ETAG_HEADER)
def contact(contact_id: int):
    """Show one contact."""
    row = resources.first(visible_contacts(current_user), contact_id)
    return row, 200, resources.etag(row.version_id)


MEMBERSHIP_SORTING = Sorting({"id": Membership.id, "updated_at": Membership.updated_at}, Membership.id)


class MembershipArgs(paging.ListArgs):
    """Filters and sort of the membership list."""

    association_id = Id()
    company_id = Id()
    status = ma.fields.String(validate=ma.validate.OneOf(MEMBERSHIP_STATUSES))
    sort = paging.sort_field(list(MEMBERSHIP_SORTING.columns), "id")


@bp.route("/memberships")
@require("membership.view")
@bp.arguments(MembershipArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(MembershipSchema, "MembershipPage"))
def memberships(args: dict[str, Any]):
    """List the memberships the token's user may see (a liaison: their associations')."""
    query = visible_memberships(current_user)
    for name in ("association_id", "company_id", "status"):
        if args.get(name):
            query = query.where(getattr(Membership, name) == args[name])
    return paging.page(query, MEMBERSHIP_SORTING, args, args["sort"], Membership.updated_at)
