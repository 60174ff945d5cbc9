"""Letters: scoped query, create, update (optimistic locking) and delete; the rules live in rules.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, exists, false, select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage

from crm.documents import has_file, remove_file, store_upload
from crm.errors import StaleEditError, UserError
from crm.extensions import db
from crm.letters import gate, scans
from crm.letters.rules import LetterValues, checked_amount, checked_columns, usd
from crm.models import ChangeLog, Document, Letter, Materialisation, Organisation, User
from crm.permissions import can, visible_organisations

__all__ = ["LetterValues", "checked_amount", "usd"]


def visible_letters(user: User) -> Select:
    """Select the letters the user may see: letter.view and an organisation in the user's scope."""
    query = select(Letter)
    if not can(user, "letter.view"):
        return query.where(false())
    organisations = visible_organisations(user)
    if organisations.whereclause is not None:  # a scoped user never sees letters beyond that scope
        query = query.where(Letter.organisation_id.in_(organisations.with_only_columns(Organisation.id)))
    return query


# --- writes --------------------------------------------------------------------------------------------


def stored(upload: FileStorage | None, user_id: int | None) -> Document | None:
    """Store the uploaded scan, if one was sent; refusals become a UserError on the document field."""
    if not has_file(upload):
        return None
    try:
        document = store_upload(upload, user_id)
    except UserError as exc:
        raise UserError(exc.message, "document") from None
    scans.written(document.storage_name)  # removed again if the request rolls back
    return document


def create_letter(
    org_id: int, values: LetterValues, user_id: int | None, today: date, upload: FileStorage | None = None
) -> Letter:
    """Create a letter (with its scan, when sent) after checking every rule."""
    columns = checked_columns(org_id, values, today)
    document = stored(upload, user_id)
    letter = Letter(organisation_id=org_id, requested_by_id=user_id, **columns)
    if document is not None:
        letter.document_id = document.id
    db.session.add(letter)
    try:
        db.session.flush()
    except Exception:
        discard(document)
        raise
    return letter


def discard(document: Document | None) -> None:
    """Remove the file of a document whose row will not be committed."""
    if document is not None:
        remove_file(document.storage_name)


def has_materialisations(letter_id: int) -> bool:
    """Return whether the letter has materialisation entries."""
    query = select(exists().where(Materialisation.letter_id == letter_id))
    return bool(db.session.scalar(query))


def reprice_materialisations(letter: Letter) -> None:
    """Recompute the USD value of every materialisation after the letter's rate changed."""
    for entry in letter.materialisations:
        entry.amount_usd = usd(entry.amount, letter.exchange_rate)


def apply_columns(letter: Letter, columns: dict[str, Any]) -> bool:
    """Set the columns whose value changed; return whether the exchange rate changed."""
    rate_changed = columns["exchange_rate"] != letter.exchange_rate
    for key, value in columns.items():
        if getattr(letter, key) != value:
            setattr(letter, key, value)
    return rate_changed


def update_letter(
    letter: Letter,
    values: LetterValues,
    expected_version: int,
    today: date,
    user_id: int | None,
    upload: FileStorage | None = None,
) -> Letter:
    """Save the user's edit unless someone saved a newer version first (StaleEditError)."""
    letter_id = letter.id
    if letter.version_id != expected_version:
        raise StaleEditError(changes_since(letter_id, expected_version))
    columns = checked_columns(letter.organisation_id, values, today)
    gate.check_edit(letter, columns)
    if columns["kind"] != "cofinance" and has_materialisations(letter_id):
        raise UserError(_("Remove the materialisation entries before changing the kind."), "kind")
    document = stored(upload, user_id)
    with db.session.no_autoflush:
        rate_changed = apply_columns(letter, columns)
        if document is not None:
            letter.document_id = document.id
        if rate_changed and columns["exchange_rate"] is not None:
            reprice_materialisations(letter)
    try:
        db.session.flush()
    except StaleDataError:
        # A concurrent save won the race between our check and our UPDATE. The failed flush leaves the
        # session unable to read what changed: the view reads it after discarding the work.
        discard(document)
        raise StaleEditError() from None
    return letter


def changes_since(letter_id: int, version: int) -> list[ChangeLog]:
    """Return the letter's changes saved after the given version, oldest first."""
    query = (
        select(ChangeLog)
        .where(ChangeLog.entity_type == "letter", ChangeLog.entity_id == letter_id)
        .where(ChangeLog.entity_version > version)
        .order_by(ChangeLog.id)
    )
    return list(db.session.scalars(query))


def delete_letter(letter: Letter) -> None:
    """Delete a letter, its materialisation entries and its document row (the file goes on commit)."""
    gate.check_delete(letter)
    document = letter.document
    db.session.delete(letter)
    if document is not None:
        db.session.delete(document)
    db.session.flush()
    if document is not None:
        scans.deleted(document.storage_name)  # only once the deletion is committed
