"""Attendance rows (an event's sign-in sheet): find each person, skip who already attends, then write."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.extensions import db
from crm.imports import bulk, parsing
from crm.imports.extras import split_name
from crm.imports.lookups import enum_index, unique_index
from crm.imports.matching import ContactIndex, Match, OrgIndex, name_key, person_key
from crm.imports.parsing import choice_key
from crm.imports.rows import PassContext, RowResult
from crm.models import Attendance, Contact, Event, Organisation
from crm.ruc import clean_ruc, ruc_error

# What sign-in sheets write beside the codes, labels and words crm.imports.lookups already knows.
GENDER_WORDS = {
    "femenina": "female", "woman": "female", "w": "female",
    "varon": "male", "h": "male", "man": "male",
    "otra": "other", "otros": "other", "x": "other",
    "prefiere_no_decir": "not_recorded", "prefiero_no_decir": "not_recorded",
    "no_desea_decir": "not_recorded", "no_indica": "not_recorded",
    "prefer_not_to_say": "not_recorded", "prefers_not_to_say": "not_recorded",
}  # fmt: skip
CONTACT_KEYS = ("first_name", "last_name", "email", "position", "gender", "organisation_id")


def live_contacts() -> ContactIndex:
    """Index every contact a sheet may name: all but the erased ones."""
    index = ContactIndex()
    columns = (Contact.id, func.lower(Contact.email), Contact.first_name, Contact.last_name)
    query = select(*columns, Contact.organisation_id).where(Contact.erased_at.is_(None))
    for contact_id, email, first, last, org_id in db.session.execute(query):
        index.add(contact_id, email, first, last, org_id)
    return index


def organisations() -> tuple[OrgIndex, dict[str, int | None]]:
    """Index organisations by RUC and legal name, and (apart) by trade name."""
    index, pairs = OrgIndex(), []
    query = select(Organisation.id, Organisation.ruc, Organisation.legal_name, Organisation.trade_name)
    for org_id, ruc, legal_name, trade_name in db.session.execute(query):
        index.add(org_id, ruc, legal_name)
        if trade_name:
            pairs.append((name_key(trade_name), org_id))
    return index, unique_index(pairs)


def attendees(event_id: int | None) -> set[int]:
    """Return the ids of the contacts already on the event's list."""
    if event_id is None:
        return set()
    return set(db.session.scalars(select(Attendance.contact_id).where(Attendance.event_id == event_id)))


class AttendanceRows:
    """Check and write the rows of an event's sign-in sheet."""

    def __init__(self, ctx: PassContext) -> None:
        self.ctx = ctx
        self.event = db.session.get(Event, ctx.event_id) if ctx.event_id else None
        self.people = live_contacts()
        self.orgs, self.trade_names = organisations()
        self.genders = {**enum_index("gender"), **GENDER_WORDS}
        self.attending = attendees(ctx.event_id)
        self.name_field = "last_name" if "last_name" in ctx.mapping else "full_name"
        self.counts: dict[str, Any] = {"attending": 0, "repeated": 0, "attendances": 0, "attendance_ids": []}

    # --- checking one row -------------------------------------------------------------------------------

    def check(self, row: RowResult) -> None:
        """Parse the row, then find the person: a stored contact, an earlier row, or someone new."""
        values = self.parse(row)
        row.values = values
        row.label = f"{values['first_name']} {values['last_name']}".strip() or values.get("email") or ""
        if self.event is None:
            row.error("", _("The event of this import no longer exists."))
        if not (values["first_name"] or values["last_name"]):
            row.error(self.name_field, _("The person needs a name."))
        if not row.errors:
            self.find(row, values)

    def parse(self, row: RowResult) -> dict[str, Any]:
        """Return the person's name, e-mail, position, gender code and organisation id."""
        first = row.cell("first_name", partial(parsing.text, max_length=80)) or ""
        last = row.cell("last_name", partial(parsing.text, max_length=80)) or ""
        full = row.cell("full_name", partial(parsing.text, max_length=160))
        if not (first or last) and full:
            first, last = split_name(full)
            if len(first) > 80 or len(last) > 80:
                row.error("full_name", _("This text is longer than %(max)s characters.", max=80))
        return {
            "first_name": first,
            "last_name": last,
            "email": row.cell("email", parsing.email),
            "position": row.cell("position", partial(parsing.text, max_length=120)),
            "gender": self.gender(row),
            "organisation_id": self.organisation(row),
        }

    def gender(self, row: RowResult) -> str:
        """Return the gender code of the row (blank: not recorded), or record why it is unknown."""
        raw = row.cells.get("gender", "").strip()
        code = self.genders.get(choice_key(raw)) if raw else "not_recorded"
        if code is None:
            row.error("gender", _("Unknown gender “%(value)s”: write F or M (Mujer, Hombre), otro or "
                                  "prefiere no decir.", value=raw))  # fmt: skip
        return code or "not_recorded"

    def organisation(self, row: RowResult) -> int | None:
        """Find the person's organisation by RUC, else by name; a note says when it is not found."""
        ruc = row.cell("organisation_ruc", parsing.ruc)
        raw = row.cells.get("organisation", "").strip()
        if not ruc and raw and not ruc_error(clean_ruc(raw)):
            ruc = clean_ruc(raw)  # the organisation column holds a RUC
        if ruc:
            found = self.orgs.by_ruc.get(ruc)
            if found is None:
                row.notes.append(_("No organisation has the RUC %(ruc)s: the person is looked for, and "
                                   "recorded, without organisation.", ruc=ruc))  # fmt: skip
            return found
        if not raw:
            return None
        match = self.orgs.match(None, raw)
        found = match.ids[0] if match.how == "name" else self.trade_names.get(name_key(raw))
        if found is None:
            row.notes.append(_("No single organisation is called “%(name)s”: the person is looked for, and "
                               "recorded, without organisation.", name=raw))  # fmt: skip
        return found

    def find(self, row: RowResult, values: dict[str, Any]) -> None:
        """Match the row to a stored contact by e-mail, else by name at the organisation."""
        match = self.people.match(
            values["email"], values["first_name"], values["last_name"], values["organisation_id"]
        )
        row.match = match
        row.candidates = [(i, self.people.names.get(i, f"#{i}")) for i in match.ids]
        target = self.target(row, match)
        if row.errors:
            return
        if target is None:
            self.new_person(row, values)
        else:
            self.known_person(row, target)

    def target(self, row: RowResult, match: Match) -> int | None:
        """Return the stored contact the row names, from its match and the user's choice."""
        choice = self.ctx.decisions.get(str(row.number))
        if match.how is None or (choice == "create" and row.needs_choice):
            return None
        if match.how == "email":
            return match.ids[0]
        if choice and choice.isdigit() and int(choice) in match.ids:
            return int(choice)
        if match.how == "name":
            return match.ids[0]  # one contact with that name there: offered by default
        key = "email" if row.values.get("email") else self.name_field
        row.error(key, _("Several contacts match this person: choose who attended, or a new contact."))
        return None

    def known_person(self, row: RowResult, target: int) -> None:
        """Add a stored contact, unless an earlier row named them or they already attend."""
        if earlier := self.ctx.first_seen(row, ("contact", str(target))):
            self.repeat(row, earlier)
            return
        row.target_id, row.target_label = target, self.people.names.get(target)
        if target in self.attending:
            row.action = "unchanged"
            row.notes.append(_("Already on the event's list: skipped."))
            self.counts["attending"] += 1
        else:
            row.action, row.extras = "update", ["attendance"]

    def new_person(self, row: RowResult, values: dict[str, Any]) -> None:
        """Add a new contact, unless an earlier row brought the same e-mail, or name at the organisation."""
        email = (values["email"] or "").lower()
        person = f"{person_key(values['first_name'], values['last_name'])}@{values['organisation_id']}"
        seen = self.ctx.seen
        if earlier := (email and seen.get(("email", email))) or seen.get(("person", person)):
            self.repeat(row, earlier)
            return
        if email:
            seen[("email", email)] = row.number
        seen.setdefault(("person", person), row.number)
        row.action, row.extras = "create", ["contact", "attendance"]

    def repeat(self, row: RowResult, earlier: int) -> None:
        """Skip a row naming the same person as an earlier row: each person counts once."""
        row.action = "unchanged"
        row.notes.append(_("Same person as row %(row)s: counted once.", row=earlier))
        self.counts["repeated"] += 1

    # --- writing a chunk -------------------------------------------------------------------------------

    def chunk(self, rows: list[RowResult]) -> None:
        """When applying, create the chunk's new contacts, then put every added person on the list."""
        if not self.ctx.apply or self.event is None:
            return
        live = [r for r in rows if not r.errors and r.action in ("create", "update")]
        new = [r for r in live if r.action == "create"]
        people = [{k: r.values.get(k) for k in CONTACT_KEYS} for r in new]
        for row, ident in zip(new, bulk.create_many(Contact, people, self.ctx.batch_id), strict=True):
            row.target_id = ident
        records = [Attendance(event_id=self.event.id, contact_id=r.target_id) for r in live]
        if not records:
            return
        db.session.add_all(records)
        db.session.flush()
        self.attending.update(r.target_id for r in live)
        self.counts["attendances"] += len(records)
        self.counts["attendance_ids"].extend(a.id for a in records)
