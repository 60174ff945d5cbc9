"""Contact rows: parse, find the organisation, match by e-mail or name, compare and write."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.extensions import db
from crm.imports import parsing
from crm.imports.extras import split_name
from crm.imports.lookups import Lookups
from crm.imports.matching import ContactIndex, OrgIndex, person_key
from crm.imports.rows import PassContext, RowResult, resolve
from crm.models import Contact

TEXTS = {"position": 120, "phone": 40}


class ContactRows:
    """Check and write the rows of a contact file."""

    def __init__(self, ctx: PassContext) -> None:
        self.ctx = ctx
        self.index = ContactIndex.load()
        wants_orgs = {"organisation", "organisation_ruc"} & ctx.mapping.keys()
        self.orgs = OrgIndex.load() if wants_orgs else OrgIndex()
        self.lookups = Lookups.load(with_associations=False)

    def check(self, row: RowResult) -> None:
        """Parse the row, find repeats within the file and match it to a stored contact."""
        values = self.parse(row)
        row.values = values
        row.label = f"{values.get('first_name') or ''} {values.get('last_name') or ''}".strip()
        name_field = "last_name" if "last_name" in self.ctx.mapping else "full_name"
        if not values.get("last_name") and not values.get("first_name"):
            row.error(name_field, _("The contact needs a name."))
        self.check_repeats(row, values)
        if not row.errors:
            org_id = values.get("organisation_id")
            match = self.index.match(values.get("email"), values["first_name"], values["last_name"], org_id)
            resolve(row, match, self.ctx, self.index.names, name_field)

    def parse(self, row: RowResult) -> dict[str, Any]:
        """Return the contact fields the row fills (blank cells are left out, names always present)."""
        first = row.cell("first_name", partial(parsing.text, max_length=80)) or ""
        last = row.cell("last_name", partial(parsing.text, max_length=80)) or ""
        full = row.cell("full_name", partial(parsing.text, max_length=160))
        if not (first or last) and full:
            first, last = split_name(full)
            if len(first) > 80 or len(last) > 80:
                row.error("full_name", _("This text is longer than %(max)s characters.", max=80))
        values: dict[str, Any] = {
            k: row.cell(k, partial(parsing.text, max_length=n)) for k, n in TEXTS.items()
        }
        values["email"] = row.cell("email", parsing.email)
        values["email_consent"] = row.cell("email_consent", parsing.boolean)
        values["gender"] = self.gender(row)
        values["organisation_id"] = self.organisation(row)
        values = {k: v for k, v in values.items() if v is not None}
        return {"first_name": first, "last_name": last, **values}

    def gender(self, row: RowResult) -> str | None:
        """Return the gender code of the row, or record why it is unknown."""
        raw = row.cells.get("gender", "").strip()
        code = self.lookups.enum("gender", raw) if raw else None
        if raw and code is None:
            row.error("gender", _("Unknown gender “%(value)s”.", value=raw))
        return code

    def organisation(self, row: RowResult) -> int | None:
        """Find the contact's organisation by RUC, else by name; record why it cannot be found."""
        ruc = row.cell("organisation_ruc", parsing.ruc)
        if ruc:
            found = self.orgs.by_ruc.get(ruc)
            if found is None:
                row.error("organisation_ruc", _("No organisation has the RUC %(ruc)s.", ruc=ruc))
            return found
        name = row.cells.get("organisation", "").strip()
        if not name:
            return None
        match = self.orgs.match(None, name)
        if match.how == "name":
            return match.ids[0]
        if match.how == "ambiguous":
            row.error(
                "organisation", _("Several organisations are called “%(name)s”: give the RUC.", name=name)
            )
        else:
            row.error("organisation", _("No organisation is called “%(name)s”.", name=name))
        return None

    def check_repeats(self, row: RowResult, values: dict[str, Any]) -> None:
        """Refuse an e-mail, or a name at the same organisation, that an earlier row already has."""
        email = (values.get("email") or "").lower()
        person = person_key(values.get("first_name"), values.get("last_name"))
        key = ("email", email) if email else ("person", f"{person}@{values.get('organisation_id')}")
        if earlier := self.ctx.first_seen(row, key):
            field = "email" if email else ("last_name" if "last_name" in self.ctx.mapping else "full_name")
            row.error(field, _("This contact already appears in row %(row)s of the file.", row=earlier))

    def chunk(self, rows: list[RowResult]) -> None:
        """Compare the chunk's rows with the stored contacts, then write them when applying."""
        live = [r for r in rows if not r.errors]
        ids = [r.target_id for r in live if r.action == "update"]
        targets = (
            {c.id: c for c in db.session.scalars(select(Contact).where(Contact.id.in_(ids)))} if ids else {}
        )
        for row in live:
            target = targets.get(row.target_id) if row.action == "update" else None
            if target is not None:
                row.changes = [k for k, v in changed(row.values, target).items()]
        if self.ctx.apply:
            write(live, targets)


def same(key: str, stored: Any, value: Any) -> bool:
    """Return whether a file value equals the stored one (e-mails compare without case)."""
    if key == "email" and stored and value:
        return stored.lower() == value.lower()
    return stored == value


def changed(values: dict[str, Any], contact: Contact) -> dict[str, Any]:
    """Return the fields whose value in the file differs from the stored one (blank names keep theirs)."""
    kept = {k: v for k, v in values.items() if v or k not in ("first_name", "last_name")}
    return {k: v for k, v in kept.items() if not same(k, getattr(contact, k), v)}


def write(rows: list[RowResult], targets: dict[int, Contact]) -> None:
    """Create and update the chunk's contacts."""
    for row in rows:
        if row.action == "create":
            db.session.add(Contact(**{"gender": "not_recorded", **row.values}))
        elif row.action == "update" and row.target_id in targets:
            for key, value in changed(row.values, targets[row.target_id]).items():
                setattr(targets[row.target_id], key, value)
    db.session.flush()
