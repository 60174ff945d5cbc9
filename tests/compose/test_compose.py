"""Compose to an organisation's contacts: sent once each through the outbox, threaded, and withdrawable."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.mailcapture.ingest import Fetched, Tally, ingest_batch
from crm.mailcapture.matching import load_address_book
from crm.mailcapture.services import save_mailbox
from crm.models import ChangeLog, Contact, EmailMessage, Interaction, OutboxMessage

MAILBOX = {
    "name": "PMU",
    "kind": "shared",
    "address": "pmu@proyecto.pe",
    "host": "127.0.0.1",
    "port": 1,
    "use_tls": True,
    "folder": "INBOX",
    "username": "pmu",
    "active": True,
}
HOSTILE = '<script>alert("x")</script> & Cía'


@pytest.fixture
def scene(make_user, make_org, make_contact):
    """An organisation with two consenting contacts, one who did not consent, and its staff owner."""
    staff = make_user("staff", name="Lucía Ramos", email="lucia@pmu.pe")
    org = make_org(HOSTILE, owner_id=staff.id)
    ana = make_contact(org, "Ana", "Quispe", email="ana@fundicion.pe", email_consent=True)
    luis = make_contact(org, "Luis", "Huamán", email="luis@fundicion.pe", email_consent=True)
    rosa = make_contact(org, "Rosa", "Flores", email="rosa@fundicion.pe", email_consent=False)
    return staff, org, ana, luis, rosa


def batch_of(client, org) -> str:
    """Open the compose page and return its batch id."""
    page = client.get(f"/organisations/{org.id}/compose?template=loi_request")
    assert page.status_code == 200
    return re.search(rb'name="batch"[^>]*value="([0-9a-f]{16})"', page.data).group(1).decode()


def post(client, org, step: str, contacts, batch: str, body: str = "Hola {contact_name} de {company}"):
    """Submit the compose form."""
    form = {
        "template": "loi_request",
        "language": "es",
        "contacts": [c.id for c in contacts],
        "batch": batch,
        "subject": "Carta de {company}",
        "body": body,
        "step": step,
    }
    return client.post(f"/organisations/{org.id}/compose", data=form)


def text_of(message) -> str:
    """Return the plain-text part of a received message."""
    return message.get_body(("plain",)).get_content()


def test_two_contacts_get_one_message_each_threaded_and_withdrawable(client, login, scene, mail_server, work):
    staff, org, ana, luis, _rosa = scene
    login(staff)
    batch = batch_of(client, org)
    preview = post(client, org, "preview", [ana, luis], batch)
    assert preview.status_code == 200 and b"Hola Ana Quispe" in preview.data
    assert b"<script>alert" not in preview.data  # the hostile company name is escaped
    assert post(client, org, "send", [ana, luis], batch).status_code == 302
    assert post(client, org, "send", [ana, luis], batch).status_code == 302  # a double submit adds nothing
    work("mail")
    received = {m["To"].addresses[0].addr_spec: m for m in mail_server.messages}
    assert sorted(received) == ["ana@fundicion.pe", "luis@fundicion.pe"] and len(mail_server.messages) == 2
    mail = received["ana@fundicion.pe"]
    assert f"Hola Ana Quispe de {HOSTILE}" in text_of(mail)
    html = mail.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "/baja/" in text_of(mail) and mail["List-Unsubscribe"].strip().startswith("<http")
    assert "retire su consentimiento aquí" in text_of(mail)  # the footer in the e-mail's language
    assert mail["Reply-To"]
    email = db.session.scalar(select(EmailMessage).where(EmailMessage.message_id == mail["Message-ID"]))
    assert email is not None and email.direction == "outbound" and email.organisation_id == org.id
    assert email.interaction.kind == "email" and [c.id for c in email.interaction.contacts] == [ana.id]
    assert email.body_text.startswith("Hola Ana") and {p["address"] for p in email.participants} >= {
        "ana@fundicion.pe"
    }
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2

    reply = (
        "From: Ana Quispe <ana@fundicion.pe>\r\nTo: pmu@proyecto.pe\r\nSubject: Re: carta\r\n"
        f"Message-ID: <reply-1@fundicion.pe>\r\nIn-Reply-To: {mail['Message-ID']}\r\n"
        "Date: Mon, 7 Dec 2026 10:00:00 -0500\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Adjunto la carta.\r\n"
    ).encode()
    mailbox = save_mailbox(None, {**MAILBOX, "owner_id": staff.id}, "imap-secret")
    ingest_batch(mailbox, load_address_book(), [Fetched(1, reply, None)], Tally())
    db.session.commit()
    reply_id = EmailMessage.message_id == "<reply-1@fundicion.pe>"
    answer = db.session.scalar(select(EmailMessage).where(reply_id))
    assert answer.thread_id == email.thread_id == mail["Message-ID"]

    link = re.search(r"https?://\S+/baja/\S+", text_of(mail)).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    anonymous = client.application.test_client()
    page = anonymous.get(f"/{path}")
    assert page.status_code == 200
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.data)
    done = anonymous.post(f"/{path}", data={"csrf_token": token.group(1).decode() if token else ""})
    assert done.status_code == 200
    db.session.expire_all()
    assert db.session.get(Contact, ana.id).consent_source == "withdrawn"
    audit = select(ChangeLog).where(ChangeLog.entity_type == "contact", ChangeLog.entity_id == ana.id)
    assert any("consent_source" in row.changes for row in db.session.scalars(audit))
    assert anonymous.get("/baja/forged-token").status_code == 404
    again = post(client, org, "preview", [ana], batch_of(client, org))
    assert again.status_code == 422 and "retiró su consentimiento".encode() in again.data


def test_a_refused_contact_stops_the_whole_send_and_says_why(client, login, scene, mail_server, work):
    staff, org, ana, _luis, rosa = scene
    login(staff)
    batch = batch_of(client, org)
    switched = client.post(
        f"/organisations/{org.id}/compose",
        data={"template": "event_thanks", "language": "en", "batch": batch, "step": "template"},
    )
    assert switched.status_code == 200 and b"Thank you for joining our {programme} event" in switched.data
    response = post(client, org, "send", [ana, rosa], batch)
    assert response.status_code == 422
    assert b"Rosa Flores no puede recibir correos" in response.data
    work("mail")
    assert mail_server.messages == []
    assert db.session.scalar(select(func.count()).select_from(Interaction)) == 0


def test_an_email_queued_before_the_withdrawal_is_not_sent(client, login, scene, mail_server, work):
    staff, org, ana, _luis, _rosa = scene
    from crm.compose.consent_links import withdraw

    login(staff)
    assert post(client, org, "send", [ana], batch_of(client, org)).status_code == 302
    withdraw(db.session.get(Contact, ana.id))
    db.session.commit()
    work("mail")
    assert mail_server.messages == []
    assert db.session.scalar(select(OutboxMessage.status)) == "failed"
