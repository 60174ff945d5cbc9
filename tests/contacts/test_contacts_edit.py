"""Creating, editing and deleting contacts: validation, history, locking and permissions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from crm.contacts import services
from crm.errors import StaleEditError
from crm.extensions import db
from crm.models import ChangeLog, Contact, Interaction, interaction_contacts
from tests.races import rival_save_before_flush


def form(**changes) -> dict:
    """Return a valid contact submission with some fields changed."""
    data = {
        "first_name": "Lucía",
        "last_name": "Huamán",
        "position": "Jefa de Energía",
        "organisation_id": "",
        "email": "lucia.huaman@acero.pe",
        "phone": "+51 (1) 555-1234",
        "gender": "female",
        "email_consent": "y",
    }
    data.update(changes)
    return data


def contact_count() -> int:
    """Count contacts in the database."""
    return db.session.scalar(select(func.count()).select_from(Contact))


def log_rows(action: str) -> list[ChangeLog]:
    """Return the contact change rows of one action."""
    query = select(ChangeLog).where(ChangeLog.entity_type == "contact", ChangeLog.action == action)
    return list(db.session.scalars(query))


def test_create_from_an_organisation_page(client, en_user, login, make_org):
    staff = login(en_user("staff"))
    org = make_org()
    page = client.get(f"/contacts/new?organisation_id={org.id}").get_data(as_text=True)
    # Opened from the organisation: its name and id, not a search or a list of organisations.
    assert f'<input type="hidden" id="organisation_id" name="organisation_id" value="{org.id}">' in page
    assert org.legal_name in page and 'name="organisation_id_q"' not in page
    response = client.post(f"/contacts/new?organisation_id={org.id}", data=form(organisation_id=org.id))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{org.id}")
    contact = db.session.scalar(select(Contact))
    assert (contact.first_name, contact.last_name, contact.organisation_id) == ("Lucía", "Huamán", org.id)
    assert contact.phone == "+51 (1) 555-1234" and contact.gender == "female" and contact.email_consent
    assert contact.qualified_consultant is False
    [row] = log_rows("create")
    assert row.user_id == staff.id and row.entity_id == contact.id and row.changes["last_name"][1] == "Huamán"


def test_create_without_organisation_goes_to_the_contact(client, en_user, login):
    login(en_user("manager"))
    response = client.post("/contacts/new", data=form(qualified_consultant="y"))
    contact = db.session.scalar(select(Contact))
    assert response.headers["Location"].endswith(f"/contacts/{contact.id}")
    # The flag mirrors the consultants registry: a form cannot tick it without an entry.
    assert contact.organisation_id is None and contact.qualified_consultant is False


@pytest.mark.parametrize("query", ["?organisation_id=999999", "?organisation_id=abc"])
def test_prefilled_unknown_organisation_is_404(client, en_user, login, query):
    login(en_user("staff"))
    assert client.get("/contacts/new" + query).status_code == 404
    assert client.post("/contacts/new" + query, data=form()).status_code == 404
    assert contact_count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid e-mail address."),
        ({"last_name": ""}, "This field is required."),
        ({"last_name": "x" * 81}, "Field cannot be longer than 80 characters."),
        ({"position": "x" * 121}, "Field cannot be longer than 120 characters."),
        ({"phone": "call me maybe"}, "Use only digits, spaces, +, - and parentheses."),
        ({"phone": "1" * 41}, "Field cannot be longer than 40 characters."),
        ({"organisation_id": "999999"}, "that organisation does not exist or is not yours to choose."),
        ({"gender": "robot"}, "Not a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message(client, en_user, login, changes, message):
    login(en_user("staff"))
    response = client.post("/contacts/new", data=form(**changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert contact_count() == 0 and log_rows("create") == []


def test_duplicate_email_warns_with_a_link_but_saves(client, en_user, login, make_org, make_contact):
    login(en_user("staff"))
    org = make_org()
    first = make_contact(None, "Lucía", "<Original>", email="Lucia.Huaman@acero.pe")
    response = client.post(f"/contacts/new?organisation_id={org.id}", data=form(organisation_id=org.id))
    assert response.status_code == 302 and contact_count() == 2
    flashed = client.get("/contacts/?q=zzz").get_data(as_text=True)
    assert "Another contact already uses this e-mail address:" in flashed
    assert f'<a href="/contacts/{first.id}">Lucía &lt;Original&gt;</a>' in flashed
    second = db.session.scalar(select(Contact).where(Contact.id != first.id))
    detail = client.get(f"/contacts/{second.id}").get_data(as_text=True)
    assert "Other contacts use the same e-mail address:" in detail
    assert f'href="/contacts/{first.id}"' in detail


def test_unique_email_gives_no_warning(client, en_user, login, make_contact):
    login(en_user("staff"))
    make_contact(None, "Otra", "Persona", email="otra@acero.pe")
    client.post("/contacts/new", data=form())
    assert "Another contact already uses" not in client.get("/contacts/").get_data(as_text=True)


def test_edit_saves_and_records_the_change(client, en_user, login, make_contact):
    staff = login(en_user("staff"))
    contact = make_contact(None, "Ana", "Pérez", position="Asistente")
    page = client.get(f"/contacts/{contact.id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in page
    response = client.post(
        f"/contacts/{contact.id}/edit", data=form(first_name="Ana", last_name="Pérez", version="1")
    )
    assert response.status_code == 302
    db.session.expire_all()
    contact = db.session.get(Contact, contact.id)
    assert contact.position == "Jefa de Energía" and contact.version_id == 2
    [row] = log_rows("update")
    assert row.user_id == staff.id and row.entity_version == 2
    assert row.changes["position"] == ["Asistente", "Jefa de Energía"]


def test_edit_conflict_lists_the_other_changes_and_saves_nothing(client, en_user, login, make_contact):
    manager = en_user("manager", name="Marta Gestora")
    staff = en_user("staff")
    contact = make_contact(None, "Ana", "Pérez", position="Asistente")
    login(manager)
    client.post(f"/contacts/{contact.id}/edit", data=form(position="Gerente General", version="1"))
    client.post("/auth/logout")
    login(staff)
    response = client.post(f"/contacts/{contact.id}/edit", data=form(position="Practicante", version="1"))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this contact after you opened it." in page
    assert (
        "Marta Gestora" in page
        and "Gerente General" in page
        and '<span class="field-label">Position</span>' in page
    )
    assert 'name="version" type="hidden" value="2"' in page
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).position == "Gerente General"
    assert len(log_rows("update")) == 1


def test_concurrent_write_between_check_and_save_is_a_conflict(make_contact):
    contact = make_contact(None, "Ana", "Pérez", position="Asistente")
    loaded = contact.version_id
    with db.engine.begin() as conn:  # another process saves after we loaded the row
        conn.execute(update(Contact).where(Contact.id == contact.id).values(position="Otro", version_id=2))
    values = services.ContactValues(first_name="Ana", last_name="Pérez", position="Mío")
    with pytest.raises(StaleEditError):
        services.update_contact(contact, values, loaded)
    db.session.rollback()
    assert db.session.get(Contact, contact.id).position == "Otro"


def test_edit_without_version_is_refused(client, en_user, login, make_contact):
    login(en_user("staff"))
    contact = make_contact(None, "Ana", "Pérez", position="Asistente")
    response = client.post(f"/contacts/{contact.id}/edit", data=form())
    assert response.status_code == 400
    assert "The form lost its version. Reload the page." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).position == "Asistente"


def test_delete_removes_contact_but_keeps_interactions(client, en_user, login, make_org, make_contact):
    staff = login(en_user("staff"))
    org = make_org()
    contact = make_contact(org, "Ana", "Pérez")
    interaction = Interaction(
        organisation_id=org.id, kind="call", occurred_on=date(2024, 5, 2), staff_id=staff.id, summary="Hola"
    )
    interaction.contacts = [contact]
    db.session.add(interaction)
    db.session.commit()
    response = client.post(f"/contacts/{contact.id}/delete")
    assert response.headers["Location"].endswith(f"/organisations/{org.id}")
    assert contact_count() == 0 and db.session.get(Interaction, interaction.id) is not None
    assert db.session.scalar(select(func.count()).select_from(interaction_contacts)) == 0
    [row] = log_rows("delete")
    assert row.changes["last_name"] == ["Pérez", None]


def test_viewer_cannot_create_edit_or_delete(client, en_user, login, make_contact):
    login(en_user("viewer"))
    contact = make_contact(None, "Ana", "Pérez", position="Asistente")
    assert client.get("/contacts/new").status_code == 404
    assert client.post("/contacts/new", data=form()).status_code == 404
    assert client.get(f"/contacts/{contact.id}/edit").status_code == 404
    assert client.post(f"/contacts/{contact.id}/edit", data=form(version="1")).status_code == 404
    assert client.post(f"/contacts/{contact.id}/delete").status_code == 404
    db.session.expire_all()
    assert contact_count() == 1 and db.session.get(Contact, contact.id).position == "Asistente"
    assert "Edit" not in client.get(f"/contacts/{contact.id}").get_data(as_text=True)


def test_liaison_cannot_edit_even_their_members(client, login, liaison_world):
    login(liaison_world.liaison)
    contact = liaison_world.member_contact
    assert client.get(f"/contacts/{contact.id}/edit").status_code == 404
    assert client.post(f"/contacts/{contact.id}/delete").status_code == 404
    assert client.get(f"/contacts/new?organisation_id={liaison_world.member.id}").status_code == 404


def test_unknown_contact_is_404(client, en_user, login):
    login(en_user("staff"))
    assert client.get("/contacts/424242").status_code == 404
    assert client.get("/contacts/424242/edit").status_code == 404


def test_detail_shows_organisation_and_history(client, en_user, login, make_org, make_contact):
    login(en_user("staff"))
    org = make_org("Cementos del Pacífico SA")
    contact = make_contact(org, "Ana", "Pérez", position="Asistente")
    client.post(f"/contacts/{contact.id}/edit", data=form(organisation_id=org.id, version="1"))
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "Cementos del Pacífico SA" in page and f'href="/organisations/{org.id}"' in page
    assert "Change history" in page and "Asistente → Jefa de Energía" in page
    assert "Modification" in page and "Creation" in page


def test_save_losing_the_race_to_its_update_is_a_409_listing_the_rival_change(
    client, en_user, login, make_contact
):
    login(en_user("staff"))
    contact = make_contact(None, "Ana", "Pérez", position="Asistente")
    data = form(first_name="Ana", last_name="Pérez", position="Mía", version=str(contact.version_id))
    with rival_save_before_flush(Contact, contact.id, "position", "Puesto del rival"):
        response = client.post(f"/contacts/{contact.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this contact after you opened it." in page
    assert "Puesto del rival" in page  # the rival's change is read after the failed flush is discarded
    db.session.expire_all()
    stored = db.session.get(Contact, contact.id)
    assert (stored.position, stored.email) == ("Puesto del rival", None)
    assert f'name="version" type="hidden" value="{stored.version_id}"' in page
