"""Merging two contacts keeps the registry: the merged-away contact's entry moves to the survivor, or is
folded into the survivor's own entry (specialisms joined, the furthest status kept, assignments and change
history moved), so nobody's qualification or "who advised whom" is lost."""

from __future__ import annotations

from sqlalchemy import func, select, update

from crm.consultants.services import sync_flag
from crm.extensions import db
from crm.models import SPECIALISMS, ChangeLog, Consultant, Contact
from crm.models.consultant import ConsultantStatus

# The status that wins when two entries of the same person disagree: the one furthest along.
STATUS_RANK = {
    ConsultantStatus.WITHDRAWN: 0,
    ConsultantStatus.CANDIDATE: 1,
    ConsultantStatus.SUSPENDED: 2,
    ConsultantStatus.QUALIFIED: 3,
}
DATES = ("candidate_on", "qualified_on", "suspended_on", "withdrawn_on")


def entry_of(contact_id: int) -> Consultant | None:
    """Return a contact's registry entry, if any."""
    return db.session.scalars(select(Consultant).where(Consultant.contact_id == contact_id)).first()


def merge_entries(keep_id: int, drop_id: int, user_id: int | None) -> None:
    """Give the surviving contact the merged-away contact's entry, or fold it into the survivor's own."""
    mine, theirs = entry_of(keep_id), entry_of(drop_id)
    if theirs is None:
        return
    survivor = db.session.get(Contact, keep_id)
    if mine is None:
        theirs.contact = survivor  # the entry, its assignments and its history stay as they are
        sync_flag(theirs)
    else:
        fold(mine, theirs, user_id)
        sync_flag(mine)
    db.session.flush()


def fold(mine: Consultant, theirs: Consultant, user_id: int | None) -> None:
    """Fold the other entry into this one, move its assignments and history, record it and remove it."""
    before = {"status": mine.status, "specialisms": mine.specialisms, "region": mine.region}
    combine_fields(mine, theirs)
    move_assignments(mine, theirs)
    db.session.flush()
    marker = db.session.scalar(select(func.max(ChangeLog.id))) or 0
    theirs_id = theirs.id
    theirs.contact.consultant = None
    db.session.delete(theirs)
    db.session.flush()
    moved = update(ChangeLog).where(
        ChangeLog.entity_type == "consultant", ChangeLog.entity_id == theirs_id, ChangeLog.id <= marker
    )
    db.session.execute(moved.values(entity_id=mine.id))
    after = {key: getattr(mine, key) for key in before}
    changes = {key: [value, after[key]] for key, value in before.items() if value != after[key]}
    db.session.add(
        ChangeLog(
            user_id=user_id,
            action="merge",
            entity_type="consultant",
            entity_id=mine.id,
            entity_version=mine.version_id,
            organisation_id=mine.history_organisation_id(),
            changes=changes,
        )
    )


def combine_fields(mine: Consultant, theirs: Consultant) -> None:
    """Join the specialisms, keep the furthest status with its date, fill what this entry lacks."""
    codes = set(mine.specialism_list) | set(theirs.specialism_list)
    mine.specialisms = " ".join(code for code in SPECIALISMS if code in codes)
    winner = theirs if STATUS_RANK[theirs.status] > STATUS_RANK[mine.status] else mine
    loser = mine if winner is theirs else theirs
    for name in DATES:
        value = getattr(winner, name) or getattr(loser, name)
        if getattr(mine, name) != value:
            setattr(mine, name, value)
    mine.status = winner.status
    mine.region = mine.region or theirs.region
    mine.evidence_id = mine.evidence_id or theirs.evidence_id
    mine.published = mine.published or theirs.published
    notes = [text for text in (mine.notes, theirs.notes) if text]
    mine.notes = "\n\n".join(dict.fromkeys(notes)) or None


def move_assignments(mine: Consultant, theirs: Consultant) -> None:
    """Move the other entry's assignments here; one for an engagement this entry has widens its dates."""
    held = {assignment.engagement_id: assignment for assignment in mine.assignments}
    for assignment in list(theirs.assignments):
        same = held.get(assignment.engagement_id)
        if same is None:
            assignment.consultant = mine
            continue
        same.started_on = min(same.started_on, assignment.started_on)
        ends = (same.ended_on, assignment.ended_on)
        same.ended_on = None if None in ends else max(ends)  # type: ignore[type-var]
