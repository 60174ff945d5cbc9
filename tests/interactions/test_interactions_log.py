"""Logging, editing and deleting interactions with their optional follow-up."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import render_template
from flask_login import login_user
from sqlalchemy import func, select

from crm.clock import today
from crm.extensions import db
from crm.interactions.services import recent_for_organisation
from crm.models import ChangeLog, FollowUp, Interaction


@pytest.fixture
def scene(en_user, make_org, make_contact):
    """A staff member, an organisation with two contacts, and a contact elsewhere."""
    org = make_org("Fundición Callao SAC")
    other = make_org("Textil Ajena SAC")
    return {
        "staff": en_user("staff", name="Sofía Staff"),
        "colleague": en_user("staff", name="Carlos Colega"),
        "org": org,
        "ana": make_contact(org, "Ana", "Pérez"),
        "jose": make_contact(org, "José", "Núñez"),
        "stranger": make_contact(other, "Oscar", "Ajeno"),
    }


def submission(scene, **changes) -> dict:
    """Return a valid interaction submission with some fields changed."""
    data = {
        "kind": "site_visit",
        "occurred_on": today().isoformat(),
        "contact_ids": [scene["ana"].id, scene["jose"].id],
        "staff_id": scene["staff"].id,
        "summary": "Visita a la planta de fundición",
        "outcome": "Interesados en el diagnóstico",
        "next_step": "Enviar carta de interés",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def counts() -> tuple[int, int]:
    """Count interactions and follow-ups."""
    interactions = db.session.scalar(select(func.count()).select_from(Interaction))
    return interactions, db.session.scalar(select(func.count()).select_from(FollowUp))


def logged_types() -> list[str]:
    """Return the entity types of interaction and follow-up history rows."""
    query = select(ChangeLog.entity_type).where(ChangeLog.entity_type.in_(["interaction", "followup"]))
    return list(db.session.scalars(query))


def test_form_defaults_to_today_and_to_the_current_user(client, login, scene):
    login(scene["staff"])
    response = client.get(f"/interactions/new?organisation_id={scene['org'].id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'value="{today().isoformat()}"' in page
    assert f'<option selected value="{scene["staff"].id}">Sofía Staff</option>' in page
    assert "Ana Pérez" in page and "José Núñez" in page and "Oscar Ajeno" not in page


def test_log_with_follow_up_in_one_go(client, login, scene):
    staff = login(scene["staff"])
    due = today() + timedelta(days=7)
    data = submission(scene, follow_up_due=due.isoformat(), follow_up_assignee=scene["colleague"].id)
    response = client.post(f"/interactions/new?organisation_id={scene['org'].id}", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{scene['org'].id}")
    interaction = db.session.scalar(select(Interaction))
    assert interaction.kind == "site_visit" and interaction.occurred_on == today()
    assert {c.last_name for c in interaction.contacts} == {"Pérez", "Núñez"}
    [follow_up] = interaction.follow_ups
    assert follow_up.description == "Enviar carta de interés" and follow_up.due_on == due
    assert follow_up.assignee_id == scene["colleague"].id and follow_up.created_by_id == staff.id
    assert sorted(logged_types()) == ["followup", "interaction"]


def test_log_without_follow_up(client, login, scene):
    login(scene["staff"])
    data = submission(scene, contact_ids=None, outcome=None, next_step=None)
    assert client.post(f"/interactions/new?organisation_id={scene['org'].id}", data=data).status_code == 302
    assert counts() == (1, 0)
    assert db.session.scalar(select(Interaction)).contacts == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"occurred_on": "tomorrow"}, "The interaction cannot be dated in the future."),
        ({"contact_ids": "stranger"}, "Some of the chosen contacts do not belong to this organisation."),
        ({"summary": ""}, "This field is required."),
        ({"summary": "x" * 10_001}, "Field cannot be longer than 10000 characters."),
        ({"occurred_on": "31/02/2024"}, "Not a valid date value."),
        ({"follow_up_due": "next week"}, "Choose who will follow up, or leave all follow-up fields empty."),
        (
            {"follow_up_assignee": "staff"},
            "Give the follow-up a due date, or leave all follow-up fields empty.",
        ),
        ({"follow_up_description": "Llamar"}, "Give the follow-up a due date"),
        (
            {"follow_up_due": "yesterday", "follow_up_assignee": "staff"},
            "The follow-up due date cannot be in the past.",
        ),
        (
            {"next_step": None, "follow_up_due": "next week", "follow_up_assignee": "staff"},
            "Describe the follow-up or fill in the next step.",
        ),
        ({"staff_id": "99999"}, "Choose an active staff member."),
        ({"kind": "telepathy"}, "Not a valid choice."),
    ],
)
def test_bad_input_writes_nothing(client, login, scene, changes, message):
    login(scene["staff"])
    words = {
        "tomorrow": (today() + timedelta(days=1)).isoformat(),
        "yesterday": (today() - timedelta(days=1)).isoformat(),
        "next week": (today() + timedelta(days=7)).isoformat(),
        "stranger": [scene["ana"].id, scene["stranger"].id],
        "staff": scene["staff"].id,
    }
    changes = {k: words.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    response = client.post(
        f"/interactions/new?organisation_id={scene['org'].id}", data=submission(scene, **changes)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts() == (0, 0)
    assert logged_types() == []


def test_unknown_organisation_is_404(client, login, scene):
    login(scene["staff"])
    assert client.get("/interactions/new?organisation_id=999999").status_code == 404
    assert client.get("/interactions/new").status_code == 404
    assert client.post("/interactions/new?organisation_id=999999", data=submission(scene)).status_code == 404


def test_viewer_and_liaison_cannot_log(client, login, en_user, scene, liaison_world):
    login(en_user("viewer"))
    assert client.get(f"/interactions/new?organisation_id={scene['org'].id}").status_code == 404
    assert (
        client.post(
            f"/interactions/new?organisation_id={scene['org'].id}", data=submission(scene)
        ).status_code
        == 404
    )
    client.post("/auth/logout")
    login(liaison_world.liaison)
    url = f"/interactions/new?organisation_id={liaison_world.member.id}"
    assert client.get(url).status_code == 404
    assert client.post(url, data=submission(scene)).status_code == 404
    assert counts() == (0, 0)


def test_liaison_does_not_see_interactions(client, login, liaison_world, make_interaction, en_user):
    contact = liaison_world.member_contact
    make_interaction(liaison_world.member, en_user("staff"), "Secreto comercial", contacts=[contact])
    assert recent_for_organisation(liaison_world.liaison, liaison_world.member.id) == []
    login(liaison_world.liaison)
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "Marta Miembro" in page and "Secreto comercial" not in page
    assert client.get("/interactions/follow-ups").status_code == 404


def test_author_edits_and_others_get_404(client, login, scene, make_interaction, en_user):
    interaction = make_interaction(scene["org"], scene["staff"], "Llamada inicial", contacts=[scene["ana"]])
    login(scene["colleague"])
    assert client.get(f"/interactions/{interaction.id}/edit").status_code == 404
    assert client.post(f"/interactions/{interaction.id}/delete").status_code == 404
    client.post("/auth/logout")
    login(scene["staff"])
    page = client.get(f"/interactions/{interaction.id}/edit").get_data(as_text=True)
    assert "Llamada inicial" in page and re.search(rf'<input checked [^>]*value="{scene["ana"].id}"', page)
    data = submission(scene, summary="Llamada corregida", contact_ids=[scene["jose"].id])
    assert client.post(f"/interactions/{interaction.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    interaction = db.session.get(Interaction, interaction.id)
    assert interaction.summary == "Llamada corregida" and [c.first_name for c in interaction.contacts] == [
        "José"
    ]
    row = db.session.scalar(select(ChangeLog).where(ChangeLog.action == "update"))
    assert row.changes["summary"] == ["Llamada inicial", "Llamada corregida"]


def test_edit_refuses_a_future_date(client, login, scene, make_interaction):
    interaction = make_interaction(scene["org"], scene["staff"], "Llamada inicial")
    login(scene["staff"])
    data = submission(scene, occurred_on=(today() + timedelta(days=3)).isoformat())
    response = client.post(f"/interactions/{interaction.id}/edit", data=data)
    assert response.status_code == 400
    assert "The interaction cannot be dated in the future." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Interaction, interaction.id).summary == "Llamada inicial"


def test_manager_deletes_and_follow_ups_stay(client, login, scene, make_interaction, en_user):
    interaction = make_interaction(scene["org"], scene["staff"], "Por borrar", due_in=2)
    login(en_user("manager"))
    response = client.post(f"/interactions/{interaction.id}/delete")
    assert response.headers["Location"].endswith(f"/organisations/{scene['org'].id}")
    assert counts() == (0, 1)
    assert db.session.scalar(select(FollowUp)).interaction_id is None
    assert (
        db.session.scalar(select(ChangeLog).where(ChangeLog.action == "delete")).entity_type == "interaction"
    )


def test_timeline_partial_shows_the_logged_interaction(app, client, login, scene):
    login(scene["staff"])
    due = (today() + timedelta(days=5)).isoformat()
    data = submission(scene, follow_up_due=due, follow_up_assignee=scene["staff"].id)
    client.post(f"/interactions/new?organisation_id={scene['org'].id}", data=data)
    with app.test_request_context(f"/organisations/{scene['org'].id}"):
        login_user(scene["staff"])
        html = render_template(
            "interactions/_timeline.html",
            org=scene["org"],
            interactions=recent_for_organisation(scene["staff"], scene["org"].id),
        )
    assert "Visita a la planta de fundición" in html and "Sofía Staff" in html
    assert "Ana Pérez" in html and "Enviar carta de interés" in html and "Mark done" in html
    interaction = db.session.scalar(select(Interaction))
    assert f"/interactions/{interaction.id}/edit" in html


def test_contact_page_lists_their_interactions(client, login, scene, make_interaction):
    make_interaction(scene["org"], scene["staff"], "Con Ana", contacts=[scene["ana"]])
    make_interaction(scene["org"], scene["staff"], "Sin Ana", contacts=[scene["jose"]])
    login(scene["staff"])
    page = client.get(f"/contacts/{scene['ana'].id}").get_data(as_text=True)
    assert "Con Ana" in page and "Sin Ana" not in page


def test_organisation_page_shows_the_logged_interaction(client, login, scene):
    login(scene["staff"])
    client.post(f"/interactions/new?organisation_id={scene['org'].id}", data=submission(scene))
    page = client.get(f"/organisations/{scene['org'].id}").get_data(as_text=True)
    assert "Visita a la planta de fundición" in page and "Ana Pérez" in page
