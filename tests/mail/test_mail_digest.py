"""The daily digest: who gets one, what it lists, in which language; nothing to do means no e-mail."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from mail_helpers import body, copies_of, outbox  # noqa: I001 - tests/mail is on sys.path

from crm.clock import today
from crm.extensions import db
from crm.mail.jobs import daily_digests
from crm.models import MailOptOut
from crm.redis_conn import get_redis


@pytest.fixture
def scene(make_user, make_org, build):
    """Users with and without things to do, companies, follow-ups and letters around today."""
    day = today()
    ana = make_user("staff", name="Ana Alva", email="ana@pmu.pe", locale="es")
    ben = make_user("staff", name="Ben Brown", email="ben@pmu.pe", locale="en")
    carla = make_user("staff", email="carla@pmu.pe")  # nothing to do
    old = make_user("staff", email="old@pmu.pe", active=False)
    muted = make_user("manager", email="muted@pmu.pe")
    viewer = make_user("viewer", email="viewer@pmu.pe")

    acme = make_org("Fundición Acme SAC", owner_id=ana.id)
    fresh = make_org("Textil Fresca SAC", owner_id=ana.id)
    gone = make_org("Química Retirada SAC", owner_id=ana.id)
    other = make_org("Plásticos Otros SAC")
    build.engage(acme, "identified", "contacted")  # contacted: stale after 21 days
    build.interaction(ana, acme, 30)
    build.engage(fresh, "identified")  # identified: stale after 60 days
    build.interaction(ana, fresh, 10)
    build.engage(gone, "identified", "declined")  # left the pipeline: never nagged
    build.interaction(ana, gone, 200)

    s = {
        "overdue": build.follow_up(ana, acme, -3, "Enviar propuesta técnica"),
        "today": build.follow_up(ana, fresh, 0, "Llamar al gerente de planta"),
        "future": build.follow_up(ana, acme, 2, "Visita futura"),
        "done": build.follow_up(ana, acme, -5, "Tarea cerrada", done=True),
        "ben_task": build.follow_up(ben, other, -1, "Chase the boiler data"),
        "old_task": build.follow_up(old, other, -1, "Nobody reads this"),
        "muted_task": build.follow_up(muted, other, -1, "Muted task"),
        "viewer_task": build.follow_up(viewer, other, -1, "Viewer task"),
    }
    s["letter"] = build.letter(fresh, "interest", "requested", ana, requested_on=day - timedelta(days=33))
    build.letter(acme, "interest", "requested", ana, requested_on=day - timedelta(days=10))
    money = {
        "currency": "USD",
        "exchange_rate": Decimal(1),
        "amount": Decimal(1000),
        "amount_usd": Decimal(1000),
    }
    s["cofinance"] = build.letter(
        acme, "cofinance", "signed", ana, signed_on=day - timedelta(days=200), **money
    )
    build.materialise(s["cofinance"], "300", 190)
    paid = build.letter(fresh, "cofinance", "signed", ana, signed_on=day - timedelta(days=200), **money)
    build.materialise(paid, "1000", 190)
    build.letter(fresh, "cofinance", "signed", ana, signed_on=day - timedelta(days=30), **money)
    db.session.add(MailOptOut(user_id=muted.id, kind="daily_digest"))
    db.session.commit()
    return {"ana": ana, "ben": ben, "carla": carla, "muted": muted, "acme": acme, "fresh": fresh, **s}


def run_digests(app, work) -> None:
    """Enqueue today's digest job as the scheduler would, and let a worker do everything."""
    daily_digests.enqueue(today().isoformat(), connection=get_redis(app))
    work()


def test_digest_lists_each_section_and_users_with_nothing_get_no_mail(app, work, mail_server, scene):
    run_digests(app, work)

    rows = {row.recipient.email: row for row in outbox(kind="daily_digest")}
    assert set(rows) == {
        "ana@pmu.pe",
        "ben@pmu.pe",
        "muted@pmu.pe",
    }  # not carla, the inactive one, the viewer
    payload = rows["ana@pmu.pe"].payload
    assert [f["id"] for f in payload["overdue"]] == [scene["overdue"].id]
    assert [f["id"] for f in payload["due_today"]] == [scene["today"].id]
    assert [c["id"] for c in payload["stale"]] == [scene["acme"].id]
    assert payload["stale"][0]["stage"] == "contacted"
    assert [letter["id"] for letter in payload["letters"]] == [scene["letter"].id]
    assert [(c["id"], c["pending_usd"]) for c in payload["cofinance"]] == [(scene["cofinance"].id, "700.00")]

    (mail,) = copies_of(rows["ana@pmu.pe"], mail_server.messages)
    text = body(mail)
    for expected in ("Enviar propuesta técnica", "Llamar al gerente de planta", "Fundición Acme SAC", "700"):
        assert expected in text
    for absent in ("Visita futura", "Tarea cerrada", "Química Retirada SAC"):
        assert absent not in text
    assert f"http://127.0.0.1:5000/organisations/{scene['acme'].id}" in text
    assert "http://127.0.0.1:5000/auth/preferences#mail" in text
    assert f'href="http://127.0.0.1:5000/organisations/{scene["acme"].id}"' in body(mail, "html")

    assert rows["muted@pmu.pe"].status == "skipped"  # opted out of digests: written, never sent
    assert copies_of(rows["muted@pmu.pe"], mail_server.messages) == []
    assert len(copies_of(rows["ben@pmu.pe"], mail_server.messages)) == 1
    assert {rows["ana@pmu.pe"].status, rows["ben@pmu.pe"].status} == {"sent"}
    addressees = {m["To"].addresses[0].addr_spec for m in mail_server.messages}
    assert addressees == {"ana@pmu.pe", "ben@pmu.pe"}  # ana: digest and the overdue-letter notice


def test_letter_overdue_notice_goes_once_to_the_requester(app, work, mail_server, scene):
    run_digests(app, work)
    run_digests(app, work)  # the next run the same day writes nothing new

    notices = outbox(kind="letter_overdue")
    assert [(n.recipient_id, n.subject_id, n.status) for n in notices] == [
        (scene["ana"].id, scene["letter"].id, "sent")
    ]
    copies = copies_of(notices[0], mail_server.messages)
    assert len(copies) == 1
    assert "Textil Fresca SAC" in copies[0]["Subject"]


def test_digest_is_written_in_each_recipients_language(app, work, mail_server, scene):
    run_digests(app, work)

    rows = {row.recipient.email: row for row in outbox(kind="daily_digest")}
    days = {}
    for email, locale in (("ana@pmu.pe", "es"), ("ben@pmu.pe", "en")):
        (message,) = copies_of(rows[email], mail_server.messages)
        regional = app.config["FORMAT_LOCALES"][locale]  # es_PE: Peru's dates and numbers, Spanish words
        with force_locale(regional):
            days[locale] = format_date(today(), "medium")
            expected_subject = _("Your CRM digest for %(day)s", day=days[locale])
            heading = _("Overdue follow-ups")
        assert heading in body(message) and heading in body(message, "html")
        assert message["Subject"] == expected_subject
        assert days[locale] in body(message)
        assert f'<html lang="{regional.replace("_", "-")}">' in body(message, "html")
    assert days["es"] != days["en"]
    assert days["en"] not in body(copies_of(rows["ana@pmu.pe"], mail_server.messages)[0])


def test_opting_out_on_the_preferences_page_stops_only_that_kind(
    app, client, login, work, mail_server, scene
):
    login(scene["ana"])
    page = client.get("/auth/preferences").get_data(as_text=True)
    assert re.search(r'<input checked [^>]*name="mail_kinds" [^>]*value="daily_digest"', page)
    assert not re.search(r'value="manager_weekly"', page)  # staff do not get the managers' summary
    kept = ["follow_up_assigned", "referral", "letter_overdue"]
    response = client.post(
        "/auth/preferences", data={"name": "Ana Alva", "locale": "es", "mail_kinds": kept, "mail_shown": "1"}
    )
    assert response.status_code == 302
    assert {o.kind for o in db.session.scalars(db.select(MailOptOut).filter_by(user_id=scene["ana"].id))} == {
        "daily_digest"
    }

    run_digests(app, work)

    rows = {row.recipient.email: row for row in outbox(kind="daily_digest")}
    assert rows["ana@pmu.pe"].status == "skipped"
    assert copies_of(rows["ana@pmu.pe"], mail_server.messages) == []
    assert len(copies_of(rows["ben@pmu.pe"], mail_server.messages)) == 1
    notice = outbox(kind="letter_overdue")[0]
    assert notice.status == "sent"  # other kinds still arrive

    everything = kept + ["daily_digest"]
    client.post(
        "/auth/preferences",
        data={"name": "Ana Alva", "locale": "es", "mail_kinds": everything, "mail_shown": "1"},
    )
    assert db.session.scalars(db.select(MailOptOut).filter_by(user_id=scene["ana"].id)).all() == []


def test_a_preferences_form_without_the_mail_part_changes_no_opt_out(client, login, scene):
    login(scene["ana"])
    client.post("/auth/preferences", data={"name": "Ana A.", "locale": "es"})
    assert db.session.scalars(db.select(MailOptOut).filter_by(user_id=scene["ana"].id)).all() == []


def test_unknown_kinds_are_refused_and_nothing_changes(client, login, scene):
    login(scene["ana"])
    response = client.post(
        "/auth/preferences",
        data={"name": "Ana", "locale": "es", "mail_kinds": ["manager_weekly"], "mail_shown": "1"},
    )
    assert response.status_code == 200  # the form is shown again with the error
    assert db.session.scalars(db.select(MailOptOut).filter_by(user_id=scene["ana"].id)).all() == []
