"""Merging two duplicates: the user picks values where they disagree; everything hanging off the
merged-away record (contacts, interactions, follow-ups, letters, memberships, engagements,
attendances, change history) moves to the survivor, and the merge is recorded in the history.
Two engagements in the same programme become one (crm.merge.engagements)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm.exc import StaleDataError

from crm.errors import StaleEditError, UserError
from crm.extensions import db
from crm.merge import engagements
from crm.models import (
    AccessLog,
    Attendance,
    ChangeLog,
    Contact,
    EmissionProfile,
    Letter,
    Organisation,
    interaction_contacts,
)
from crm.organisations.services import ORG_FIELDS, PROFILE_FIELDS, last_change_id
from crm.registry import contact_merge_steps, merge_steps

CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "position",
    "email",
    "phone",
    "gender",
    "email_consent",
    "organisation_id",
)


def is_empty(key: str, value: Any) -> bool:
    """Return whether a value counts as missing (then the other record's value is kept)."""
    return value is None or value == "" or (key == "gender" and value == "not_recorded")


def differing(keep: Any, drop: Any, keys: tuple[str, ...]) -> list[str]:
    """Return the fields both records fill with different values: the user chooses for those."""
    return [
        k
        for k in keys
        if not is_empty(k, getattr(keep, k))
        and not is_empty(k, getattr(drop, k))
        and getattr(keep, k) != getattr(drop, k)
    ]


def merged_values(keep: Any, drop: Any, keys: tuple[str, ...], choices: dict[str, str]) -> dict[str, Any]:
    """Return the survivor's values: its own, the other's where it has none or where the user chose so."""
    values = {}
    for key in keys:
        mine, theirs = getattr(keep, key), getattr(drop, key)
        take_theirs = is_empty(key, mine) or (choices.get(key) == "drop" and not is_empty(key, theirs))
        values[key] = theirs if take_theirs else mine
    return values


def check_pair(keep: Any, drop: Any, versions: tuple[int, int]) -> None:
    """Refuse merging a record with itself, or records changed since the page was loaded."""
    if keep.id == drop.id:
        raise UserError(_("Choose two different records."))
    if (keep.version_id, drop.version_id) != versions:
        raise StaleEditError()


def record_merge(
    entity: str, keep: Any, org_id: int | None, changes: dict[str, list], user_id: int | None
) -> None:
    """Write the merge into the survivor's history."""
    changes = {k: v for k, v in changes.items() if v[0] is not None or v[1] is not None}
    db.session.add(
        ChangeLog(
            user_id=user_id,
            action="merge",
            entity_type=entity,
            entity_id=keep.id,
            entity_version=keep.version_id,
            organisation_id=org_id,
            changes=changes,
        )
    )


# --- organisations ---------------------------------------------------------------------------------------


def org_conflicts(keep: Organisation, drop: Organisation, with_profile: bool) -> list[str]:
    """Return the organisation (and, for the technical team, profile) fields to choose between."""
    keys = differing(keep, drop, ORG_FIELDS)
    if with_profile and keep.profile is not None and drop.profile is not None:
        keys += [f"profile.{k}" for k in differing(keep.profile, drop.profile, PROFILE_FIELDS)]
    return keys


def move_org_links(keep_id: int, drop_id: int) -> None:
    """Let every feature move what it keeps about the merged-away organisation to the survivor."""
    for step in merge_steps():
        step(keep_id, drop_id)
    db.session.flush()


def combine_engagements(keep_id: int, drop_id: int, user_id: int | None) -> None:
    """Fold each engagement of `drop` into the survivor's in the same programme, and record it."""
    for pair in engagements.pairs(keep_id, drop_id):
        changes = engagements.combine(pair, user_id)
        record_merge("engagement", pair.keep, keep_id, changes, user_id)


def merge_profile(keep: Organisation, drop: Organisation, choices: dict[str, str]) -> None:
    """Give the survivor the other's emission profile values where it has none or the user chose so."""
    if drop.profile is None:
        return
    if keep.profile is None:
        keep.profile = EmissionProfile(emits_upops=False)
        db.session.flush()
    profile_choices = {k.removeprefix("profile."): v for k, v in choices.items() if k.startswith("profile.")}
    for key, value in merged_values(keep.profile, drop.profile, PROFILE_FIELDS, profile_choices).items():
        if getattr(keep.profile, key) != value:
            setattr(keep.profile, key, value)


def merge_organisations(
    keep: Organisation,
    drop: Organisation,
    choices: dict[str, str],
    versions: tuple[int, int],
    user_id: int | None,
) -> None:
    """Merge `drop` into `keep`, one engagement per programme; raise UserError or StaleEditError."""
    check_pair(keep, drop, versions)
    try:
        combine_engagements(keep.id, drop.id, user_id)
    except StaleDataError:
        raise StaleEditError() from None  # an engagement was moved by someone else meanwhile
    values = merged_values(keep, drop, ORG_FIELDS, choices)
    changes = {"legal_name": [drop.legal_name, keep.legal_name], "ruc": [drop.ruc, keep.ruc]}
    move_org_links(keep.id, drop.id)
    if drop.ruc and values["ruc"] == drop.ruc:
        drop.ruc = None  # the RUC is unique: free it before the survivor takes it
        db.session.flush()
    for key, value in values.items():
        if getattr(keep, key) != value:
            setattr(keep, key, value)
    merge_profile(keep, drop, choices)
    db.session.flush()
    marker = last_change_id()
    drop_id = drop.id
    db.session.delete(drop)
    db.session.flush()
    history = update(ChangeLog).where(ChangeLog.organisation_id == drop_id, ChangeLog.id <= marker)
    db.session.execute(history.values(organisation_id=keep.id))
    db.session.execute(
        update(AccessLog).where(AccessLog.organisation_id == drop_id).values(organisation_id=keep.id)
    )
    record_merge("organisation", keep, keep.id, changes, user_id)
    db.session.flush()


# --- contacts --------------------------------------------------------------------------------------------


def contact_conflicts(keep: Contact, drop: Contact) -> list[str]:
    """Return the contact fields to choose between."""
    return differing(keep, drop, CONTACT_FIELDS)


def move_pairs(table: Any, column: str, other: str, keep_id: int, drop_id: int) -> None:
    """Move link rows (contact, other) to the survivor, dropping those it already has."""
    contact, linked = table.c[column], table.c[other]
    kept = select(linked).where(contact == keep_id)
    db.session.execute(delete(table).where(contact == drop_id, linked.in_(kept)))
    db.session.execute(update(table).where(contact == drop_id).values({column: keep_id}))


def move_contact_links(keep_id: int, drop_id: int) -> None:
    """Move interactions, attendances and signed letters to the surviving contact."""
    move_pairs(interaction_contacts, "contact_id", "interaction_id", keep_id, drop_id)
    move_pairs(Attendance.__table__, "contact_id", "event_id", keep_id, drop_id)
    for letter in db.session.scalars(select(Letter).where(Letter.signatory_id == drop_id)).unique().all():
        letter.signatory_id = keep_id
    db.session.flush()


def merge_contacts(
    keep: Contact, drop: Contact, choices: dict[str, str], versions: tuple[int, int], user_id: int | None
) -> None:
    """Merge `drop` into `keep`; raise UserError or StaleEditError."""
    check_pair(keep, drop, versions)
    values = merged_values(keep, drop, CONTACT_FIELDS, choices)
    changes = {k: [getattr(drop, k), getattr(keep, k)] for k in ("first_name", "last_name", "email")}
    move_contact_links(keep.id, drop.id)
    for step in contact_merge_steps():  # e.g. the consultants registry entry (its mirror flag follows)
        step(keep.id, drop.id, user_id)
    for key, value in values.items():
        if getattr(keep, key) != value:
            setattr(keep, key, value)
    db.session.flush()
    marker = last_change_id()
    drop_id = drop.id
    db.session.delete(drop)
    db.session.flush()
    history = update(ChangeLog).where(
        ChangeLog.entity_type == "contact", ChangeLog.entity_id == drop_id, ChangeLog.id <= marker
    )
    db.session.execute(history.values(entity_id=keep.id))
    record_merge("contact", keep, keep.organisation_id, changes, user_id)
    db.session.flush()
