"""Invitations: who receives one (consent, one per person, once per event), the e-mail, the throttle."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.clock import today
from crm.events import invite
from crm.extensions import db
from crm.mail.dispatch import due_rows
from crm.models import Attendance, Invitation, Membership, OutboxMessage, Registration, utcnow


@pytest.fixture
def scene(en_user, make_org, make_contact, make_event):
    """An upcoming event; consenting, refusing, withdrawn, erased and duplicate contacts at two companies."""
    foundry, mill = make_org("Fundición Callao SAC"), make_org("Textil Lima SAC")
    return {
        "staff": en_user("staff"),
        "event": make_event(held_on=today() + timedelta(days=20)),
        "foundry": foundry,
        "mill": mill,
        "ana": make_contact(
            foundry,
            "Ana",
            "Quispe",
            email="ana@fundicion.pe",
            email_consent=True,
            gender="female",
            position="Jefa de planta",
        ),
        "ana_again": make_contact(mill, "Ana", "Quispe", email="ANA@fundicion.pe", email_consent=True),
        "luis": make_contact(
            mill,
            "Luis",
            "Huamán",
            email="luis@textil.pe",
            email_consent=True,
            gender="male",
            position="Gerente general",
        ),
        "rosa": make_contact(foundry, "Rosa", "Flores", email="rosa@fundicion.pe", email_consent=False),
        "pedro": make_contact(
            foundry,
            "Pedro",
            "Soto",
            email="pedro@fundicion.pe",
            email_consent=False,
            consent_source="withdrawn",
        ),
        "erased": make_contact(
            foundry, "Persona", "Borrada", email="x@fundicion.pe", email_consent=True, erased_at=utcnow()
        ),
        "nomail": make_contact(foundry, "Sin", "Correo", email_consent=True),
    }


def invitations(event) -> list[int]:
    """Return the contact ids invited to the event."""
    query = (
        select(Invitation.contact_id).where(Invitation.event_id == event.id).order_by(Invitation.contact_id)
    )
    return list(db.session.scalars(query))


def count(model) -> int:
    """Count a table's rows."""
    return db.session.scalar(select(func.count()).select_from(model))


def link_in(message) -> str:
    """Return the registration link of a received invitation (path and query)."""
    text = message.get_body(("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/inscripcion/\S+)", text).group(1)


def test_only_consenting_people_are_invited_once_each(client, login, scene):
    login(scene["staff"])
    event = scene["event"]
    preview = client.get(f"/events/{event.id}/invite")
    assert preview.status_code == 200
    assert b"2 people will be invited" in preview.data  # Ana once (two records, one address) and Luis
    assert b"Flores" not in preview.data and b"Pedro" not in preview.data and b"Borrada" not in preview.data
    assert client.post(f"/events/{event.id}/invite", data={"language": "es"}).status_code == 302
    assert invitations(event) == sorted([scene["ana"].id, scene["luis"].id])
    assert client.post(f"/events/{event.id}/invite", data={"language": "es"}).status_code == 302
    assert len(invitations(event)) == 2  # a second send invites nobody again
    assert count(OutboxMessage) == 2 and db.session.get(type(event), event.id).registration_open


def test_filters_narrow_the_recipients(app, scene, make_org, make_event):
    event, staff, foundry = scene["event"], scene["staff"], scene["foundry"]
    assoc = make_org("Sociedad Nacional de Industrias", kind="association")
    db.session.add(Membership(company_id=foundry.id, association_id=assoc.id, status="active"))
    earlier = make_event("Charla 2024", attendees=[scene["luis"]])
    db.session.commit()

    def who(**args) -> set[str]:
        query = invite.recipient_query(staff, event, invite.parse_filters(args))
        return {c.first_name for c in db.session.scalars(query)}

    assert who() == {"Ana", "Luis"}
    assert who(association=str(assoc.id)) == {"Ana"}
    assert who(attended="any") == {"Luis"} and who(attended="none") == {"Ana"}
    assert who(position="gerente") == {"Luis"}
    assert who(sector="999999", attended="bogus") == set()  # an unknown sector matches nobody
    assert earlier.id != event.id


def test_invitation_mail_carries_personal_link_and_withdrawal(client, login, scene, mail_server, work):
    login(scene["staff"])
    event = scene["event"]
    client.post(f"/events/{event.id}/invite", data={"language": "en", "note": "Bring your energy bills."})
    work("mail")
    received = {m["To"].addresses[0].addr_spec.lower(): m for m in mail_server.messages}
    assert set(received) == {"ana@fundicion.pe", "luis@textil.pe"}
    mail = received["ana@fundicion.pe"]
    assert mail["Subject"].startswith("Invitation: ") and mail["List-Unsubscribe"].strip().startswith("<http")
    assert "Bring your energy bills." in mail.get_body(("plain",)).get_content()
    client.get("/auth/logout")
    form = client.get(link_in(mail))
    assert form.status_code == 200 and b'value="Quispe"' in form.data  # prefilled from the contact
    data = {"first_name": "Ana", "last_name": "Quispe", "email": "ana@fundicion.pe", "gender": "female"}
    assert client.post(link_in(mail), data=data).status_code == 200
    registration = db.session.scalar(select(Registration))
    assert (registration.contact_id, registration.source) == (scene["ana"].id, "invitation")


def test_bulk_invitations_leave_at_the_configured_pace(app, client, login, scene, make_contact):
    for n in range(5):
        make_contact(
            scene["foundry"], f"Persona{n}", "Prueba", email=f"p{n}@fundicion.pe", email_consent=True
        )
    login(scene["staff"])
    client.post(f"/events/{scene['event'].id}/invite", data={"language": "es"})
    app.config["MAIL_BULK_PER_MINUTE"] = 3
    try:
        assert len(due_rows(utcnow())) == 3  # of 7 invitations, 3 may go in this minute
        first = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id).limit(3)).all()
        for message in first:
            message.status, message.sent_at = "sent", utcnow()
        db.session.commit()
        assert due_rows(utcnow()) == []  # the minute's budget is spent
        assert len(due_rows(utcnow() + timedelta(minutes=2))) == 3
    finally:
        app.config["MAIL_BULK_PER_MINUTE"] = 60


def test_viewers_cannot_invite_and_nothing_changes(client, login, scene, en_user):
    login(en_user("viewer"))
    event = scene["event"]
    assert client.get(f"/events/{event.id}/invite").status_code == 404  # refusals do not confirm ids
    assert client.post(f"/events/{event.id}/invite", data={"language": "es"}).status_code == 404
    assert client.post(f"/events/{event.id}/registration", data={"open": "1"}).status_code == 404
    assert invitations(event) == [] and count(OutboxMessage) == 0 and count(Attendance) == 0
