"""Consent to e-mail (Ley 29733): when, how and to what a person agreed, and when they withdrew."""

from __future__ import annotations

from sqlalchemy import select

from crm.extensions import db
from crm.models import ChangeLog, Contact
from tests.contacts.test_contacts_edit import form


def stored() -> Contact:
    """Return the one contact as stored."""
    db.session.expire_all()
    return db.session.scalar(select(Contact))


def edit(client, contact: Contact, **changes):
    """Submit the edit form with the stored version and some fields changed."""
    return client.post(f"/contacts/{contact.id}/edit", data=form(version=contact.version_id, **changes))


def test_consent_records_how_to_what_and_when(client, en_user, login):
    login(en_user("staff"))
    response = client.post("/contacts/new", data=form(consent_source="event", consent_scope="events"))
    assert response.status_code == 302
    contact = stored()
    assert (contact.email_consent, contact.consent_source, contact.consent_scope) == (True, "event", "events")
    assert contact.consent_at is not None
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "Event registration" in page and "Event invitations only" in page and "Since " in page


def test_saving_other_fields_keeps_the_date_of_consent(client, en_user, login):
    login(en_user("staff"))
    client.post("/contacts/new", data=form(consent_source="letter"))
    contact = stored()
    given = contact.consent_at
    assert edit(client, contact, consent_source="letter", position="Gerente").status_code == 302
    assert stored().consent_at == given and stored().consent_scope == "project"


def test_unticking_records_a_withdrawal_in_the_history(client, en_user, login):
    login(en_user("staff"))
    client.post("/contacts/new", data=form(consent_source="verbal"))
    contact = stored()
    data = form(version=contact.version_id)
    del data["email_consent"]
    assert client.post(f"/contacts/{contact.id}/edit", data=data).status_code == 302
    contact = stored()
    assert (contact.email_consent, contact.consent_source) == (False, "withdrawn")
    assert "Consent withdrawn on" in client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    updates = select(ChangeLog).where(ChangeLog.entity_type == "contact", ChangeLog.action == "update")
    [row] = db.session.scalars(updates).all()
    assert row.changes["consent_source"] == ["verbal", "withdrawn"]
    # The edit form never offers "withdrawn" as a way of agreeing: a new consent must be given anew.
    assert 'value="withdrawn"' not in client.get(f"/contacts/{contact.id}/edit").get_data(as_text=True)


def test_the_history_shows_consent_in_words(client, en_user, login):
    login(en_user("manager"))
    client.post("/contacts/new", data=form(consent_source="verbal"))
    contact = stored()
    data = form(version=contact.version_id)
    del data["email_consent"]
    client.post(f"/contacts/{contact.id}/edit", data=data)
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "How they agreed" in page and "Verbally (meeting or call) → Withdrawn" in page
    assert "consent_source" not in page
