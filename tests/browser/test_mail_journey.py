"""Issue 14's journey in a real browser: compose from a company's page → the worker sends it → the reply is
captured from the shared mailbox → both show on the company's page, in one conversation.

The live server's worker delivers the e-mail to the real SMTP server (live_server.smtp); the reply is built
as the contact's mail program would (In-Reply-To: the sent Message-ID) and read by the mail-capture ingest
(ingest_batch) as the mailbox job would after fetching it over IMAP (tests/mailcapture covers the IMAP side
with dovecot). Run at 1366×768 and at 390×844, where nothing may stick out of the window.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.mailcapture.ingest import Fetched, Tally, ingest_batch
from crm.mailcapture.matching import load_address_book
from crm.mailcapture.services import save_mailbox
from crm.models import EmailMessage, Interaction, OutboxMessage
from tests.browser.conftest import sign_in
from tests.browser.test_browser_journeys import eventually, wait_for_mail
from tests.browser.test_layout_fits import SIZES, WIDTH
from tests.conftest import PASSWORD

SHARED_MAILBOX = {
    "name": "Buzón UGP",
    "kind": "shared",
    "address": "ugp@proyecto.pe",
    "host": "127.0.0.1",
    "port": 1,
    "use_tls": True,
    "folder": "INBOX",
    "username": "ugp",
    "active": True,
}


def fits(page) -> None:
    """Fail when the document is wider than the window."""
    width, window = page.evaluate(WIDTH)
    assert width <= window, f"{page.url} is {width} px wide in a {window} px window"


def answered_now() -> str:
    """Return a Date header a minute from now, in Lima's offset (a fixed date falls before the sent one)."""
    lima = timezone(timedelta(hours=-5))
    return format_datetime(datetime.now(lima) + timedelta(minutes=1))


def reply_to(sent, sender: str, name: str, message_id: str) -> bytes:
    """Return the contact's answer to a sent message, threaded by In-Reply-To and References."""
    return (
        f"From: {name} <{sender}>\r\nTo: {SHARED_MAILBOX['address']}\r\n"
        f"Subject: Re: {sent['Subject']}\r\nMessage-ID: {message_id}\r\n"
        f"In-Reply-To: {sent['Message-ID']}\r\nReferences: {sent['Message-ID']}\r\n"
        f"Date: {answered_now()}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        "Buenos días: con gusto les enviamos la carta firmada esta semana.\r\n\r\n"
        f"> {sent['Subject']}\r\n"
    ).encode()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_staff_writes_to_a_contact_and_the_captured_reply_joins_the_thread_on_the_timeline(
    page, size, live_server, make_user, make_org, make_contact
):
    staff = make_user("staff", email=f"lucia.correo.{size}@pmu.pe", name="Lucía Correo")
    org = make_org("Fundición Ñaña S.A.C.", owner_id=staff.id)
    ana = make_contact(org, "Ana", "Quispe", email=f"ana.{size}@fundicion-nana.pe", email_consent=True)
    rosa = make_contact(org, "Rosa", "Flores", email=f"rosa.{size}@fundicion-nana.pe", email_consent=False)
    page.set_viewport_size(SIZES[size])
    sign_in(page, staff.email, PASSWORD)

    # From the company's page, write to Ana (Rosa did not consent: she cannot be ticked; the page says why).
    page.goto(f"/organisations/{org.id}")
    page.get_by_role("link", name="Escribir un correo").click()
    page.wait_for_url(f"**/organisations/{org.id}/compose")
    expect(page.locator("h1")).to_have_text("Escribir un correo")
    expect(page.locator(f"#contact-{rosa.id}")).to_be_disabled()
    expect(page.locator(f"#contact-{rosa.id}").locator("xpath=..")).to_contain_text("No es posible")
    fits(page)
    page.check(f"#contact-{ana.id}")
    page.fill("#subject", "Carta de interés de {company}")
    page.fill("#body", "Estimada {contact_name}:\n\nLe escribimos por la carta de interés del programa.")
    page.get_by_role("button", name="Vista previa").click()
    preview = page.locator(".compose-preview")
    expect(preview).to_have_count(1)
    expect(preview).to_contain_text("Estimada Ana Quispe:")
    expect(preview).to_contain_text("Carta de interés de Fundición Ñaña S.A.C.")
    expect(preview).to_contain_text(ana.email)
    fits(page)
    page.get_by_role("button", name="Enviar", exact=True).click()
    page.wait_for_url(re.compile(rf"/organisations/{org.id}$"))
    expect(page.locator(".flash")).to_contain_text("Se enviarán 1 correo(s).")

    # The live worker delivers it; the CRM recorded it as an e-mail interaction with its Message-ID.
    sent = wait_for_mail(live_server.smtp, ana.email)
    assert str(sent["Subject"]) == "Carta de interés de Fundición Ñaña S.A.C."
    assert "Estimada Ana Quispe:" in sent.get_body(("plain",)).get_content()
    assert rosa.email not in str(sent["To"]) and sent["Message-ID"]

    def delivered() -> bool:
        status = select(OutboxMessage.status).where(OutboxMessage.message_id == sent["Message-ID"])
        return db.session.scalar(status) == "sent"

    eventually(delivered)
    outbound = db.session.scalars(
        select(EmailMessage).where(EmailMessage.message_id == sent["Message-ID"])
    ).one()
    assert (outbound.direction, outbound.organisation_id) == ("outbound", org.id)

    # Ana answers; the shared mailbox's capture reads the answer.
    answer_id = f"<respuesta-{size}@fundicion-nana.pe>"
    mailbox = save_mailbox(None, {**SHARED_MAILBOX, "owner_id": staff.id}, "imap-secreto")
    tally = Tally()
    ingest_batch(
        mailbox,
        load_address_book(),
        [Fetched(1, reply_to(sent, ana.email, "Ana Quispe", answer_id), None)],
        tally,
    )
    db.session.commit()
    assert tally.logged == 1 and tally.review == 0
    db.session.expire_all()
    reply = db.session.scalars(select(EmailMessage).where(EmailMessage.message_id == answer_id)).one()
    assert (reply.direction, reply.organisation_id) == ("inbound", org.id)
    assert reply.thread_id == outbound.thread_id  # one conversation
    kinds = db.session.scalars(select(Interaction.kind).where(Interaction.organisation_id == org.id)).all()
    assert kinds == ["email", "email"]

    # The company's page shows both: the e-mails section and the activity timeline.
    page.goto(f"/organisations/{org.id}")
    emails = page.locator("#emails")
    expect(emails.locator("h2")).to_have_text("Correos")
    expect(emails.locator("li")).to_have_count(2)
    expect(emails.locator("li", has_text="Re: Carta de interés")).to_contain_text("Recibid")
    expect(emails.locator("li", has_text="Re: Carta de interés")).to_contain_text("con gusto les enviamos")
    expect(emails.locator("li").filter(has_not_text="Re: ")).to_contain_text("Enviad")
    timeline = page.locator("#activity")
    expect(timeline.locator("li.activity-email")).to_have_count(2)
    expect(timeline.locator("li.activity-email").first).to_contain_text("Ana Quispe")
    fits(page)
    timeline.get_by_role("link", name="Correos").click()  # the timeline filtered to e-mails
    page.wait_for_url(re.compile(r"activity=email"))
    expect(page.locator("#activity li.activity-email")).to_have_count(2)

    # Opening the answer shows the conversation: the sent e-mail, then the reply.
    page.locator("#emails").get_by_role("link", name=re.compile("^Re: Carta de interés")).click()
    page.wait_for_url(f"**/emails/{reply.id}")
    expect(page.locator("main")).to_contain_text("con gusto les enviamos la carta firmada")
    conversation = page.locator("section.card", has=page.get_by_role("heading", name="Conversación"))
    items = conversation.locator("li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Carta de interés de Fundición Ñaña S.A.C.")
    expect(items.nth(0).get_by_role("link")).to_have_attribute("href", re.compile(rf"/emails/{outbound.id}$"))
    expect(items.nth(1)).to_contain_text("Re: Carta de interés")
    fits(page)
