"""Liaisons' monthly reminder, managers' weekly summary, and the scheduler's 'is it time?' check."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale, format_date
from mail_helpers import body, copies_of, outbox  # noqa: I001 - tests/mail is on sys.path

from crm.clock import today, zone
from crm.extensions import db
from crm.mail.jobs import liaison_reminders, manager_weekly, run_due_reminders
from crm.metrics.services import compute_snapshots
from crm.models import Letter, Membership, StageTransition, utcnow


def reviewed(days_ago: int) -> datetime:
    """Return a review time some days back."""
    return utcnow() - timedelta(days=days_ago)


@pytest.fixture
def members(liaison_world, make_org, make_liaison, make_membership):
    """Members reviewed long ago, recently, never, one that left; a second liaison with nothing due."""
    world = liaison_world  # its member has never been reviewed
    old = make_membership(make_org("Curtiembre Antigua SAC"), world.assoc)
    old.last_reviewed_at = reviewed(100)
    recent = make_membership(make_org("Papelera Reciente SAC"), world.assoc)
    recent.last_reviewed_at = reviewed(10)
    make_membership(make_org("Vidriera Salida SAC"), world.assoc, status="left")
    calm_assoc = make_org("Gremio Tranquilo", kind="association")
    calm = make_membership(make_org("Metalúrgica Al Día SAC"), calm_assoc)
    calm.last_reviewed_at = reviewed(5)
    db.session.commit()
    world.calm_liaison = make_liaison(calm_assoc)
    return world


def test_liaisons_get_the_members_not_reviewed_in_ninety_days(app, work, mail_server, members):
    liaison_reminders.enqueue(today().isoformat())
    work()

    [row] = outbox(kind="liaison_review")  # the calm liaison has nothing to review: no e-mail
    assert row.recipient_id == members.liaison.id and row.period == today().strftime("%Y-%m")
    assert [m["company"] for m in row.payload["members"]] == [
        "Fundición Miembro SAC",
        "Curtiembre Antigua SAC",
    ]
    [mail] = copies_of(row, mail_server.messages)
    assert mail["Subject"] == "2 members to review"
    text = body(mail)
    assert "never reviewed" in text and "Curtiembre Antigua SAC" in text
    assert "Papelera Reciente SAC" not in text and "Vidriera Salida SAC" not in text
    assert f"/organisations/{members.member.id}" in text
    assert len(mail_server.messages) == 1


@pytest.fixture
def week(make_user, make_org, make_contact, build):
    """Two managers, a staff member, last week's contacts, moves, signatures and two snapshots."""
    managers = [
        make_user("manager", email="gema@pmu.pe"),
        make_user("manager", email="max@pmu.pe", locale="en"),
    ]
    make_user("staff", email="staff@pmu.pe")
    company = make_org("Fundición Semana SAC")
    yesterday = today() - timedelta(days=1)
    for first in ("Ana", "Beto"):
        make_contact(company, first, "Nuevo").created_at = datetime.combine(
            yesterday, datetime.min.time(), zone()
        )
    make_contact(company, "Carla", "Antigua").created_at = utcnow() - timedelta(days=30)
    engagement = build.engage(company, "identified", "contacted", on=today() - timedelta(days=10))
    db.session.add(
        StageTransition(
            engagement=engagement, from_stage="contacted", to_stage="loi_signed", occurred_on=yesterday
        )
    )
    db.session.add(Letter(organisation_id=company.id, kind="interest", status="signed", signed_on=yesterday))
    db.session.commit()
    compute_snapshots(today() - timedelta(days=7))
    compute_snapshots(today())
    db.session.commit()
    return managers


def test_managers_get_the_weekly_summary_in_their_language(app, work, mail_server, week):
    manager_weekly.enqueue(today().isoformat())
    work()

    rows = outbox(kind="manager_weekly")
    assert sorted(r.recipient.email for r in rows) == ["gema@pmu.pe", "max@pmu.pe"]
    payload = rows[0].payload
    assert payload["new_contacts"] == 2
    assert payload["moves"] == {"loi_signed": 1}
    assert payload["letters"] == {"interest": 1}
    [programme] = [p for p in payload["conversion"] if p["now"]]
    assert programme["now"] == [1, 1] and programme["before"] == [0, 1]
    english = next(m for r in rows if r.recipient.locale == "en" for m in copies_of(r, mail_server.messages))
    text = body(english)
    assert "New contacts: 2" in text and "1 / 1 (100 %)" in text and "0 / 1 (0 %)" in text
    with force_locale("en"):
        assert format_date(today() - timedelta(days=7), "medium") in text
    assert len(mail_server.messages) == 2


def test_reminders_wait_for_the_local_hour_and_run_once_per_period(
    app, work, mail_server, make_user, build, make_org
):
    ana = make_user("staff", email="ana@pmu.pe")
    build.follow_up(ana, make_org("Empresa Tarde SAC"), -1, "Tarea atrasada")
    saved = app.config["DIGEST_HOUR"]
    try:
        app.config["DIGEST_HOUR"] = 24  # never reached
        assert run_due_reminders() == []
        assert outbox() == []
        app.config["DIGEST_HOUR"] = 0
        assert run_due_reminders() == ["digest", "liaison", "weekly"]
        assert run_due_reminders() == []  # this day's, month's and week's runs are done
    finally:
        app.config["DIGEST_HOUR"] = saved
    work()
    [row] = outbox(kind="daily_digest")
    assert row.status == "sent" and len(copies_of(row, mail_server.messages)) == 1


def test_members_of_left_associations_and_inactive_liaisons_are_ignored(work, members):
    members.liaison.active = False
    db.session.add(Membership(company_id=members.outsider.id, association_id=members.assoc.id, status="left"))
    db.session.commit()
    liaison_reminders.enqueue(today().isoformat())
    work()
    assert outbox(kind="liaison_review") == []
