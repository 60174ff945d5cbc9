"""Capture from a real dovecot: corpus messages logged, queued for review or recognised, exactly once."""

from __future__ import annotations

import pytest
from imapclient import IMAPClient
from sqlalchemy import func, select

from crm.extensions import db
from crm.mailcapture import imap, jobs
from crm.mailcapture.jobs import fetch_mailbox
from crm.mailcapture.services import issue_token
from crm.models import ChangeLog, Document, EmailMessage, Interaction, Mailbox, MailboxMessage, Organisation
from tests.mailcapture.conftest import big_attachment_message, corpus

CONVERSATIONS = [
    "01_alternative.eml",
    "02_quoted_printable.eml",
    "03_latin1_headers.eml",
    "04_attachments_accented.eml",
    "06_thread_1.eml",
    "07_thread_2.eml",
    "08_thread_3.eml",
    "12_malformed.eml",
    "13_unknown_sender.eml",
]
NOT_CONVERSATIONS = ["09_auto_reply.eml", "10_bounce.eml", "11_invitation.eml"]


def email(message_id: str) -> EmailMessage:
    """Return the captured e-mail of a Message-ID."""
    return db.session.scalar(select(EmailMessage).where(EmailMessage.message_id == message_id))


def count(model) -> int:
    """Return how many rows a table has."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_corpus_is_logged_reviewed_or_recognised_once(dovecot, imap_account, make_mailbox, world):
    dovecot.append(imap_account, [corpus(name) for name in CONVERSATIONS + NOT_CONVERSATIONS])
    mailbox = make_mailbox(imap_account)

    result = fetch_mailbox(mailbox.id)

    assert result["logged"] == 7 and result["review"] == 2 and result["ignored"] == 3, result
    first = email("<CAF1a2b3c4d5e6f7@mail.fundicionrimac.com.pe>")
    assert first.status == "logged" and first.organisation_id == world.rimac.id
    assert first.subject == "Consulta sobre la evaluación energética" and first.direction == "inbound"
    assert "Quisiéramos saber" in first.body_text and "<b>" not in first.body_text
    assert {c.id for c in first.interaction.contacts} == {world.ana.id, world.luis.id}
    assert first.interaction.kind == "email" and first.interaction.staff_id == world.staff.id
    assert "1\u00a0250 MWh" in email("<20261104210211.77AB1@fundicionrimac.com.pe>").body_text
    latin = email("<5f3e.latin1@plasticosdelsur.pe>")
    assert latin.subject == "Reunión en Lurín - confirmación" and latin.from_name == "José Peña"
    assert latin.organisation_id == world.other.id and "reunión del martes" in latin.body_text
    unknown = email("<unknown-7001@textilesnuevos.pe>")
    assert unknown.status == "review" and unknown.interaction_id is None
    for message_id in ("<auto-991@fundicionrimac.com.pe>", "<20261113150000.ABC12@mx.proyecto.pe>"):
        assert email(message_id).status == "ignored" and email(message_id).body_text == ""
    assert email("<invite-3344@fundicionrimac.com.pe>").category == "calendar"
    malformed = email("<malformed-1@fundicionrimac.com.pe>")  # its sender is no contact, its domain no one's
    assert malformed.status == "review" and malformed.from_address == "rdiaz@fundicionrimac.com.pe"
    assert "Datos de emisiones" in malformed.body_text
    assert db.session.get(Mailbox, mailbox.id).last_uid == 12


def test_a_second_run_and_a_second_mailbox_log_nothing_twice(dovecot, imap_account, make_mailbox, world):
    dovecot.append(imap_account, [corpus("01_alternative.eml"), corpus("06_thread_1.eml")])
    mailbox = make_mailbox(imap_account)
    fetch_mailbox(mailbox.id)

    again = fetch_mailbox(mailbox.id)
    other = make_mailbox(imap_account, name="Same account, second mailbox")
    third = fetch_mailbox(other.id)

    assert again["logged"] == 0 and third["logged"] == 0 and third["known"] == 2
    assert count(Interaction) == 2 and count(EmailMessage) == 2 and count(MailboxMessage) == 4


@pytest.mark.parametrize("where", ["fetch", "ingest"])
def test_a_run_stopped_mid_way_kept_its_batches_and_the_next_resumes(
    dovecot, imap_account, make_mailbox, world, monkeypatch, where
):
    names = ["01_alternative.eml", "02_quoted_printable.eml", "06_thread_1.eml", "07_thread_2.eml"]
    dovecot.append(imap_account, [corpus(n) for n in names])
    mailbox = make_mailbox(imap_account)
    monkeypatch.setattr(imap, "BATCH", 2)
    target, name = (IMAPClient, "fetch") if where == "fetch" else (jobs, "ingest_batch")
    real, calls = getattr(target, name), []

    def fails_second(*args):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("connection lost")  # the server went away, or the worker was stopped
        return real(*args)

    monkeypatch.setattr(target, name, fails_second)
    assert "connection lost" in fetch_mailbox(mailbox.id)["error"]
    db.session.expire_all()
    assert db.session.get(Mailbox, mailbox.id).last_uid == 2 and count(EmailMessage) == 2

    monkeypatch.setattr(target, name, real)
    result = fetch_mailbox(mailbox.id)
    assert result["logged"] == 2 and result["known"] == 0 and count(Interaction) == 4
    assert count(MailboxMessage) == 4 and db.session.get(Mailbox, mailbox.id).last_uid == 4


def test_captured_interactions_keep_history_and_the_last_interaction_date(
    dovecot, imap_account, make_mailbox, world
):
    dovecot.append(imap_account, [corpus("01_alternative.eml")])
    fetch_mailbox(make_mailbox(imap_account).id)

    logged = email("<CAF1a2b3c4d5e6f7@mail.fundicionrimac.com.pe>")
    db.session.expire_all()
    assert db.session.get(Organisation, world.rimac.id).last_interaction_on == logged.interaction.occurred_on
    history = select(ChangeLog).where(
        ChangeLog.entity_type == "interaction", ChangeLog.entity_id == logged.interaction_id
    )
    assert db.session.scalars(history).one().action == "create"
    assert logged.id == db.session.scalar(select(MailboxMessage.email_id))


def test_threads_join_by_references(dovecot, imap_account, make_mailbox, world):
    dovecot.append(
        imap_account, [corpus(n) for n in ("06_thread_1.eml", "07_thread_2.eml", "08_thread_3.eml")]
    )
    fetch_mailbox(make_mailbox(imap_account).id)

    threads = {
        email(f"<thread-a{i}@{host}>").thread_id
        for i, host in ((1, "cementosandinos.pe"), (2, "proyecto.pe"), (3, "cementosandinos.pe"))
    }
    assert threads == {"<thread-a1@cementosandinos.pe>"}
    reply = email("<thread-a2@proyecto.pe>")
    assert reply.direction == "outbound" and reply.organisation_id == world.cementos.id  # by domain


def test_a_uidvalidity_change_reads_again_without_duplicates(dovecot, imap_account, make_mailbox, world):
    dovecot.recreate(imap_account, "Archivo")
    dovecot.append(imap_account, [corpus("01_alternative.eml")], folder="Archivo")
    mailbox = make_mailbox(imap_account, folder="Archivo")
    fetch_mailbox(mailbox.id)
    before = db.session.get(Mailbox, mailbox.id).uidvalidity

    dovecot.recreate(imap_account, "Archivo")
    dovecot.append(
        imap_account, [corpus("01_alternative.eml"), corpus("02_quoted_printable.eml")], folder="Archivo"
    )
    result = fetch_mailbox(mailbox.id)

    db.session.expire_all()
    assert db.session.get(Mailbox, mailbox.id).uidvalidity != before
    assert result["logged"] == 1 and result["known"] == 1 and count(Interaction) == 2


def test_attachments_stored_by_content_and_oversize_listed(dovecot, imap_account, make_mailbox, world):
    dovecot.append(imap_account, [corpus("04_attachments_accented.eml"), big_attachment_message(30)])
    fetch_mailbox(make_mailbox(imap_account).id)

    files = {a["name"]: a for a in email("<CAF9z8y7x6@mail.fundicionrimac.com.pe>").attachments}
    pdf = files["Carta de interés – Año 2026.pdf"]
    assert (
        pdf["document_id"] and db.session.get(Document, pdf["document_id"]).content_type == "application/pdf"
    )
    assert files["Cuestionario diagnóstico.docx"] == {
        **files["Cuestionario diagnóstico.docx"],
        "document_id": None,
        "note": "refused",
    }
    big = email("<big-30mb@fundicionrimac.com.pe>").attachments[0]
    assert big["name"] == "Planos técnicos.pdf" and big["note"] == "too_large" and big["document_id"] is None
    assert big["size"] > 30 * 1024 * 1024 and count(Document) == 1


def test_the_dropbox_logs_a_forwarded_message_as_the_users(dovecot, imap_account, make_mailbox, world):
    tag = issue_token(world.staff.id, "dropbox")
    db.session.commit()
    dovecot.append(imap_account, [corpus("05_forwarded.eml", dropbox=tag)])
    fetch_mailbox(make_mailbox(imap_account).id)

    forwarded = email("<fwd-7781@demo.pe>")
    assert forwarded.status == "logged" and forwarded.organisation_id == world.cementos.id
    assert forwarded.logged_by_id == world.staff.id and forwarded.direction == "inbound"
    assert forwarded.interaction.staff_id == world.staff.id and "USD 150 000" in forwarded.body_text


def test_a_personal_mailbox_keeps_only_messages_with_known_contacts(
    dovecot, imap_account, make_mailbox, world
):
    dovecot.append(
        imap_account,
        [corpus("01_alternative.eml"), corpus("13_unknown_sender.eml"), corpus("09_auto_reply.eml")],
    )
    result = fetch_mailbox(make_mailbox(imap_account, kind="personal", owner=world.staff).id)

    assert result["logged"] == 1 and result["skipped"] == 2
    assert count(EmailMessage) == 1 and email("<unknown-7001@textilesnuevos.pe>") is None


def test_a_refused_login_is_recorded_with_backoff_and_others_go_on(
    dovecot, imap_account, make_mailbox, world
):
    dovecot.append(imap_account, [corpus("01_alternative.eml")])
    broken = make_mailbox(imap_account, password="wrong-password", name="Roto")
    unreachable = make_mailbox(imap_account, port=1, name="Sin servidor")
    good = make_mailbox(imap_account, name="Bueno")

    assert "error" in fetch_mailbox(broken.id) and "error" in fetch_mailbox(unreachable.id)
    assert fetch_mailbox(good.id)["logged"] == 1

    db.session.expire_all()
    failed = db.session.get(Mailbox, broken.id)
    assert failed.failures == 1 and failed.last_error and failed.next_attempt_at is not None
    assert failed.last_success_at is None and db.session.get(Mailbox, good.id).last_success_at is not None
    fetch_mailbox(broken.id)
    db.session.expire_all()
    assert db.session.get(Mailbox, broken.id).failures == 2
