"""Ley 29733 erasure: afterwards no table and no uploaded file holds the name, e-mail or phone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from crm import clock
from crm.errors import UserError
from crm.extensions import db
from crm.models import (
    AccessLog,
    Attendance,
    Contact,
    EmailMessage,
    Erasure,
    Event,
    Interaction,
    OutboxMessage,
)
from crm.privacy.erasure import erase_contact
from crm.text import fold

NAME, FIRST, LAST = "Zoila Ñahuincopa", "Zoila", "Ñahuincopa"
EMAIL, PHONE = "zoila.nahuincopa@quispe-textil.pe", "+51 987 654 321"
TRACES = [NAME, f"{LAST} {FIRST}", EMAIL, PHONE, "987654321"]


def _seed(org, staff, make_contact) -> tuple[Contact, Event]:
    """Put the person into every table that can name them."""
    person = make_contact(org, FIRST, LAST, email=EMAIL, phone=PHONE, gender="female")
    person.position = "Gerente"  # a second change-log row
    other = make_contact(org, "Pedro", "Ramos", gender="male")
    meeting = Interaction(
        organisation_id=org.id,
        kind="meeting",
        occurred_on=clock.today(),
        staff_id=staff.id,
        summary=f"Reunión con {NAME.upper()} ({EMAIL})",
        next_step=f"Llamar al {PHONE}",
    )
    meeting.contacts.append(person)
    event = Event(title="Taller de eficiencia", type="training", held_on=clock.today() - timedelta(days=2))
    db.session.add_all([meeting, event])
    db.session.flush()
    db.session.add_all([Attendance(event_id=event.id, contact_id=c.id) for c in (person, other)])
    db.session.add(
        EmailMessage(
            message_id="<z@x>",
            thread_id="<z@x>",
            status="logged",
            sent_at=datetime.now(UTC),
            subject=f"Consulta de {fold(NAME)}",
            from_address=EMAIL,
            from_name=NAME,
            participants=[{"role": "from", "address": EMAIL, "name": NAME}],
            excerpt=f"Soy {NAME}",
            body_text=f"Saludos,\n{NAME}\nTel. {PHONE}",
            organisation_id=org.id,
            interaction_id=meeting.id,
        )
    )
    db.session.add(
        OutboxMessage(
            kind="digest",
            recipient_id=staff.id,
            idempotency_key="z-1",
            payload={"contact": NAME},
            subject=f"Respuesta a {NAME}",
            body_text=f"Estimada {NAME}",
            body_html=f"<p>{EMAIL}</p>",
        )
    )
    db.session.add(
        AccessLog(user_id=staff.id, organisation_id=org.id, what="search", path=f"/contacts?q={EMAIL}")
    )
    db.session.commit()
    return person, event


def _gender_counts(event_id: int) -> dict[str, int]:
    """Return the attendance of an event by gender."""
    query = (
        select(Contact.gender, func.count())
        .join(Attendance, Attendance.contact_id == Contact.id)
        .where(Attendance.event_id == event_id)
        .group_by(Contact.gender)
    )
    return dict(db.session.execute(query).all())


def _text_of(value) -> str:
    """Return a cell as text (JSON decoded, so escaped accents are compared too)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(json.loads(value), ensure_ascii=False) + value
        except ValueError:
            return value
    return value if isinstance(value, str) else ""


def _leftovers() -> list[str]:
    """Return every table column (and FTS table) cell that still holds a trace."""
    forms = {f for t in TRACES for f in (t.lower(), fold(t))}
    found = []
    tables = set(inspect(db.engine).get_table_names()) | {t.name for t in db.metadata.sorted_tables}
    for table in sorted(tables):
        query = text(f'SELECT * FROM "{table}"')  # noqa: S608  (names from the schema itself)
        for row in db.session.execute(query).mappings():
            for column, value in row.items():
                cell = _text_of(value)
                if any(f in cell.lower() or f in fold(cell) for f in forms):
                    found.append(f"{table}.{column}")
    return found


def _files_with_traces(folder: Path) -> list[str]:
    """Return the uploaded files whose bytes hold a trace."""
    forms = [t.encode() for t in TRACES] + [fold(t).encode() for t in TRACES]
    return [str(p) for p in folder.rglob("*") if p.is_file() and any(f in p.read_bytes() for f in forms)]


def test_erasure_leaves_no_trace_and_keeps_attendance_counts(app, make_org, make_user, make_contact):
    org, staff, admin = make_org("Textiles Quispe SAC"), make_user("staff"), make_user("admin")
    person, event = _seed(org, staff, make_contact)
    counts = _gender_counts(event.id)
    assert _leftovers(), "the seed must name the person somewhere"
    erasure_id = erase_contact(person.id, admin.id, "Solicitud escrita del 1 de diciembre")
    db.session.commit()
    db.session.expire_all()
    assert _leftovers() == []
    assert _files_with_traces(Path(app.config["UPLOAD_DIR"])) == []
    assert _gender_counts(event.id) == counts == {"female": 1, "male": 1}
    erased = db.session.get(Contact, person.id)
    assert (erased.first_name, erased.last_name, erased.erased_at is not None) == (
        "Persona eliminada",
        f"#{person.id}",
        True,
    )
    record = db.session.get(Erasure, erasure_id)
    assert record.by_id == admin.id and record.summary["email_messages"] == 1
    assert record.summary["interactions"] == 1 and record.summary["contacts"] == 1
    assert len(db.session.get(Interaction, db.session.scalar(select(Interaction.id))).contacts) == 1


def test_erasure_needs_a_reason_and_happens_once(make_org, make_user, make_contact):
    person = make_contact(make_org(), FIRST, LAST, email=EMAIL)
    with pytest.raises(UserError):
        erase_contact(person.id, None, "  ")
    erase_contact(person.id, None, "Pedido")
    db.session.commit()
    with pytest.raises(UserError):
        erase_contact(person.id, None, "Pedido")
    assert db.session.scalar(select(func.count(Erasure.id))) == 1
