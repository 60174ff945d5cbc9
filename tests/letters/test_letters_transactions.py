"""Letters and their scans follow the request's one transaction: files go with rolled-back rows, deleted
scans go only once the deletion is committed, and saves that lose a race are refused, not half-stored."""

from __future__ import annotations

import io
from datetime import timedelta

from letters_support import JPEG, PDF, count, form, upload
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from crm.clock import today
from crm.extensions import db
from crm.letters import services
from crm.models import Document, Engagement, Letter, Materialisation, Programme, StageTransition
from tests.races import rival_save_before_flush


def files(folder) -> list[str]:
    """Return the names of the stored files."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def scanned_letter(world) -> Letter:
    """Create a letter of the company with a PDF scan through the service (not committed)."""
    values = services.LetterValues(kind="interest", status="requested", requested_on=today())
    scan = FileStorage(stream=io.BytesIO(PDF), filename="carta.pdf")
    return services.create_letter(world.company.id, values, world.staff.id, today(), scan)


def test_a_scan_whose_letter_is_rolled_back_is_removed(world, upload_dir):
    scanned_letter(world)
    assert len(files(upload_dir)) == 1
    db.session.rollback()
    assert files(upload_dir) == [] and count(Document) == 0


def test_a_scan_whose_letter_is_committed_stays(world, upload_dir):
    letter = scanned_letter(world)
    db.session.commit()
    assert files(upload_dir) == [letter.document.storage_name]


def test_a_deleted_scan_goes_only_when_the_deletion_is_committed(world, upload_dir):
    letter = scanned_letter(world)
    db.session.commit()
    stored = files(upload_dir)
    services.delete_letter(letter)
    assert files(upload_dir) == stored  # not committed yet: a rollback must still find the file
    db.session.rollback()
    assert files(upload_dir) == stored and count(Letter) == 1
    services.delete_letter(db.session.get(Letter, letter.id))
    db.session.commit()
    assert files(upload_dir) == [] and count(Letter) == 0


def test_edit_losing_the_race_to_its_update_is_a_409_listing_the_rival_change(
    client, login, world, make_letter, upload_dir
):
    letter = make_letter(world.company, requested_on=today() - timedelta(days=10))
    login(world.staff)
    data = form(notes="Mía", version=letter.version_id, document=upload(JPEG, "nueva.jpg"))
    with rival_save_before_flush(Letter, letter.id, "notes", "Nota del rival"):
        response = client.post(f"/letters/{letter.id}/edit", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was saved" in page and "Nota del rival" in page
    saved = db.session.get(Letter, letter.id)
    assert saved.notes == "Nota del rival" and saved.document_id is None
    assert count(Document) == 0 and files(upload_dir) == []  # the new scan went with the refused save
    assert f'value="{saved.version_id}"' in page  # saving again is a deliberate overwrite


def test_materialisation_losing_the_race_is_refused_and_saves_nothing(client, login, world, make_letter):
    letter = make_letter(world.company, kind="cofinance", status="signed", signed_on=today())
    login(world.staff)
    entry = {"occurred_on": today().isoformat(), "amount": "100", "note": ""}
    with rival_save_before_flush(Letter, letter.id, "notes", "Nota del rival"):
        response = client.post(f"/letters/{letter.id}/materialisations", data=entry)
    assert response.status_code == 302
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "Someone else changed this letter at the same time" in page
    assert count(Materialisation) == 0
    assert db.session.get(Letter, letter.id).notes == "Nota del rival"


def engaged_past_the_gate(org) -> Engagement:
    """Put the company at 'assessed' in a programme, past the letter-of-interest gate."""
    since = today() - timedelta(days=20)
    programme = db.session.scalars(select(Programme).where(Programme.code == "ZIS-CALLAO")).one()
    engagement = Engagement(
        organisation_id=org.id, programme_id=programme.id, stage="assessed", stage_since=since
    )
    engagement.transitions.append(StageTransition(from_stage=None, to_stage="assessed", occurred_on=since))
    db.session.add(engagement)
    db.session.commit()
    return engagement


def test_move_back_losing_the_race_deletes_nothing_and_says_why(client, login, world, make_letter):
    engagement = engaged_past_the_gate(world.company)
    letter = make_letter(world.company, status="signed", signed_on=today() - timedelta(days=30))
    login(world.staff)
    data = {"move_back": "1", "note": "La carta era de otra empresa"}
    rival_since = today() - timedelta(days=25)
    with rival_save_before_flush(Engagement, engagement.id, "stage_since", rival_since):
        response = client.post(f"/letters/{letter.id}/delete", data=data, follow_redirects=True)
    assert "Someone moved the engagement meanwhile" in response.get_data(as_text=True)
    assert count(Letter) == 1
    assert db.session.get(Engagement, engagement.id).stage == "assessed"
