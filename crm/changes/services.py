"""Restore one field, or every field of one save, to the value it had before a recorded change.

A restore is an ordinary edit through the ORM, so the history hook records it as a new change. It is
refused (UserError, nothing written) when the field cannot be restored here, the earlier value no longer
exists or would break a rule, and (StaleEditError) when the field was changed again since.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.errors import StaleEditError, UserError
from crm.extensions import db
from crm.history import REFERENCES, restorable_field
from crm.imports.undo import column_value
from crm.labels import label
from crm.models import ChangeLog, Contact, EmissionProfile, FollowUp, Interaction, Organisation, User
from crm.organisations.services import ORG_FIELDS, check_values, clean_values
from crm.permissions import can, visible_contacts, visible_organisations
from crm.web import MAX_ID

MODELS: dict[str, type] = {
    "organisation": Organisation,
    "emissionprofile": EmissionProfile,
    "contact": Contact,
    "interaction": Interaction,
    "followup": FollowUp,
}
# Who may be chosen again for a people field: an active user whose role still allows it.
USER_CHOICES = {"owner_id": "org.own", "staff_id": "interaction.log", "assignee_id": "followup.edit"}


def change_row(user: User, change_id: int) -> ChangeLog:
    """Return a change the user may see, or refuse as if it did not exist."""
    row = db.session.get(ChangeLog, change_id) if 0 < change_id <= MAX_ID else None
    if row is None or not in_scope(user, row):
        raise UserError(_("This change does not exist."))
    return row


def in_scope(user: User, row: ChangeLog) -> bool:
    """Return whether the change concerns a record the user may see."""
    if row.entity_type == "emissionprofile" and not can(user, "profile.view"):
        return False
    if row.organisation_id is None:
        if row.entity_type != "contact":
            return False
        query = visible_contacts(user).where(Contact.id == row.entity_id)
        return db.session.scalar(query.with_only_columns(Contact.id)) is not None
    query = visible_organisations(user).where(Organisation.id == row.organisation_id)
    return db.session.scalar(query.with_only_columns(Organisation.id)) is not None


def target(row: ChangeLog) -> Any:
    """Return the record a change concerns, refusing changes that cannot be restored here."""
    if row.action != "update":
        message = _("Only changes to an existing record can be restored; this one created or deleted it.")
        raise UserError(message)
    record = db.session.get(MODELS[row.entity_type], row.entity_id) if row.entity_type in MODELS else None
    if record is None:
        raise UserError(_("The record this change concerns no longer exists."))
    return record


def check_field(row: ChangeLog, name: str) -> None:
    """Refuse a field the history cannot restore (stages move on the pipeline, with its rules)."""
    if name not in (row.changes or {}) or not restorable_field(row.entity_type, name):
        what = label("field", name)
        message = _("%(field)s cannot be restored from the history; edit the record instead.", field=what)
        raise UserError(message)


def check_current(record: Any, row: ChangeLog, name: str) -> None:
    """Refuse when the field no longer holds the value this change gave it."""
    model = type(record)
    if column_value(model, name, row.changes[name][1]) != getattr(record, name):
        what = label("field", name)
        message = _("%(field)s was changed again after this change; nothing was restored.", field=what)
        raise StaleEditError(message=message)


def check_reference(name: str, value: Any) -> None:
    """Refuse an earlier value that names a record gone, or a person who may no longer be chosen."""
    if value is None or name not in REFERENCES:
        return
    found = db.session.get(REFERENCES[name], value)
    what = label("field", name)
    if found is None:
        raise UserError(_("%(field)s: the earlier value no longer exists.", field=what), name)
    permission = USER_CHOICES.get(name)
    if permission and not (found.active and can(found, permission)):
        message = _("%(field)s: %(name)s can no longer be chosen.", field=what, name=found.name)
        raise UserError(message, name)


def set_earlier(record: Any, row: ChangeLog, name: str) -> None:
    """Put the field back to its value before the change, after checking it may be."""
    check_field(row, name)
    check_current(record, row, name)
    earlier = column_value(type(record), name, row.changes[name][0])
    check_reference(name, earlier)
    setattr(record, name, earlier)


def check_rules(record: Any) -> None:
    """Refuse a record the restore left breaking a rule its own form enforces."""
    if isinstance(record, Organisation):
        check_values(clean_values({key: getattr(record, key) for key in ORG_FIELDS}), except_id=record.id)
    elif isinstance(record, Contact | Interaction | FollowUp):
        required = {Contact: "first_name", Interaction: "summary", FollowUp: "description"}[type(record)]
        if not getattr(record, required):
            raise UserError(_("%(field)s cannot be empty.", field=label("field", required)), required)


def restore_field(user: User, change_id: int, name: str) -> str:
    """Restore one field of one change; return the label of the field restored."""
    row = change_row(user, change_id)
    check_field(row, name)
    record = target(row)
    with db.session.no_autoflush:
        set_earlier(record, row, name)
        check_rules(record)
    db.session.flush()
    return label("field", name)


def save_rows(user: User, save_id: str) -> list[ChangeLog]:
    """Return the changes of one save, newest first, refusing a save the user may not see."""
    query = select(ChangeLog).where(ChangeLog.save_id == save_id).order_by(ChangeLog.id.desc())
    rows = list(db.session.scalars(query))
    if not rows or not all(in_scope(user, row) for row in rows):
        raise UserError(_("This change does not exist."))
    return rows


def restore_save(user: User, save_id: str) -> int:
    """Restore every field one save changed, all or nothing; return how many fields were restored."""
    rows, records, count = save_rows(user, save_id), set(), 0
    with db.session.no_autoflush:
        for row in rows:  # newest first, so a field changed twice in the save gets its first value back
            for name in row.changes:
                check_field(row, name)
            record = target(row)
            for name in row.changes:
                set_earlier(record, row, name)
                count += 1
            records.add(record)
        for record in records:
            check_rules(record)
    db.session.flush()
    return count
