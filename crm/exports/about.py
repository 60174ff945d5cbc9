"""The "About" sheet of every XLSX export: what the table is, who exported it, when, with which filters."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from crm.extensions import db
from crm.labels import label
from crm.models import District, Organisation, Programme, Sector, User, utcnow
from crm.permissions import visible_organisations


def about_sheet(title: str, filters: Sequence[tuple[str, Any]]) -> tuple[str, list[tuple[Any, Any]]]:
    """Return the About sheet's name and lines: the full title, the export's date and author, the filters."""
    who = getattr(current_user, "name", None) or "—"
    lines: list[tuple[Any, Any]] = [(_("Table"), title), (_("Exported on"), format_datetime(utcnow()))]
    lines.append((_("Exported by"), who))
    lines += list(filters) or [(_("Filters"), _("None: every row you may see"))]
    return _("About"), lines


def organisation_filters(f: Any, args: Mapping[str, str], lang: str) -> list[tuple[str, str]]:
    """Return the organisation list's filters (listing.Filters) in words: names, not codes or ids."""
    lines = [(_("Search"), f.q)] if f.q else []
    lines += [(_("Kind"), label("kind", f.kind))] if f.kind else []
    lines += named(_("Sector"), record(Sector, f.sector), lambda s: s.label(lang))
    lines += named(_("District"), record(District, f.district), by_name)
    lines += named(_("Owner"), record(User, f.owner), by_name)
    return lines + ([(_("Sort"), f.sort)] if args.get("sort") else [])


def contact_filters(s: Any, args: Mapping[str, str]) -> list[tuple[str, str]]:
    """Return the contact list's filters (crm.contacts.services.ContactSearch) in words."""
    lines = [(_("Search"), s.q)] if s.q else []
    lines += [(_("Gender"), label("gender", s.gender))] if s.gender else []
    if s.consultant is not None:
        lines.append((_("Qualified consultant"), _("Yes") if s.consultant else _("No")))
    lines += named(_("Organisation"), visible_organisation(s.organisation_id), lambda o: o.legal_name)
    return lines + ([(_("Sort"), s.sort)] if args.get("sort") else [])


def letter_filters(f: Any, args: Mapping[str, str], lang: str) -> list[tuple[str, str]]:
    """Return the letters list's filters (crm.letters.listing.Filters) in words."""
    lines = [(_("Organisation"), f.q)] if f.q else []
    lines += [(_("Kind"), label("letter_kind", f.kind))] if f.kind else []
    lines += [(_("Status"), label("letter_status", f.status))] if f.status else []
    lines += named(_("Programme"), record(Programme, f.programme), lambda p: p.name(lang))
    lines += [(_("Overdue"), _("Yes"))] if f.overdue else []
    lines += [(_("Without a scan only"), _("Yes"))] if f.unscanned else []
    return lines + ([(_("Sort"), f.sort)] if args.get("sort") else [])


def visible_organisation(org_id: int | None) -> Organisation | None:
    """Return the organisation a filter names, if the user may see it (else its name must not show)."""
    if org_id is None:
        return None
    return db.session.scalar(visible_organisations(current_user).where(Organisation.id == org_id))


def named(title: str, record: Any, name: Callable[[Any], str]) -> list[tuple[str, str]]:
    """Return one filter line naming the record chosen, or none when nothing (or nothing known) was chosen."""
    return [(title, name(record))] if record is not None else []


def record(model: Any, record_id: int | None) -> Any:
    """Return the record a filter chose by id, or None."""
    return db.session.get(model, record_id) if record_id else None


def by_name(found: Any) -> str:
    """Return a record's name."""
    return found.name
