"""Two-step sign-in: forced enrolment, codes used once, recovery codes, throttling, turning off, reset."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from crm.extensions import db
from crm.models import ChangeLog, RecoveryCode, User, UserSession
from tests.common_support import enrol, sign_in, text, totp_code
from tests.conftest import FreshContextClient

PASSWORD = "Test-password-1"


def password_step(client, user):
    """Post only the password form."""
    return client.post("/auth/login", data={"email": user.email, "password": PASSWORD})


def reload(user: User) -> User:
    """Read the user again from the database."""
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_a_technical_role_without_a_factor_must_enrol_before_anything_else(client, make_user):
    staff = make_user("staff", two_factor=False)
    response = password_step(client, staff)
    assert response.headers["Location"] == "/auth/two-factor/setup"
    assert client.get("/").status_code == 302  # not signed in yet: every page sends to sign-in
    assert client.get("/organisations/").headers["Location"].startswith("/auth/login")
    page = client.get("/auth/two-factor/setup")
    assert page.status_code == 200 and "<svg" in text(page)
    secret = reload(staff).totp_secret
    assert secret in text(page)  # the key for those who cannot scan
    wrong = client.post("/auth/two-factor/setup", data={"code": "123456"})
    assert wrong.status_code == 400 and reload(staff).totp_enabled_at is None
    done = enrol(client, staff.id)
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", text(done))
    assert done.status_code == 200 and len(codes) == 10
    assert client.get("/").status_code == 200
    assert db.session.scalars(select(UserSession)).one().second_factor is True
    stored = {row.code_hash for row in db.session.scalars(select(RecoveryCode))}
    assert len(stored) == 10 and not any(
        code.replace("-", "") in hashes for code in codes for hashes in stored
    )


def test_an_enrolled_user_needs_the_code_and_a_code_works_once(app, client, make_user):
    staff = make_user("staff")
    assert password_step(client, staff).headers["Location"] == "/auth/two-factor"
    assert client.get("/").status_code == 302
    assert client.post("/auth/two-factor", data={"code": "000000"}).status_code == 400
    code = totp_code(staff.id)
    assert client.post("/auth/two-factor", data={"code": code}).status_code == 302
    assert client.get("/").status_code == 200
    thief = FreshContextClient(app, app.response_class)
    assert password_step(thief, staff).status_code == 302
    replay = thief.post("/auth/two-factor", data={"code": code})
    assert replay.status_code == 400 and "Código incorrecto o ya usado." in text(replay)
    assert thief.get("/").status_code == 302


def test_the_code_step_is_reachable_only_after_the_password(client, make_user):
    staff = make_user("staff")
    secret = staff.totp_secret
    response = client.post("/auth/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/").status_code == 302


def test_a_recovery_code_signs_in_once(app, client, make_user):
    staff = make_user("staff", two_factor=False)
    password_step(client, staff)
    codes = re.findall(r"<code>([a-z2-9-]{11})</code>", text(enrol(client, staff.id)))
    for attempt, expected in ((codes[0].upper(), 302), (codes[0], 400)):
        other = FreshContextClient(app, app.response_class)
        password_step(other, staff)
        assert other.post("/auth/two-factor", data={"code": attempt}).status_code == expected
    assert db.session.scalar(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))) is not None


def test_guessing_codes_is_throttled(app, client, make_user):
    staff = make_user("staff")
    password_step(client, staff)
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        for _ in range(3):
            assert client.post("/auth/two-factor", data={"code": "000000"}).status_code == 400
        response = client.post("/auth/two-factor", data={"code": totp_code(staff.id)})
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert response.status_code == 429 and "Demasiados intentos" in text(response)
    assert client.get("/").status_code == 302


def test_optional_roles_sign_in_without_a_factor_and_may_turn_it_on_and_off(client, make_user, login):
    viewer = login(make_user("viewer", two_factor=False))
    page = text(client.get("/auth/preferences"))
    assert "Activar el inicio de sesión en dos pasos" in page
    assert enrol(client, viewer.id).status_code == 200 and reload(viewer).two_factor
    refused = client.post("/auth/two-factor/off", data={"off-password": "wrong"})
    assert refused.status_code == 302 and reload(viewer).two_factor
    client.post("/auth/two-factor/off", data={"off-password": PASSWORD})
    assert not reload(viewer).two_factor and reload(viewer).totp_secret is None
    assert db.session.scalar(select(RecoveryCode)) is None


def test_a_required_factor_cannot_be_turned_off(client, make_user, login):
    staff = login(make_user("staff"))
    assert client.post("/auth/two-factor/off", data={"off-password": PASSWORD}).status_code == 404
    assert reload(staff).two_factor


def test_new_recovery_codes_need_a_current_code(client, make_user, login):
    staff = login(make_user("staff"))
    refused = client.post("/auth/two-factor/recovery-codes", data={"codes-code": "000000"})
    assert refused.status_code == 302
    assert db.session.scalar(select(RecoveryCode)) is None
    made = client.post("/auth/two-factor/recovery-codes", data={"codes-code": totp_code(staff.id)})
    assert made.status_code == 200 and len(re.findall(r"<code>", text(made))) == 10


def test_an_admin_resets_a_lost_factor_which_signs_the_person_out(app, client, make_user, login):
    staff = make_user("staff")
    phone = FreshContextClient(app, app.response_class)
    assert sign_in(phone, staff).status_code == 302 and phone.get("/").status_code == 200
    admin = login(make_user("admin"))
    page = text(client.get(f"/users/{staff.id}/edit"))
    assert "Restablecer el inicio de sesión en dos pasos" in page
    assert client.post(f"/users/{staff.id}/two-factor/reset").status_code == 302
    assert not reload(staff).two_factor
    assert phone.get("/").status_code == 302  # the session ended with the factor
    entry = db.session.scalars(select(ChangeLog).where(ChangeLog.entity_type == "user")).one()
    assert (entry.user_id, entry.entity_id, entry.changes) == (
        admin.id,
        staff.id,
        {"two_factor": ["on", "reset"]},
    )
    assert password_step(phone, staff).headers["Location"] == "/auth/two-factor/setup"


def test_a_promotion_to_a_role_that_needs_the_factor_ends_a_session_without_it(app, client, make_user, login):
    viewer = login(make_user("viewer", two_factor=False))
    assert client.get("/").status_code == 200
    db.session.get(User, viewer.id).role = "staff"
    db.session.commit()
    assert client.get("/").status_code == 302
