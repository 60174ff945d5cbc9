"""Follow-ups on their own: create, complete, reassign, snooze, and the 'assigned to you' outbox row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.clock import today
from crm.extensions import db
from crm.interactions import follow_ups
from crm.models import FollowUp, OutboxMessage


@pytest.fixture
def team(en_user, make_org):
    """Two staff members, a manager, an inactive colleague, a viewer and a company."""
    return {
        "me": en_user("staff", name="Sofía Staff"),
        "colleague": en_user("staff", name="Carlos Colega"),
        "manager": en_user("manager", name="Mara Manager"),
        "gone": en_user("staff", name="Inés Inactiva", active=False),
        "viewer": en_user("viewer", name="Vera Viewer"),
        "org": make_org("Fundición Callao SAC"),
    }


def make_task(team, assignee="me", due_in: int = 3, **fields) -> FollowUp:
    """Create an open follow-up of the company directly."""
    task = FollowUp(
        organisation_id=team["org"].id,
        assignee_id=team[assignee].id,
        due_on=today() + timedelta(days=due_in),
        description=fields.pop("description", "Llamar al gerente"),
        **fields,
    )
    db.session.add(task)
    db.session.commit()
    return task


def outbox() -> list[OutboxMessage]:
    """Return every outbox row."""
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def reload(task: FollowUp) -> FollowUp:
    """Read a follow-up back from the database."""
    db.session.expire_all()
    return db.session.get(FollowUp, task.id)


def act(client, task: FollowUp, action: str, **data):
    """Post one of the follow-up actions."""
    return client.post(f"/interactions/follow-ups/{task.id}/{action}", data=data)


def follow_up_count() -> int:
    """Count follow-ups."""
    return db.session.scalar(select(func.count()).select_from(FollowUp))


def new_data(team, **changes) -> dict:
    """Return a valid new follow-up submission with some fields changed."""
    data = {
        "organisation_id": team["org"].id,
        "description": "Enviar la carta de interés",
        "assignee_id": team["colleague"].id,
        "due_on": (today() + timedelta(days=5)).isoformat(),
    }
    data.update(changes)
    return data


def test_create_from_the_organisation_page_mails_the_other_assignee(client, login, team):
    login(team["me"])
    org_page = client.get(f"/organisations/{team['org'].id}").get_data(as_text=True)
    assert f"/interactions/follow-ups/new?organisation_id={team['org'].id}" in org_page
    form = client.get(f"/interactions/follow-ups/new?organisation_id={team['org'].id}")
    assert form.status_code == 200
    shown = form.get_data(as_text=True)
    hidden = f'<input type="hidden" id="organisation_id" name="organisation_id" value="{team["org"].id}">'
    assert hidden in shown
    assert "Fundición Callao SAC" in shown and 'name="organisation_id_q"' not in shown
    url = f"/interactions/follow-ups/new?organisation_id={team['org'].id}"
    response = client.post(url, data=new_data(team))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{team['org'].id}")
    task = db.session.scalar(select(FollowUp))
    assert task.description == "Enviar la carta de interés" and task.interaction_id is None
    assert task.assignee_id == team["colleague"].id and task.created_by_id == team["me"].id
    [mail] = outbox()
    assert (mail.kind, mail.recipient_id) == ("follow_up_assigned", team["colleague"].id)
    assert (mail.subject_type, mail.subject_id) == ("followup", task.id)
    assert mail.period == f"{team['colleague'].id}@{today().isoformat()}"
    assert mail.payload["title"] == "Enviar la carta de interés"
    assert mail.payload["assigned_by"] == "Sofía Staff"
    page = client.get(f"/organisations/{team['org'].id}").get_data(as_text=True)
    assert "Enviar la carta de interés" in page and "Carlos Colega" in page


def test_create_for_oneself_writes_no_outbox_row(client, login, team):
    login(team["me"])
    response = client.post("/interactions/follow-ups/new", data=new_data(team, assignee_id=team["me"].id))
    assert response.status_code == 302 and response.headers["Location"].endswith("/interactions/follow-ups")
    assert follow_up_count() == 1
    assert outbox() == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"due_on": "past"}, "The due date cannot be in the past."),
        ({"due_on": ""}, "Enter the due date (YYYY-MM-DD)."),
        ({"description": "   "}, "Write what has to be done."),
        ({"assignee_id": "gone"}, "Choose an active staff member."),
        ({"assignee_id": "viewer"}, "Choose an active staff member."),
        ({"assignee_id": "999999"}, "Choose an active staff member."),
        ({"assignee_id": "abc"}, "Choose an active staff member."),
        ({"organisation_id": "999999"}, "that organisation does not exist or is not yours to choose."),
        ({"organisation_id": ""}, "Choose the organisation: search by name, trade name or RUC."),
    ],
)
def test_bad_new_follow_up_is_refused_and_nothing_is_written(client, login, team, changes, message):
    login(team["me"])
    changes = dict(changes)
    if changes.get("due_on") == "past":
        changes["due_on"] = (today() - timedelta(days=1)).isoformat()
    if changes.get("assignee_id") in team:
        changes["assignee_id"] = team[changes["assignee_id"]].id
    response = client.post("/interactions/follow-ups/new", data=new_data(team, **changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert follow_up_count() == 0 and outbox() == []


def test_unknown_or_huge_organisation_in_the_url_is_404(client, login, team):
    login(team["me"])
    assert client.get("/interactions/follow-ups/new?organisation_id=999999").status_code == 404
    assert client.get(f"/interactions/follow-ups/new?organisation_id={2**40}").status_code == 404
    assert client.get(f"/interactions/follow-ups/{2**40}").status_code == 404


def test_viewer_and_liaison_cannot_create(client, login, team, liaison_world):
    login(team["viewer"])
    assert client.get("/interactions/follow-ups/new").status_code == 404
    assert client.post("/interactions/follow-ups/new", data=new_data(team)).status_code == 404
    client.post("/auth/logout")
    login(liaison_world.liaison)
    assert client.post("/interactions/follow-ups/new", data=new_data(team)).status_code == 404
    assert follow_up_count() == 0
    page = client.get(f"/organisations/{liaison_world.member.id}").get_data(as_text=True)
    assert 'id="follow-ups"' not in page and "/interactions/follow-ups/new" not in page


def test_complete_records_who_and_reopen_clears_it(client, login, team):
    task = make_task(team)
    login(team["me"])
    assert client.post(f"/interactions/follow-ups/{task.id}/done").status_code == 302
    done = reload(task)
    assert done.done_at is not None and done.done_by_id == team["me"].id
    assert client.post(f"/interactions/follow-ups/{task.id}/reopen").status_code == 302
    reopened = reload(task)
    assert reopened.done_at is None and reopened.done_by_id is None


def test_reassign_to_a_colleague_mails_them(client, login, team):
    task = make_task(team)
    login(team["me"])
    response = act(client, task, "reassign", assignee_id=team["colleague"].id)
    assert response.status_code == 302
    assert reload(task).assignee_id == team["colleague"].id
    [mail] = outbox()
    assert (mail.kind, mail.recipient_id) == ("follow_up_assigned", team["colleague"].id)
    assert mail.subject_id == task.id
    page = client.get("/interactions/follow-ups").get_data(as_text=True)
    assert "Follow-up reassigned to Carlos Colega." in page
    # The former assignee may no longer change it.
    assert act(client, task, "reassign", assignee_id=team["me"].id).status_code == 404


def test_manager_taking_a_task_for_themselves_writes_no_outbox_row(client, login, team):
    task = make_task(team)
    login(team["manager"])
    response = act(client, task, "reassign", assignee_id=team["manager"].id)
    assert response.status_code == 302
    assert reload(task).assignee_id == team["manager"].id
    assert outbox() == []


@pytest.mark.parametrize("target", ["gone", "viewer", "999999", "abc", "", "me"])
def test_reassign_to_inactive_unknown_or_same_person_is_refused(client, login, team, target):
    task = make_task(team)
    login(team["me"])
    value = team[target].id if target in team else target
    response = client.post(f"/interactions/follow-ups/{task.id}/reassign", data={"assignee_id": value})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    expected = "already assigned to this person" if target == "me" else "Choose an active staff member."
    assert expected in page
    assert reload(task).assignee_id == team["me"].id
    assert outbox() == []


def test_other_staff_viewers_and_liaisons_cannot_change_it(client, login, team, liaison_world):
    task = make_task(team)
    for user in (team["colleague"], team["viewer"], liaison_world.liaison):
        login(user)
        for action, data in (("reassign", {"assignee_id": user.id}), ("snooze", {"by": "week"})):
            assert client.post(f"/interactions/follow-ups/{task.id}/{action}", data=data).status_code == 404
        client.post("/auth/logout")
    fresh = reload(task)
    assert fresh.assignee_id == team["me"].id and fresh.due_on == today() + timedelta(days=3)
    login(liaison_world.liaison)
    assert client.get(f"/interactions/follow-ups/{task.id}").status_code == 404


def test_viewer_sees_the_page_without_the_forms(client, login, team):
    task = make_task(team)
    login(team["viewer"])
    page = client.get(f"/interactions/follow-ups/{task.id}").get_data(as_text=True)
    assert "Llamar al gerente" in page and "Sofía Staff" in page
    assert "/snooze" not in page and "/reassign" not in page


def test_snooze_by_a_day_a_week_or_to_a_date(client, login, team):
    task = make_task(team, due_in=3)
    login(team["me"])
    page = client.get(f"/interactions/follow-ups/{task.id}").get_data(as_text=True)
    assert "+1 week" in page and "Carlos Colega" in page
    assert client.post(f"/interactions/follow-ups/{task.id}/snooze", data={"by": "day"}).status_code == 302
    assert reload(task).due_on == today() + timedelta(days=4)
    client.post(f"/interactions/follow-ups/{task.id}/snooze", data={"by": "week"})
    assert reload(task).due_on == today() + timedelta(days=11)
    chosen = today() + timedelta(days=30)
    act(client, task, "snooze", by="date", due_on=chosen.isoformat())
    assert reload(task).due_on == chosen


def test_snoozing_an_overdue_task_counts_from_today(client, login, team):
    task = make_task(team, due_in=-10)
    login(team["me"])
    client.post(f"/interactions/follow-ups/{task.id}/snooze", data={"by": "day"})
    assert reload(task).due_on == today() + timedelta(days=1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"by": "date", "due_on": "past"}, "The due date cannot be in the past."),
        ({"by": "date", "due_on": ""}, "Enter the due date (YYYY-MM-DD)."),
        ({"by": "date", "due_on": "31/02/2026"}, "Enter the due date (YYYY-MM-DD)."),
        ({"by": "month"}, "Enter the due date (YYYY-MM-DD)."),
    ],
)
def test_snooze_into_the_past_or_nowhere_is_refused(client, login, team, data, message):
    task = make_task(team, due_in=3)
    login(team["me"])
    if data.get("due_on") == "past":
        data = {**data, "due_on": (today() - timedelta(days=1)).isoformat()}
    response = client.post(f"/interactions/follow-ups/{task.id}/snooze", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert reload(task).due_on == today() + timedelta(days=3)


def test_done_tasks_cannot_be_snoozed_or_reassigned(client, login, team):
    task = make_task(team, due_in=3)
    login(team["me"])
    client.post(f"/interactions/follow-ups/{task.id}/done")
    response = client.post(f"/interactions/follow-ups/{task.id}/snooze", data={"by": "week"})
    assert response.status_code == 400 and "Reopen it before changing it." in response.get_data(as_text=True)
    assert act(client, task, "reassign", assignee_id=team["colleague"].id).status_code == 400
    fresh = reload(task)
    assert fresh.due_on == today() + timedelta(days=3) and fresh.assignee_id == team["me"].id
    assert outbox() == []


def test_follow_up_logged_with_an_interaction_mails_only_someone_else(client, login, team):
    login(team["me"])
    data = {
        "kind": "call",
        "occurred_on": today().isoformat(),
        "staff_id": team["me"].id,
        "summary": "Llamada inicial",
        "follow_up_due": (today() + timedelta(days=2)).isoformat(),
        "follow_up_description": "Enviar propuesta",
    }
    url = f"/interactions/new?organisation_id={team['org'].id}"
    assert client.post(url, data={**data, "follow_up_assignee": team["me"].id}).status_code == 302
    assert outbox() == []
    assert client.post(url, data={**data, "follow_up_assignee": team["colleague"].id}).status_code == 302
    [mail] = outbox()
    task = db.session.scalar(select(FollowUp).where(FollowUp.assignee_id == team["colleague"].id))
    assert (mail.recipient_id, mail.subject_id, mail.payload["title"]) == (
        team["colleague"].id,
        task.id,
        "Enviar propuesta",
    )


def test_rolled_back_change_leaves_no_outbox_row(team):
    values = follow_ups.NewFollowUp(team["org"].id, "Visitar planta", team["colleague"].id, today())
    task = follow_ups.create_follow_up(team["me"], values, today())
    assert task.id is not None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1  # inside the transaction
    db.session.rollback()
    assert follow_up_count() == 0 and outbox() == []
    existing = make_task(team)
    follow_ups.reassign(team["me"], existing, team["colleague"].id, today())
    db.session.rollback()
    assert reload(existing).assignee_id == team["me"].id and outbox() == []


def test_list_links_to_the_page_and_offers_quick_snooze(client, login, team):
    task = make_task(team)
    login(team["me"])
    page = client.get("/interactions/follow-ups").get_data(as_text=True)
    assert f"/interactions/follow-ups/{task.id}/snooze" in page
    assert f'href="/interactions/follow-ups/{task.id}"' in page
    assert 'href="/interactions/follow-ups/new"' in page
