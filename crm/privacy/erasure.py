"""Ley 29733 erasure: remove or anonymise one person everywhere, recorded with who and why (never the data).

Each feature erases its own traces through an `on_erase` step (crm/registry.py) that receives the person's
`Traces` and returns the rows it changed per table. The contact row itself is kept, anonymised, so what
counts people (attendance by gender, letters' signatories) keeps its figures without naming anyone.
Rows are changed with bulk statements, so the change history does not copy the erased values again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Text, cast, or_, select, update

from crm.clock import now
from crm.errors import UserError
from crm.extensions import db
from crm.letters.erasure import count_signed_scans, drop_signed_scans
from crm.models import Contact, Erasure
from crm.registry import erase_steps
from crm.text import fold

MIN_TRACE = 4  # shorter values (initials, "Ana") would scrub unrelated words


@dataclass(frozen=True)
class Traces:
    """What identifies one person in free text: name forms, e-mail and phone, and their replacement."""

    contact_id: int
    label: str
    values: tuple[str, ...]
    patterns: tuple[re.Pattern, ...] = field(default=(), compare=False)
    parts: tuple[str, ...] = ()  # the first and last names, folded: whole cells of a table that name them

    def found_in(self, text: str | None) -> bool:
        """Return whether the text holds a trace."""
        return bool(text) and any(pattern.search(text) for pattern in self.patterns)

    def scrub(self, text: str | None) -> str | None:
        """Return the text with every trace replaced by the label."""
        if not text:
            return text
        for pattern in self.patterns:
            text = pattern.sub(self.label, text)
        return text

    def scrub_json(self, value: Any) -> Any:
        """Return a JSON value with every trace in its strings replaced."""
        if value in (None, {}, []):
            return value
        return json.loads(self.scrub(json.dumps(value, ensure_ascii=False)))

    def like_forms(self) -> list[str]:
        """Return the forms a database LIKE looks for: as written, folded, and JSON-escaped."""
        forms = {v for v in self.values} | {fold(v) for v in self.values}
        forms |= {json.dumps(v)[1:-1] for v in self.values}
        return sorted(f for f in forms if len(f) >= MIN_TRACE)


def erased_label(contact_id: int) -> str:
    """Return the name an erased contact keeps (not translated: it is stored data)."""
    return f"Persona eliminada #{contact_id}"


def traces_of(contact: Contact) -> Traces:
    """Return the identifying values of a contact and the patterns that find them."""
    first, last = (contact.first_name or "").strip(), (contact.last_name or "").strip()
    raw = [f"{first} {last}", f"{last} {first}", f"{last}, {first}", contact.email or "", contact.phone or ""]
    digits = re.sub(r"\D", "", contact.phone or "")
    raw += [digits, digits[-9:]] if len(digits) >= 7 else []
    values = tuple(sorted({v for v in raw if len(v.strip()) >= MIN_TRACE}, key=len, reverse=True))
    forms = sorted({v for v in values} | {fold(v) for v in values}, key=len, reverse=True)
    patterns = tuple(re.compile(re.escape(f), re.IGNORECASE) for f in forms if len(f) >= MIN_TRACE)
    parts = tuple(fold(p) for p in (first, last) if p)
    return Traces(contact.id, erased_label(contact.id), values, patterns, parts)


def like(column: Any, form: str) -> Any:
    """Return a case-blind LIKE of a column (JSON cast to text) for one form, '/' as the escape."""
    escaped = form.replace("/", "//").replace("%", "/%").replace("_", "/_")
    target = cast(column, Text) if not isinstance(column.type, Text) else column
    return target.ilike(f"%{escaped}%", escape="/")


def scrub_rows(model: Any, columns: list[str], traces: Traces, extra: Any = None) -> int:
    """Replace the traces in the given text/JSON columns of a model's rows; return the rows changed."""
    attrs = [getattr(model, name) for name in columns]
    found = or_(*[like(attr, form) for attr in attrs for form in traces.like_forms()])
    where = or_(found, extra) if extra is not None else found
    changed = 0
    for row in db.session.execute(select(model.id, *attrs).where(where)).all():
        values = {name: _scrubbed(value, traces) for name, value in zip(columns, row[1:], strict=True)}
        statement = update(model).where(model.id == row[0]).values(**values)
        db.session.execute(statement.execution_options(synchronize_session=False))
        changed += 1
    return changed


def _scrubbed(value: Any, traces: Traces) -> Any:
    """Return one column's value with the traces replaced."""
    return traces.scrub(value) if isinstance(value, str) or value is None else traces.scrub_json(value)


def erase_contact(contact_id: int, by_id: int | None, reason: str, drop_letter_scans: bool = False) -> int:
    """Erase a contact everywhere and record it; return the Erasure's id. Flushes, never commits.

    The scans of letters they signed are kept (the company's commitment, evidence for the donor) unless
    drop_letter_scans; the erasure records which was decided.
    """
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("Give the reason for the erasure (the person's request, its date)."))
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.erased_at is not None:
        raise UserError(_("This contact does not exist or was already erased."))
    traces = traces_of(contact)
    counts: dict[str, int] = {}
    for step in erase_steps():
        for table, rows in (step(traces) or {}).items():
            counts[table] = counts.get(table, 0) + rows
    counts.update(_letter_scans(contact_id, drop_letter_scans))
    counts["contacts"] = _anonymise_contact(contact)
    erasure = Erasure(by_id=by_id, contact_id=contact_id, reason=reason, kind="request", summary=counts)
    db.session.add(erasure)
    db.session.flush()
    return erasure.id


def _letter_scans(contact_id: int, drop: bool) -> dict[str, int]:
    """Delete, or count as kept, the scans of the letters the contact signed."""
    if drop:
        return {"letter_scans_deleted": drop_signed_scans(contact_id)}
    kept = count_signed_scans(contact_id)
    return {"letter_scans_kept": kept} if kept else {}


def _anonymise_contact(contact: Contact) -> int:
    """Replace the contact's identifying fields (kept: organisation, gender, for anonymous counts)."""
    label = erased_label(contact.id)
    db.session.execute(
        update(Contact)
        .where(Contact.id == contact.id)
        .values(
            first_name="Persona eliminada",
            last_name=f"#{contact.id}",
            email=None,
            phone=None,
            position=None,
            email_consent=False,
            consent_at=None,
            consent_source=None,
            consent_scope=None,
            erased_at=now(),
            search_text=fold(label),
            version_id=Contact.version_id + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(contact)
    return 1
