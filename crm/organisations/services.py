"""Organisations: search, create, update, delete, change history and the profile access log."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from crm.errors import StaleEditError, UserError
from crm.extensions import db
from crm.history import HistoryEntry, present
from crm.models import (
    KINDS,
    SIZES,
    ChangeLog,
    EmissionProfile,
    Organisation,
    utcnow,
)
from crm.models.organisation import OrgKind
from crm.pagination import Page, paginate
from crm.registry import delete_steps
from crm.ruc import clean_ruc, ruc_error

ORG_FIELDS = (
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
)
PROFILE_FIELDS = (
    "electricity_mwh_year",
    "natural_gas_m3_year",
    "emits_upops",
    "reduction_potential_tco2e",
)
CENT = Decimal("0.01")


# --- create, update, delete ---------------------------------------------------------------------------


def ruc_message(problem: str) -> str:
    """Return the user-facing explanation of a RUC problem key from crm.ruc."""
    return {
        "length": _("A RUC has exactly 11 digits."),
        "prefix": _("A RUC starts with 10, 15, 16, 17 or 20."),
        "check_digit": _("The last digit (check digit) of this RUC is wrong. Check the number."),
    }[problem]


def web_url(value: str | None) -> str | None:
    """Return the address if it is an http(s) link, else None (never a javascript: link)."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Strip text, turn blanks into None and normalise the RUC."""
    cleaned = {}
    for key in ORG_FIELDS:
        value = values.get(key)
        cleaned[key] = (value.strip() or None) if isinstance(value, str) else value
    cleaned["ruc"] = clean_ruc(cleaned["ruc"]) or None
    return cleaned


def ruc_owner(ruc: str, except_id: int | None = None) -> Organisation | None:
    """Return the organisation that already has this RUC, if any."""
    query = select(Organisation).where(Organisation.ruc == ruc)
    if except_id is not None:
        query = query.where(Organisation.id != except_id)
    return db.session.scalars(query).first()


def check_values(values: dict[str, Any], except_id: int | None = None) -> None:
    """Refuse values no form should let through, and a RUC another organisation has."""
    if values["kind"] not in KINDS:
        raise UserError(_("Choose a kind of organisation."), "kind")
    if not values["legal_name"] or len(values["legal_name"]) > 200:
        raise UserError(_("Enter a legal name of at most 200 characters."), "legal_name")
    if values["size"] is not None and values["size"] not in SIZES:
        raise UserError(_("Choose a size."), "size")
    if values["website"] and not web_url(values["website"]):
        raise UserError(_("Enter a web address starting with http:// or https://."), "website")
    if values["ruc"] and (problem := ruc_error(values["ruc"])):
        raise UserError(ruc_message(problem), "ruc")
    if values["ruc"] and (other := ruc_owner(values["ruc"], except_id)):
        message = _("Another organisation already has this RUC: %(name)s", name=other.legal_name)
        raise UserError(message, "ruc", other=other)  # the holder, for an offer


def cents(value: Any) -> Any:
    """Round decimals to the two places the columns keep, so unchanged values compare equal."""
    return Decimal(value).quantize(CENT) if value is not None and not isinstance(value, bool) else value


def set_profile(org: Organisation, profile: Mapping[str, Any]) -> bool:
    """Write the emission profile fields that differ; return whether anything changed."""
    values = {k: cents(profile.get(k)) for k in PROFILE_FIELDS}
    values["emits_upops"] = bool(values["emits_upops"])
    if org.profile is None:
        if all(v in (None, False) for v in values.values()):
            return False
        org.profile = EmissionProfile(emits_upops=False)
    changed = [k for k, v in values.items() if cents(getattr(org.profile, k)) != v]
    for key in changed:
        setattr(org.profile, key, values[key])
    return bool(changed)


def last_change_id() -> int:
    """Return the newest change_log id, without flushing pending changes."""
    with db.session.no_autoflush:
        return db.session.scalar(select(func.max(ChangeLog.id))) or 0


def stamp_profile_changes(org: Organisation, after_id: int) -> None:
    """Give profile change rows the organisation's version: the profile has none of its own."""
    db.session.execute(
        update(ChangeLog)
        .where(ChangeLog.id > after_id, ChangeLog.entity_type == "emissionprofile")
        .where(ChangeLog.entity_id == org.id, ChangeLog.entity_version.is_(None))
        .values(entity_version=org.version_id)
    )


def create_organisation(values: Mapping[str, Any], profile: Mapping[str, Any] | None = None) -> Organisation:
    """Create an organisation (and a company's emission profile, when given)."""
    cleaned = clean_values(values)
    check_values(cleaned)
    marker = last_change_id()
    org = Organisation(**cleaned)
    with db.session.no_autoflush:
        db.session.add(org)
        with_profile = profile is not None and org.kind == OrgKind.COMPANY and set_profile(org, profile)
    db.session.flush()
    if with_profile:
        stamp_profile_changes(org, marker)
    return org


def apply_values(org: Organisation, values: dict[str, Any]) -> None:
    """Set the fields whose value changed."""
    for key, value in values.items():
        if getattr(org, key) != value:
            setattr(org, key, value)


def update_organisation(
    org: Organisation,
    values: Mapping[str, Any],
    expected_version: int,
    profile: Mapping[str, Any] | None = None,
) -> Organisation:
    """Save the user's edit unless someone saved a newer version first (StaleEditError)."""
    org_id = org.id
    if org.version_id != expected_version:
        raise StaleEditError(changes_since(org_id, expected_version))
    cleaned = clean_values(values)
    check_values(cleaned, except_id=org_id)
    marker = last_change_id()
    with db.session.no_autoflush:  # loading the profile must not flush half the edit (a second version)
        apply_values(org, cleaned)
        profile_changed = profile is not None and org.kind == OrgKind.COMPANY and set_profile(org, profile)
    if profile_changed:
        org.updated_at = utcnow()  # bumps version_id, so forms loaded before this change conflict
    try:
        db.session.flush()
    except StaleDataError:
        # A save won the race between the check and the UPDATE; the failed flush leaves the session unable
        # to read what changed, so the view reads it after discarding the work.
        raise StaleEditError() from None
    if profile_changed:
        stamp_profile_changes(org, marker)
    return org


def changes_since(org_id: int, version: int) -> list[ChangeLog]:
    """Return the organisation and profile changes saved after the given version, oldest first."""
    query = (
        select(ChangeLog)
        .where(ChangeLog.entity_type.in_(("organisation", "emissionprofile")))
        .where(ChangeLog.entity_id == org_id, ChangeLog.entity_version > version)
        .order_by(ChangeLog.id)
    )
    return list(db.session.scalars(query))


def delete_organisation(org: Organisation) -> None:
    """Delete an organisation after each feature removed or detached its rows (through the ORM: audited)."""
    for step in delete_steps():
        step(org.id)
    db.session.delete(org)
    db.session.flush()


# --- confidential profile and history ----------------------------------------------------------------


def shows_profile(org: Organisation) -> bool:
    """Return whether the page has an emission profile section (companies, or any stored profile)."""
    return org.kind == OrgKind.COMPANY or org.profile is not None


def visible_changes(rows: list[ChangeLog], show_profile: bool) -> list[HistoryEntry]:
    """Drop emission profile changes for users who may not see the profile, and label the rest."""
    return present([r for r in rows if show_profile or r.entity_type != "emissionprofile"])


def history_page(org_id: int, show_profile: bool, per_page: int, number: int) -> Page:
    """Return one page of the organisation's change history, newest first."""
    query = select(ChangeLog).where(ChangeLog.organisation_id == org_id)
    if not show_profile:
        query = query.where(ChangeLog.entity_type != "emissionprofile")
    page = paginate(query.order_by(ChangeLog.at.desc(), ChangeLog.id.desc()), per_page, number)
    page.items = present(page.items)
    return page
