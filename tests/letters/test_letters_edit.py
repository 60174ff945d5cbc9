"""Creating, editing (optimistic locking) and deleting letters; status, date and signatory rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from letters_support import count, form
from sqlalchemy import select, update

from crm.clock import today
from crm.errors import StaleEditError
from crm.extensions import db
from crm.letters import services
from crm.models import Letter, Programme


def new_url(org) -> str:
    """Return the new-letter address for an organisation."""
    return f"/letters/new?organisation_id={org.id}"


def days_ago(n: int) -> str:
    """Return the ISO date n days before today (negative: in the future)."""
    return (today() - timedelta(days=n)).isoformat()


def only_letter() -> Letter:
    """Return the one letter in the database, freshly loaded."""
    db.session.expire_all()
    return db.session.scalars(select(Letter)).one()


# --- create -------------------------------------------------------------------------------------------


def test_organisation_page_offers_the_letters_section(client, login, world, make_letter):
    make_letter(world.company, status="signed", signed_on=today(), notes="Firmada en feria")
    login(world.staff)
    page = client.get(f"/organisations/{world.company.id}").get_data(as_text=True)
    assert 'id="letters"' in page
    assert "Letter of interest" in page and "Signed" in page
    assert new_url(world.company) in page


def test_create_from_the_organisation_page(client, login, world):
    login(world.staff)
    programme = db.session.scalars(select(Programme)).first()
    assert client.get(new_url(world.company)).status_code == 200
    data = form(
        status="signed",
        programme_id=programme.id,
        requested_on=days_ago(20),
        received_on=days_ago(3),
        signed_on=days_ago(5),
        expires_on=(today() + timedelta(days=365)).isoformat(),
        signatory_id=world.signatory.id,
        notes="  Firmada por la gerente  ",
    )
    response = client.post(new_url(world.company), data=data)
    assert response.status_code == 302
    letter = only_letter()
    assert (letter.kind, letter.status, letter.organisation_id) == ("interest", "signed", world.company.id)
    assert letter.signatory_id == world.signatory.id and letter.programme_id == programme.id
    assert letter.requested_by_id == world.staff.id and letter.notes == "Firmada por la gerente"
    assert letter.amount is None and letter.currency is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rosa Quispe" in page and "Firmada por la gerente" in page


def test_create_from_the_list_chooses_the_organisation_in_scope(client, login, world):
    login(world.staff)
    page = client.get("/letters/new?q=fundicion").get_data(as_text=True)
    assert new_url(world.company) in page and new_url(world.other) not in page
    assert client.get("/letters/new?organisation_id=999999").status_code == 404
    assert client.get("/letters/new?organisation_id=abc").status_code == 404
    assert client.get(f"/letters/new?organisation_id={2**40}").status_code == 404


def test_viewers_and_liaisons_cannot_create(client, login, world, liaison_world):
    login(world.viewer)
    assert client.get(new_url(world.company)).status_code == 404
    assert client.post(new_url(world.company), data=form()).status_code == 404
    client.post("/auth/logout")
    login(liaison_world.liaison)
    assert client.post(new_url(liaison_world.member), data=form()).status_code == 404
    assert client.get("/letters/").status_code == 404
    page = client.get(f"/organisations/{liaison_world.member.id}").get_data(as_text=True)
    assert 'id="letters"' not in page
    assert count(Letter) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"requested_on": -1}, "This date is in the future"),
        ({"status": "signed", "signed_on": -3}, "This date is in the future"),
        ({"status": "signed"}, "A signed letter needs the date it was signed"),
        ({"status": "received"}, "A received letter needs the date it was received"),
        ({"requested_on": ""}, "A requested letter needs the date it was requested"),
        ({"received_on": 1}, "no longer requested"),
        ({"status": "received", "received_on": 11}, "cannot be received before it was requested"),
        ({"status": "signed", "signed_on": 30}, "cannot be signed before it was requested"),
        (
            {"status": "signed", "signed_on": 2, "expires_on": 3},
            "The expiry date must be after the signing date",
        ),
        ({"status": "expired", "expires_on": -30}, "The expiry date has not been reached yet"),
        ({"status": "expired"}, "An expired letter needs its expiry date"),
        ({"kind": "bogus"}, "Choose the kind of letter"),
        ({"status": "lost"}, "Choose the status of the letter"),
        ({"programme_id": "999999"}, "Choose a programme from the list"),
        ({"requested_on": "2025-02-30"}, "Not a valid date value"),
    ],
)
def test_inconsistent_letters_are_refused(client, login, world, changes, message):
    login(world.staff)
    dated = {k: days_ago(v) if isinstance(v, int) else v for k, v in changes.items()}
    response = client.post(new_url(world.company), data=form(**dated))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(Letter) == 0


@pytest.mark.parametrize("signatory", ["other", "999999", str(2**40), "abc", "-1"])
def test_signatory_must_be_a_contact_of_the_organisation(client, login, world, signatory):
    login(world.staff)
    value = world.outsider.id if signatory == "other" else signatory
    response = client.post(new_url(world.company), data=form(signatory_id=value))
    assert response.status_code == 400
    assert "The signatory must be a contact of this organisation" in response.get_data(as_text=True)
    assert count(Letter) == 0


def test_signatory_options_are_the_organisations_contacts(client, login, world):
    login(world.staff)
    page = client.get(new_url(world.company)).get_data(as_text=True)
    assert "Rosa Quispe" in page and "Oscar Ajeno" not in page


# --- edit ---------------------------------------------------------------------------------------------


def test_edit_saves_and_bumps_the_version(client, login, world, make_letter):
    letter = make_letter(world.company, requested_on=today() - timedelta(days=10))
    loaded = letter.version_id
    login(world.staff)
    page = client.get(f"/letters/{letter.id}/edit").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{loaded}"' in page
    data = form(status="received", received_on=days_ago(1), version=loaded)
    response = client.post(f"/letters/{letter.id}/edit", data=data)
    assert response.status_code == 302
    saved = only_letter()
    assert saved.status == "received" and saved.received_on == today() - timedelta(days=1)
    assert saved.version_id == loaded + 1


def test_concurrent_edit_conflicts_and_saves_nothing(client, login, world, make_letter):
    letter = make_letter(world.company, requested_on=today() - timedelta(days=10))
    loaded = letter.version_id
    login(world.staff)
    first = form(status="received", received_on=days_ago(2), notes="Primera", version=loaded)
    assert client.post(f"/letters/{letter.id}/edit", data=first).status_code == 302
    second = form(status="withdrawn", notes="Segunda", version=loaded)
    response = client.post(f"/letters/{letter.id}/edit", data=second)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved changes to this letter" in page and "Nothing was saved" in page
    saved = only_letter()
    assert (saved.status, saved.notes) == ("received", "Primera")
    # the form now carries the current version: saving again is a deliberate overwrite
    assert f'value="{saved.version_id}"' in page


def test_odd_version_counts_as_a_conflict(client, login, world, make_letter):
    letter = make_letter(world.company, requested_on=today() - timedelta(days=10))
    login(world.staff)
    for version in ("", "abc", "99999999999"):
        response = client.post(f"/letters/{letter.id}/edit", data=form(notes="x", version=version))
        assert response.status_code == 409
    assert only_letter().notes is None


def test_change_saved_between_load_and_flush_is_a_conflict(world, make_letter):
    letter = make_letter(world.company, requested_on=today() - timedelta(days=10))
    loaded = letter.version_id
    with db.engine.begin() as conn:  # another request commits while this one is saving
        conn.execute(
            update(Letter).where(Letter.id == letter.id).values(notes="ajeno", version_id=loaded + 1)
        )
    values = services.LetterValues(
        kind="interest", status="requested", requested_on=letter.requested_on, notes="mía"
    )
    with pytest.raises(StaleEditError):
        services.update_letter(letter, values, loaded, today(), world.staff.id)
    db.session.rollback()  # what the request's boundary does with a refused request
    assert only_letter().notes == "ajeno"


def test_viewer_cannot_edit_or_delete(client, login, world, make_letter):
    letter = make_letter(world.company)
    login(world.viewer)
    assert client.get(f"/letters/{letter.id}").status_code == 200
    assert client.get(f"/letters/{letter.id}/edit").status_code == 404
    assert client.post(f"/letters/{letter.id}/delete").status_code == 404
    assert count(Letter) == 1


def test_delete_removes_letter_and_scan(client, login, world, upload_dir):
    from letters_support import PDF, upload

    login(world.staff)
    data = form(document=upload(PDF, "carta.pdf"))
    client.post(new_url(world.company), data=data, content_type="multipart/form-data")
    letter = only_letter()
    assert len(list(upload_dir.iterdir())) == 1
    response = client.post(f"/letters/{letter.id}/delete")
    assert response.status_code == 302
    assert count(Letter) == 0
    assert list(upload_dir.iterdir()) == []
