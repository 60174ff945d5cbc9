"""Retention (Ley 29733): old interactions and captured e-mails lose their texts; recent ones are kept."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from crm import clock
from crm.extensions import db
from crm.models import EmailMessage, Interaction
from crm.models.interaction import interaction_contacts
from crm.privacy.jobs import apply_retention
from crm.privacy.retention import cutoff_date


def _interaction(org, staff, contact, day: date, text: str) -> Interaction:
    """Log a meeting naming the contact."""
    row = Interaction(
        organisation_id=org.id,
        kind="meeting",
        occurred_on=day,
        staff_id=staff.id,
        summary=text,
        outcome=text,
        next_step=text,
    )
    row.contacts.append(contact)
    db.session.add(row)
    return row


def _email(message_id: str, sent_at: datetime) -> EmailMessage:
    """Capture an e-mail from Zoila."""
    row = EmailMessage(
        message_id=message_id,
        thread_id=message_id,
        status="logged",
        sent_at=sent_at,
        subject="Cotización",
        from_address="zoila@quispe.pe",
        from_name="Zoila Quispe",
        participants=[{"role": "to", "address": "zoila@quispe.pe", "name": "Zoila Quispe"}],
        excerpt="Hola Zoila",
        body_text="Hola Zoila, adjunto la cotización.",
    )
    db.session.add(row)
    return row


def test_retention_anonymises_old_records_once_and_keeps_recent(app, make_org, make_user, make_contact):
    org, staff = make_org(), make_user("staff")
    contact = make_contact(org, "Zoila", "Quispe")
    today = clock.today()
    old_day, new_day = today - timedelta(days=365 * 11), today - timedelta(days=30)
    old = _interaction(org, staff, contact, old_day, "Zoila Quispe pidió precios")
    new = _interaction(org, staff, contact, new_day, "Zoila Quispe confirmó")
    old_mail = _email("<old@x>", datetime(old_day.year, 1, 1, tzinfo=UTC))
    new_mail = _email("<new@x>", datetime.now(UTC) - timedelta(days=30))
    db.session.commit()
    app.config["INTERACTION_RETENTION_YEARS"] = 10
    try:
        assert apply_retention() == {"interactions": 1, "emails": 1}
        first_stamp = db.session.get(Interaction, old.id).anonymised_at
        assert apply_retention() == {"interactions": 0, "emails": 0}  # safe to run twice
    finally:
        app.config["INTERACTION_RETENTION_YEARS"] = 10
    db.session.expire_all()
    old, new = db.session.get(Interaction, old.id), db.session.get(Interaction, new.id)
    assert (old.summary, old.outcome, old.next_step) == ("", None, None)
    assert old.anonymised_at == first_stamp is not None
    assert new.summary == "Zoila Quispe confirmó" and new.anonymised_at is None
    linked = db.session.scalars(select(interaction_contacts.c.interaction_id)).all()
    assert linked == [new.id]
    old_mail, new_mail = db.session.get(EmailMessage, old_mail.id), db.session.get(EmailMessage, new_mail.id)
    kept = (old_mail.body_text, old_mail.excerpt, old_mail.from_address, old_mail.participants)
    assert kept == ("", "", "", [])
    assert "Zoila" in new_mail.body_text and new_mail.participants


def test_retention_zero_keeps_everything(app, make_org, make_user, make_contact):
    org, staff = make_org(), make_user("staff")
    _interaction(org, staff, make_contact(org), clock.today() - timedelta(days=365 * 40), "Antigua")
    db.session.commit()
    app.config["INTERACTION_RETENTION_YEARS"] = 0
    try:
        assert apply_retention() == {"interactions": 0, "emails": 0}
    finally:
        app.config["INTERACTION_RETENTION_YEARS"] = 10
    count = db.session.scalar(select(func.count()).where(Interaction.anonymised_at.is_not(None)))
    assert count == 0


def test_cutoff_date_handles_leap_day():
    assert cutoff_date(date(2028, 2, 29), 10) == date(2018, 2, 28)
    assert cutoff_date(date(2026, 12, 6), 10) == date(2016, 12, 6)
