"""Signed-in sessions: listed, ended by their user, by a new password, a deactivation, and by time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from crm.extensions import db
from crm.models import User, UserSession, utcnow
from tests.common_support import sign_in, text
from tests.conftest import FreshContextClient


def browsers(app, user, count: int) -> list:
    """Sign the user in on several independent clients."""
    clients = [FreshContextClient(app, app.response_class) for _ in range(count)]
    for client in clients:
        assert sign_in(client, user).status_code == 302
    return clients


def signed_in(client) -> bool:
    """Return whether the client's session still opens the start page."""
    return client.get("/").status_code == 200


def test_the_cookie_holds_a_session_token_and_only_its_hash_is_stored(app, make_user):
    staff = make_user("staff")
    (client,) = browsers(app, staff, 1)
    row = db.session.scalars(select(UserSession)).one()
    assert (row.user_id, row.second_factor, row.ended_at) == (staff.id, True, None)
    assert len(row.token_hash) == 64 and client.get_cookie("session") is not None


def test_preferences_list_the_sessions_and_one_can_be_ended(app, make_user):
    staff = make_user("staff")
    laptop, phone = browsers(app, staff, 2)
    page = text(laptop.get("/auth/preferences"))
    assert "Dónde tiene la sesión iniciada" in page and page.count('class="badge ok">Este navegador') == 1
    phone_row = db.session.scalars(select(UserSession).order_by(UserSession.id.desc())).first()
    assert laptop.post(f"/auth/sessions/{phone_row.id}/end").status_code == 302
    assert not signed_in(phone) and signed_in(laptop)


def test_nobody_ends_another_users_session(app, make_user):
    staff, other = make_user("staff"), make_user("staff")
    (mine,) = browsers(app, staff, 1)
    (theirs,) = browsers(app, other, 1)
    their_row = db.session.scalars(select(UserSession).where(UserSession.user_id == other.id)).one()
    mine.post(f"/auth/sessions/{their_row.id}/end")
    assert signed_in(theirs)


def test_sign_out_everywhere_else_keeps_this_browser(app, make_user):
    staff = make_user("staff")
    here, *others = browsers(app, staff, 2)
    assert here.post("/auth/sessions/end-others").status_code == 302
    assert signed_in(here) and not any(signed_in(c) for c in others)


def test_a_new_password_ends_the_other_sessions(app, make_user):
    staff = make_user("staff")
    here, thief = browsers(app, staff, 2)
    data = {"name": "A", "locale": "es", "current_password": "Test-password-1"}
    data |= {"new_password": "Another-pass-2", "confirm": "Another-pass-2"}
    assert here.post("/auth/preferences", data=data).status_code == 302
    assert signed_in(here) and not signed_in(thief)


def test_an_admin_password_reset_or_deactivation_ends_every_session(app, client, make_user, login):
    staff, leaving = make_user("staff"), make_user("staff")
    (staff_browser,) = browsers(app, staff, 1)
    (leaving_browser,) = browsers(app, leaving, 1)
    login(make_user("admin"))
    form = {"password": "Brand-new-pass-3", "confirm": "Brand-new-pass-3"}
    assert client.post(f"/users/{staff.id}/password", data=form).status_code == 302
    assert client.post(f"/users/{leaving.id}/deactivate").status_code == 302
    assert not signed_in(staff_browser) and not signed_in(leaving_browser)


def test_sign_out_ends_the_record(client, make_user, login):
    login(make_user("staff"))
    client.post("/auth/logout")
    assert db.session.scalars(select(UserSession)).one().ended_at is not None


def test_idle_and_absolute_lifetimes(app, make_user):
    staff = make_user("staff")
    idle, old = browsers(app, staff, 2)
    rows = db.session.scalars(select(UserSession).order_by(UserSession.id)).all()
    minutes, hours = app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_ABSOLUTE_HOURS"]
    long_ago = utcnow() - timedelta(minutes=minutes + 1)
    db.session.execute(update(UserSession).where(UserSession.id == rows[0].id).values(last_seen_at=long_ago))
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == rows[1].id)
        .values(created_at=utcnow() - timedelta(hours=hours, minutes=1))
    )
    db.session.commit()
    assert not signed_in(idle) and not signed_in(old)


def test_use_keeps_a_session_alive(app, make_user):
    staff = make_user("staff")
    (client,) = browsers(app, staff, 1)
    almost = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    db.session.execute(update(UserSession).values(last_seen_at=almost))
    db.session.commit()
    assert signed_in(client)
    db.session.expire_all()
    assert db.session.scalars(select(UserSession)).one().last_seen_at.replace(tzinfo=None) > almost.replace(
        tzinfo=None
    )


def test_a_deactivated_account_is_refused_even_with_a_live_record(app, make_user):
    staff = make_user("staff")
    (client,) = browsers(app, staff, 1)
    db.session.execute(update(User).where(User.id == staff.id).values(active=False))
    db.session.commit()
    assert not signed_in(client)


def test_an_impossible_session_id_ends_nothing(app, make_user):
    staff = make_user("staff")
    (client,) = browsers(app, staff, 1)
    assert client.post(f"/auth/sessions/{2**40}/end").status_code == 302
    assert signed_in(client)
