"""Follow-ups: marking done and reopening, and the list with its tabs and filters."""

from __future__ import annotations

import pytest

from crm.extensions import db
from crm.models import FollowUp


@pytest.fixture
def tasks(en_user, make_org, make_interaction):
    """Follow-ups of two staff members: overdue, due today, upcoming and one done."""
    org = make_org("Fundición Callao SAC")
    mine = en_user("staff", name="Sofía Staff")
    theirs = en_user("staff", name="Carlos Colega")
    made = {
        "overdue": make_interaction(org, mine, "Atrasada", due_in=-2).follow_ups[0],
        "today": make_interaction(org, mine, "Para hoy", due_in=0).follow_ups[0],
        "upcoming": make_interaction(org, mine, "Futura", due_in=5).follow_ups[0],
        "closed": make_interaction(org, mine, "Cerrada", due_in=1).follow_ups[0],
        "theirs": make_interaction(org, theirs, "Ajena", due_in=1).follow_ups[0],
    }
    made["closed"].done_at = made["closed"].created_at
    db.session.commit()
    return {"mine": mine, "colleague": theirs, "org": org, **made}


def page_of(client, query: str = "") -> str:
    """Return the follow-up list as text."""
    response = client.get("/interactions/follow-ups" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def done_at(follow_up: FollowUp):
    """Reload a follow-up's done_at from the database."""
    db.session.expire_all()
    return db.session.get(FollowUp, follow_up.id).done_at


def test_assignee_marks_done_and_reopens(client, login, tasks):
    login(tasks["mine"])
    task = tasks["today"]
    response = client.post(f"/interactions/follow-ups/{task.id}/done", data={"next": "/contacts/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/contacts/")
    assert done_at(task) is not None
    response = client.post(
        f"/interactions/follow-ups/{task.id}/reopen", data={"next": "https://evil.example/"}
    )
    assert response.headers["Location"].endswith("/interactions/follow-ups")
    assert done_at(task) is None


def test_others_cannot_toggle_but_managers_can(client, login, en_user, tasks):
    login(tasks["colleague"])
    assert client.post(f"/interactions/follow-ups/{tasks['today'].id}/done").status_code == 404
    assert done_at(tasks["today"]) is None
    client.post("/auth/logout")
    login(en_user("viewer"))
    assert client.post(f"/interactions/follow-ups/{tasks['today'].id}/done").status_code == 404
    assert done_at(tasks["today"]) is None
    client.post("/auth/logout")
    login(en_user("manager"))
    assert client.post(f"/interactions/follow-ups/{tasks['today'].id}/done").status_code == 302
    assert done_at(tasks["today"]) is not None


def test_mine_tab_filters_by_status(client, login, tasks):
    login(tasks["mine"])
    page = page_of(client)
    assert "Tarea de Atrasada" in page and "Tarea de Para hoy" in page and "Tarea de Futura" in page
    assert "Tarea de Cerrada" not in page and "Tarea de Ajena" not in page
    page = page_of(client, "?status=overdue")
    assert "Tarea de Atrasada" in page and "Tarea de Para hoy" not in page and "Tarea de Futura" not in page
    page = page_of(client, "?status=today")
    assert "Tarea de Para hoy" in page and "Tarea de Atrasada" not in page
    page = page_of(client, "?status=upcoming")
    assert "Tarea de Futura" in page and "Tarea de Para hoy" not in page
    page = page_of(client, "?status=done")
    assert "Tarea de Cerrada" in page and "Tarea de Futura" not in page and "Reopen" in page


def test_counts_per_filter_are_shown(client, login, tasks):
    login(tasks["mine"])
    page = page_of(client)
    for text, number in [("Open", 3), ("Overdue", 1), ("Due today", 1), ("Upcoming", 1), ("Done", 1)]:
        assert f'{text} <span class="badge">{number}</span>' in page


def test_all_tab_only_for_managers(client, login, en_user, tasks):
    login(tasks["mine"])
    page = page_of(client, "?tab=all")
    assert "Tarea de Ajena" not in page and "Everyone&#39;s" not in page
    client.post("/auth/logout")
    login(en_user("manager"))
    page = page_of(client, "?tab=all")
    assert "Tarea de Ajena" in page and "Tarea de Atrasada" in page and "Carlos Colega" in page
    assert "Tarea de Ajena" not in page_of(client, "?tab=mine")


def test_list_is_paginated(app, client, login, tasks, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    login(tasks["mine"])
    first = page_of(client)
    assert "Tarea de Atrasada" in first and "Tarea de Para hoy" in first and "Tarea de Futura" not in first
    assert "page 1 of 2" in first
    assert "Tarea de Futura" in page_of(client, "?page=2")


def test_odd_tab_and_status_fall_back(client, login, tasks):
    login(tasks["mine"])
    page = page_of(client, "?tab=root&status=everything&page=abc")
    assert "Tarea de Atrasada" in page and "Tarea de Cerrada" not in page
