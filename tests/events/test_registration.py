"""The public registration page: matching by e-mail, new people in review, once only, robots kept out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm import create_app
from crm.clock import today
from crm.events.registration import invitation_token
from crm.extensions import db
from crm.models import Contact, Invitation, OutboxMessage, Registration
from crm.privacy.erasure import erase_contact
from tests.conftest import FreshContextClient

PERSON = {
    "first_name": "Carmen",
    "last_name": "Vargas",
    "email": "carmen@ladrillera.pe",
    "organisation_name": "Ladrillera Sur",
    "position": "Jefa de producción",
    "gender": "female",
}


@pytest.fixture
def event(make_event, make_user):
    """An upcoming event whose registration page is open."""
    organiser = make_user("staff")
    return make_event(
        held_on=today() + timedelta(days=15),
        registration_open=True,
        public_token="tok-abc123",
        created_by_id=organiser.id,
    )


def count(model) -> int:
    """Count a table's rows."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_person_registers_once_and_waits_for_review(client, event, mail_server, work):
    page = client.get("/inscripcion/tok-abc123?lang=en")
    assert page.status_code == 200 and b"Register" in page.data and b'lang="en' in page.data
    assert client.post("/inscripcion/tok-abc123?lang=en", data={**PERSON, "consent": "y"}).status_code == 200
    again = client.post("/inscripcion/tok-abc123?lang=en", data=PERSON)
    assert b"already registered" in again.data
    contact = db.session.scalar(select(Contact).where(Contact.email == PERSON["email"]))
    assert contact.needs_review and contact.gender == "female" and contact.email_consent
    assert (contact.consent_source, contact.consent_scope) == ("event", "events")
    registration = db.session.scalar(select(Registration))
    assert (registration.source, registration.organisation_name) == ("public", "Ladrillera Sur")
    assert count(Registration) == 1 and count(OutboxMessage) == 1
    work("mail")
    (mail,) = [m for m in mail_server.messages if m["To"].addresses[0].addr_spec == PERSON["email"]]
    assert mail["Subject"].startswith("Registration confirmed")
    ics = [part for part in mail.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(ics) == 1 and b"BEGIN:VEVENT" in ics[0].get_payload(decode=True)


def test_a_known_address_is_matched_and_never_overwritten(client, event, make_org, make_contact):
    known = make_contact(
        make_org("Ladrillera Sur SAC"), "Carmen", "Vargas Díaz", email="CARMEN@ladrillera.pe"
    )
    assert client.post("/inscripcion/tok-abc123", data={**PERSON, "first_name": "Hacker"}).status_code == 200
    registration = db.session.scalar(select(Registration))
    assert registration.contact_id == known.id
    db.session.refresh(known)
    assert (known.first_name, known.needs_review, known.email_consent) == ("Carmen", False, False)
    assert count(Contact) == 1


def test_an_invitation_link_registers_the_invited_contact(client, event, make_contact):
    invited = make_contact(None, "Luis", "Huamán", email="luis@textil.pe", email_consent=True)
    db.session.add(Invitation(event_id=event.id, contact_id=invited.id, language="es"))
    db.session.commit()
    token = invitation_token(event.id, invited.id)
    page = client.get(f"/inscripcion/tok-abc123?i={token}")
    assert b'value="Huam' in page.data
    data = {**PERSON, "first_name": "Luis", "last_name": "Huamán", "email": "luis@otro.pe", "i": token}
    client.post(f"/inscripcion/tok-abc123?i={token}", data=data)
    registration = db.session.scalar(select(Registration))
    assert (registration.contact_id, registration.source) == (invited.id, "invitation")
    forged = client.get(f"/inscripcion/tok-abc123?i={invitation_token(event.id + 1, invited.id)}")
    assert b'value="Huam' not in forged.data  # a link of another event names nobody


def test_closed_unknown_and_past_pages_store_nothing(client, event, make_event):
    assert client.get("/inscripcion/nope").status_code == 404
    assert client.post("/inscripcion/" + "x" * 40, data=PERSON).status_code == 404
    past = make_event(held_on=today() - timedelta(days=1), registration_open=True, public_token="tok-past")
    assert client.post("/inscripcion/tok-past", data=PERSON).status_code == 409
    event.registration_open = False
    db.session.commit()
    closed = client.post("/inscripcion/tok-abc123", data=PERSON)
    assert closed.status_code == 409 and b"cerrada" in closed.data
    bad = client.post("/inscripcion/tok-past", data={**PERSON, "email": "no-es-correo"})
    assert bad.status_code == 409 and past.id
    assert count(Contact) == 0 and count(Registration) == 0 and count(OutboxMessage) == 0


def test_bad_input_is_explained_in_spanish_and_stores_nothing(client, event):
    response = client.post(
        "/inscripcion/tok-abc123", data={**PERSON, "email": "no-es-correo", "last_name": ""}
    )
    assert response.status_code == 400
    assert "Escriba una dirección de correo válida".encode() in response.data or b"correo" in response.data
    assert count(Contact) == 0 and count(Registration) == 0


def test_a_bot_flood_is_throttled_and_stores_nothing(app, event):
    strict = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        REGISTRATION_RATE_LIMIT="3 per minute",
    )
    strict.test_client_class = FreshContextClient
    bot = strict.test_client()
    answers = [
        bot.post(
            "/inscripcion/tok-abc123",
            data={**PERSON, "email": f"bot{n}@spam.example", "website": "http://x"},
            environ_base={"REMOTE_ADDR": "10.7.7.7"},
        )
        for n in range(12)
    ]
    codes = [a.status_code for a in answers]
    assert codes[:3] == [200, 200, 200] and set(codes[3:]) == {429}  # the honeypot answers like a success
    assert count(Contact) == 0 and count(Registration) == 0 and count(OutboxMessage) == 0
    person = bot.post("/inscripcion/tok-abc123", data=PERSON, environ_base={"REMOTE_ADDR": "10.7.7.8"})
    assert person.status_code == 200 and count(Registration) == 1  # another address still registers


def test_erasure_removes_what_the_person_typed(client, event, make_user):
    client.post("/inscripcion/tok-abc123", data=PERSON)
    contact = db.session.scalar(select(Contact).where(Contact.email == PERSON["email"]))
    erase_contact(contact.id, make_user("admin").id, "Pedido de la persona")
    db.session.commit()
    registration = db.session.scalar(select(Registration))
    assert (registration.organisation_name, registration.position) == (None, None)


def test_saving_the_contact_ends_its_review(client, login, event, en_user):
    client.post("/inscripcion/tok-abc123", data=PERSON)
    contact = db.session.scalar(select(Contact).where(Contact.email == PERSON["email"]))
    login(en_user("staff"))
    assert b"public registration page" in client.get(f"/contacts/{contact.id}").data
    event_page = client.get(f"/events/{event.id}").data
    assert b"To review" in event_page and b"1 new contact(s)" in event_page
    form = {
        "first_name": "Carmen",
        "last_name": "Vargas",
        "email": PERSON["email"],
        "gender": "female",
        "version": contact.version_id,
    }
    assert client.post(f"/contacts/{contact.id}/edit", data=form).status_code == 302
    db.session.refresh(contact)
    assert not contact.needs_review and b"To review" not in client.get(f"/events/{event.id}").data


def test_an_invited_person_completes_only_what_is_unknown(client, event, make_contact):
    invited = make_contact(None, "Luis", "Huamán", email="luis@textil.pe", position="Gerente")
    db.session.add(Invitation(event_id=event.id, contact_id=invited.id, language="es"))
    db.session.commit()
    token = invitation_token(event.id, invited.id)
    data = {**PERSON, "first_name": "Otro", "gender": "male", "position": "Practicante", "i": token}
    client.post(f"/inscripcion/tok-abc123?i={token}", data=data)
    db.session.refresh(invited)
    assert (invited.first_name, invited.gender, invited.position) == ("Luis", "male", "Gerente")
