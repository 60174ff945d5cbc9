"""The pages of mail capture: review queue, e-mail page, confidentiality by role, mailboxes, dropbox."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from crm.crypto import decrypt
from crm.documents import stored_file
from crm.extensions import db
from crm.mailcapture.ingest import Fetched, Tally, ingest_batch
from crm.mailcapture.matching import load_address_book
from crm.mailcapture.services import current_token, drop_content, save_mailbox
from crm.models import AccessLog, Contact, Document, EmailMessage, Interaction, Mailbox
from tests.mailcapture.conftest import corpus

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


def capture(world, *names: str) -> Mailbox:
    """Record corpus messages as if read from the shared mailbox (no IMAP: the ingest step alone)."""
    mailbox = save_mailbox(None, {**MAILBOX, "owner_id": world.admin.id}, "imap-secret")
    batch = [Fetched(uid, corpus(name), None) for uid, name in enumerate(names, 1)]
    ingest_batch(mailbox, load_address_book(), batch, Tally())
    db.session.commit()
    return mailbox


def by_id(message_id: str) -> EmailMessage:
    """Return the captured e-mail of a Message-ID."""
    return db.session.scalar(select(EmailMessage).where(EmailMessage.message_id == message_id))


UNKNOWN = "<unknown-7001@textilesnuevos.pe>"
KNOWN = "<CAF9z8y7x6@mail.fundicionrimac.com.pe>"


def test_staff_assigns_a_waiting_email_to_an_organisation(client, login, world):
    capture(world, "13_unknown_sender.eml")
    login(world.staff)
    page = client.get("/mail-capture/review").get_data(as_text=True)
    assert "Interés en el programa de parques eco-industriales" in page and "María" in page
    assert "Plásticos del Sur" not in page  # suggested as the user types, never every organisation listed
    assert 'data-org-suggest="/search/suggest?kind=organisations"' in page
    assert "1 resultado · página 1 de 1" in page  # the pager's count agrees with its number
    email = by_id(UNKNOWN)

    response = client.post(
        f"/mail-capture/review/{email.id}/assign",
        data={"organisation": f"Plásticos del Sur SAC (#{world.other.id})"},
    )

    assert response.status_code == 302
    db.session.expire_all()
    email = by_id(UNKNOWN)
    assert email.status == "logged" and email.organisation_id == world.other.id
    assert email.interaction.kind == "email" and email.interaction.staff_id == world.staff.id
    assert "Nada que revisar" in client.get("/mail-capture/review").get_data(as_text=True)


def test_creating_the_sender_as_a_contact_logs_the_email_in_one_step(client, login, world):
    capture(world, "13_unknown_sender.eml")
    login(world.staff)
    email = by_id(UNKNOWN)

    client.post(
        f"/mail-capture/review/{email.id}/contact",
        data={"organisation": world.other.legal_name, "first_name": "María", "last_name": "Fernández"},
    )

    contact = db.session.scalar(select(Contact).where(Contact.email == "mfernandez@textilesnuevos.pe"))
    assert contact.organisation_id == world.other.id and contact.full_name == "María Fernández"
    assert [c.id for c in by_id(UNKNOWN).interaction.contacts] == [contact.id]


def test_a_bad_organisation_is_refused_and_nothing_changes(client, login, world):
    capture(world, "13_unknown_sender.eml")
    login(world.staff)
    email = by_id(UNKNOWN)

    response = client.post(
        f"/mail-capture/review/{email.id}/assign", data={"organisation": "No existe"}, follow_redirects=True
    )

    assert response.status_code == 200 and "Elija una organización de la lista" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert by_id(UNKNOWN).status == "review" and db.session.scalar(select(func.count(Interaction.id))) == 0


def test_discarding_drops_the_content_and_keeps_the_message_id(client, login, world):
    capture(world, "13_unknown_sender.eml")
    login(world.staff)
    client.post(f"/mail-capture/review/{by_id(UNKNOWN).id}/discard")

    db.session.expire_all()
    email = by_id(UNKNOWN)
    assert email.status == "discarded" and email.body_text == "" and email.participants == []


def test_bodies_for_staff_subject_only_for_viewers_nothing_for_liaisons(
    client, login, world, make_user, make_liaison
):
    capture(world, "04_attachments_accented.eml")
    email = by_id(KNOWN)
    org_page = f"/organisations/{world.rimac.id}"

    login(world.staff)
    page = client.get(org_page).get_data(as_text=True)
    assert "Carta de interés firmada" in page and "Adjunto la carta de interés" in page
    detail = client.get(f"/mail-capture/emails/{email.id}")
    assert detail.status_code == 200 and "Carta de interés – Año 2026.pdf" in detail.get_data(as_text=True)
    reads = db.session.scalars(select(AccessLog).where(AccessLog.what == "email")).all()
    assert {(r.user_id, r.organisation_id) for r in reads} == {(world.staff.id, world.rimac.id)}
    assert any("body_text" in r.fields for r in reads)
    pdf = next(a for a in email.attachments if a["document_id"])
    download = client.get(f"/mail-capture/emails/{email.id}/attachments/{pdf['document_id']}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    client.post("/auth/logout")

    login(make_user("viewer"))
    page = client.get(org_page).get_data(as_text=True)
    assert "Carta de interés firmada" in page and "Adjunto la carta de interés" not in page
    assert client.get(f"/mail-capture/emails/{email.id}").status_code == 404
    assert db.session.scalar(select(func.count(AccessLog.id)).where(AccessLog.what == "email")) == 2
    client.post("/auth/logout")

    association = world.other
    liaison = make_liaison(association)
    login(liaison)
    assert client.get(f"/mail-capture/emails/{email.id}").status_code == 404
    assert client.get("/mail-capture/review").status_code == 404


def test_admin_adds_a_mailbox_whose_password_is_stored_encrypted(client, login, world):
    login(world.admin)
    form = {
        **MAILBOX,
        "owner_id": world.staff.id,
        "use_tls": "y",
        "active": "y",
        "password": "Clave-IMAP-2026",
    }

    response = client.post("/mail-capture/mailboxes/new", data=form)

    assert response.status_code == 302
    mailbox = db.session.scalar(select(Mailbox))
    assert "Clave-IMAP-2026" not in mailbox.password_encrypted
    assert decrypt(mailbox.password_encrypted) == "Clave-IMAP-2026"
    listing = client.get("/mail-capture/mailboxes").get_data(as_text=True)
    assert "PMU" in listing and "Clave-IMAP-2026" not in listing
    client.post(f"/mail-capture/mailboxes/{mailbox.id}/edit", data={**form, "password": "", "name": "PMU 2"})
    db.session.expire_all()
    assert decrypt(db.session.scalar(select(Mailbox)).password_encrypted) == "Clave-IMAP-2026"


def test_the_system_page_shows_a_failing_mailbox(client, login, world):
    mailbox = capture(world)
    mailbox.failures, mailbox.last_error = 3, "LoginError: [AUTHENTICATIONFAILED] Authentication failed."
    db.session.commit()
    login(world.admin)

    page = client.get("/system/").get_data(as_text=True)

    assert "AUTHENTICATIONFAILED" in page and "3 fallos" in page


def test_the_dropbox_address_is_shown_renewed_and_switched_off(client, login, world):
    capture(world)
    login(world.staff)
    client.post("/mail-capture/dropbox")
    first = current_token(world.staff.id, "dropbox")
    assert f"pmu+{first}@proyecto.pe" in client.get("/auth/preferences").get_data(as_text=True)

    client.post("/mail-capture/dropbox")
    second = current_token(world.staff.id, "dropbox")
    assert second != first
    client.post("/mail-capture/dropbox/revoke")
    assert current_token(world.staff.id, "dropbox") is None
    assert "pmu+" not in client.get("/auth/preferences").get_data(as_text=True)


def test_dropped_attachments_leave_the_disk_only_when_the_drop_commits(world):
    capture(world, "04_attachments_accented.eml")
    email = by_id(KNOWN)
    document = db.session.get(Document, next(a for a in email.attachments if a["document_id"])["document_id"])
    path = stored_file(document.storage_name)
    assert path.exists()
    drop_content(email)
    db.session.rollback()
    assert path.exists()  # the e-mail still lists its attachment: the file must stay
    drop_content(by_id(KNOWN))
    db.session.commit()
    assert not path.exists() and db.session.get(Document, document.id) is None



def test_a_message_dated_in_another_zone_is_stored_at_its_instant(world):
    capture(world, "13_unknown_sender.eml")  # Date: Sun, 15 Nov 2026 18:40:00 -0500
    db.session.expire_all()  # read back what the database kept (SQLite keeps no offset)
    stored = by_id(UNKNOWN).sent_at
    as_utc = stored.astimezone(UTC) if stored.tzinfo else stored.replace(tzinfo=UTC)
    assert as_utc == datetime(2026, 11, 15, 23, 40, tzinfo=UTC)
