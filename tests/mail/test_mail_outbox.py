"""Outbox rows live and die with the change that causes them; immediate e-mails reach the right person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mail_helpers import body, outbox  # noqa: I001 - tests/mail is on sys.path
from sqlalchemy import func, select

from crm.clock import today
from crm.extensions import db
from crm.jobs import queue
from crm.mail.transport import message_id
from crm.models import FollowUp, OutboxMessage
from crm.outbox import KICK_KEY, queue_mail
from crm.redis_conn import get_redis


@pytest.fixture
def scene(make_user, make_org):
    """Two staff members (one reads English) and a company."""
    return {
        "sofia": make_user("staff", name="Sofía Salas", email="sofia@pmu.pe"),
        "carlos": make_user("staff", name="Carlos Cruz", email="carlos@pmu.pe", locale="en"),
        "org": make_org("Fundición Callao SAC"),
    }


def log_with_follow_up(client, scene, **changes):
    """Post the real 'log an interaction' form with a follow-up assigned to Carlos."""
    data = {
        "kind": "call",
        "occurred_on": today().isoformat(),
        "staff_id": scene["sofia"].id,
        "summary": "Llamada de seguimiento",
        "follow_up_due": (today() + timedelta(days=3)).isoformat(),
        "follow_up_assignee": scene["carlos"].id,
        "follow_up_description": "Send the assessment offer",
    }
    data.update(changes)
    return client.post(f"/interactions/new?organisation_id={scene['org'].id}", data=data)


def mail_jobs() -> int:
    """Return how many jobs wait on the mail queue."""
    return queue(get_redis(), "mail").count


def test_outbox_row_commits_with_the_change_and_wakes_the_dispatcher(client, login, scene):
    login(scene["sofia"])
    assert log_with_follow_up(client, scene).status_code == 302
    [row] = outbox()
    follow_up = db.session.scalar(select(FollowUp))
    assert (row.kind, row.recipient_id, row.subject_id, row.status) == (
        "follow_up_assigned",
        scene["carlos"].id,
        follow_up.id,
        "pending",
    )
    assert get_redis().exists(KICK_KEY) and mail_jobs() == 1  # the after-commit hook enqueued the dispatcher


def test_a_refused_change_leaves_no_outbox_row(client, login, scene):
    login(scene["sofia"])
    response = log_with_follow_up(client, scene, summary="")  # the form is refused: nothing is written
    assert response.status_code in (200, 400)
    assert outbox() == [] and mail_jobs() == 0


def test_a_rolled_back_transaction_takes_its_outbox_row_with_it(scene):
    task = FollowUp(
        organisation_id=scene["org"].id, assignee_id=scene["carlos"].id, due_on=today(), description="x"
    )
    db.session.add(task)
    db.session.flush()
    queue_mail("follow_up_assigned", scene["carlos"].id, subject_type="followup", subject_id=task.id)
    db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1  # visible inside
    db.session.rollback()
    assert outbox() == [] and db.session.scalar(select(func.count()).select_from(FollowUp)) == 0
    db.session.commit()  # a later commit of nothing must not wake the dispatcher for the lost row
    assert mail_jobs() == 0


def test_the_same_key_is_written_once(scene):
    first = queue_mail(
        "follow_up_assigned", scene["carlos"].id, subject_type="followup", subject_id=7, period="d"
    )
    db.session.commit()
    again = queue_mail(
        "follow_up_assigned", scene["carlos"].id, subject_type="followup", subject_id=7, period="d"
    )
    db.session.commit()
    assert first is not None and again is None and len(outbox()) == 1


def test_assigned_follow_up_mail_reaches_the_assignee_in_english(client, login, work, mail_server, scene):
    login(scene["sofia"])
    log_with_follow_up(client, scene)
    work()

    [row] = outbox()
    assert row.status == "sent" and row.transport == "smtp" and row.claim_token is None
    [mail] = mail_server.messages
    assert mail["To"].addresses[0].addr_spec == "carlos@pmu.pe"
    assert mail["Subject"] == "New follow-up for you: Send the assessment offer"
    assert str(mail["Message-ID"]).strip() == message_id(row.idempotency_key) == row.message_id
    assert "<http://127.0.0.1:5000/auth/preferences#mail>" in str(mail["List-Unsubscribe"])
    text = body(mail)
    assert "Sofía Salas" in text and "Fundición Callao SAC" in text
    assert f"http://127.0.0.1:5000/organisations/{scene['org'].id}" in text
    assert row.subject == mail["Subject"] and "Send the assessment offer" in row.body_html


def test_user_text_cannot_inject_mail_headers(make_user, work, mail_server):
    carlos = make_user("staff", name="Carlos\r\nBcc: spy@evil.example", email="carlos@pmu.pe", locale="en")
    title = "Call back\r\nBcc: spy@evil.example\r\n\r\nforged body"
    queue_mail(
        "follow_up_assigned", carlos.id, subject_type="followup", subject_id=1, payload={"title": title}
    )
    db.session.commit()
    work()
    [mail] = mail_server.messages
    assert mail["Bcc"] is None and "spy@evil.example" not in str(mail["To"]).split("<")[-1]
    assert mail["Subject"] == "New follow-up for you: Call back Bcc: spy@evil.example forged body"
    assert outbox()[0].subject == mail["Subject"]


def test_people_assigning_themselves_get_no_mail(client, login, work, mail_server, scene):
    login(scene["sofia"])
    log_with_follow_up(client, scene, follow_up_assignee=scene["sofia"].id)
    work()
    assert outbox() == [] and mail_server.messages == []


def test_referral_mail_names_the_company_and_association(make_user, make_org, work, mail_server):
    owner = make_user("staff", email="owner@pmu.pe", locale="en")
    company = make_org("Metales del Sur SAC", owner_id=owner.id)
    payload = {
        "organisation_id": company.id,
        "organisation": company.legal_name,
        "association": "Sociedad Nacional de Industrias",
        "programme": "ZIS",
        "referred_by": "Lucía Liaison",
    }
    queue_mail(
        "referral", owner.id, subject_type="engagement", subject_id=1, period="assoc-1", payload=payload
    )
    db.session.commit()
    work()
    [mail] = mail_server.messages
    assert mail["Subject"] == "Company referred to you: Metales del Sur SAC"
    assert "Sociedad Nacional de Industrias" in body(mail) and "Lucía Liaison" in body(mail)
    assert f"/organisations/{company.id}" in body(mail, "html")


def test_without_smtp_mail_is_stored_and_shown_to_admins(app, client, login, work, make_user, scene):
    assert not app.config["SMTP_HOST"]
    login(scene["sofia"])
    log_with_follow_up(client, scene)
    work()
    [row] = outbox()
    assert (row.status, row.transport) == ("sent", "stored")

    client.post("/auth/logout")
    login(make_user("admin", locale="en"))
    page = client.get("/system/mail/").get_data(as_text=True)
    assert "New follow-up for you: Send the assessment offer" in page and "carlos@pmu.pe" in page
    detail = client.get(f"/system/mail/{row.id}").get_data(as_text=True)
    assert row.message_id.strip("<>") in detail and "Send the assessment offer" in detail
    frame = client.get(f"/system/mail/{row.id}/html")
    assert frame.status_code == 200 and "sandbox" in frame.headers["Content-Security-Policy"]
    assert "Send the assessment offer" in frame.get_data(as_text=True)
    assert "/system/mail/" in client.get("/system/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["staff", "manager", "viewer", "liaison"])
def test_only_admins_see_the_mail_pages(client, login, make_user, scene, role):
    row = queue_mail("follow_up_assigned", scene["carlos"].id, subject_id=1, subject_type="followup")
    db.session.commit()
    login(make_user(role))
    for url in ("/system/mail/", f"/system/mail/{row.id}", "/system/mail/failed"):
        assert client.get(url).status_code == 404
    assert client.post(f"/system/mail/{row.id}/requeue").status_code == 404
