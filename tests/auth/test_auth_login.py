"""Sign-in: hashed passwords, throttling, safe redirects, deactivated accounts, preferences."""

from __future__ import annotations

import pytest

from crm.extensions import db
from crm.models import User
from tests.common_support import sign_in


def test_password_is_stored_hashed(make_user):
    user = make_user("staff", password="Secret-pass-99")
    assert "Secret-pass-99" not in user.password_hash
    assert user.check_password("Secret-pass-99")


def test_wrong_password_shows_spanish_message_and_stays_anonymous(client, make_user):
    user = make_user("staff")
    response = client.post("/auth/login", data={"email": user.email, "password": "nope"})
    assert response.status_code == 200
    assert "Correo o contraseña incorrectos." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_email_is_case_insensitive(client, make_user):
    user = make_user("staff", email="ana@example.pe")
    response = sign_in(client, user, email="ANA@example.pe")
    assert response.status_code == 302
    assert db.session.get(User, user.id).last_login_at is not None


def test_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user("staff", active=False)
    response = client.post("/auth/login", data={"email": user.email, "password": "Test-password-1"})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_next_parameter_cannot_redirect_off_site(client, make_user, target):
    user = make_user("staff")
    response = sign_in(client, user, query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_parameter_keeps_local_paths(client, make_user):
    user = make_user("staff")
    response = sign_in(client, user, query_string={"next": "/contacts/"})
    assert response.headers["Location"] == "/contacts/"


def test_login_is_throttled_with_a_clear_message(app, client, make_user):
    user = make_user("staff")
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        for _ in range(3):
            client.post("/auth/login", data={"email": user.email, "password": "wrong"})
        response = client.post("/auth/login", data={"email": user.email, "password": "Test-password-1"})
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert response.status_code == 429
    assert "Demasiados intentos" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_logout_requires_post(client, make_user, login):
    login(make_user("staff"))
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_preferences_switch_the_interface_to_english(client, make_user, login):
    user = login(make_user("staff"))
    response = client.post("/auth/preferences", data={"name": "Ana", "locale": "en"})
    assert response.status_code == 302
    assert db.session.get(User, user.id).locale == "en"
    assert "Sign out" in client.get("/").get_data(as_text=True)


def test_password_change_needs_the_current_password(client, make_user, login):
    user = login(make_user("staff"))
    data = {
        "name": "A",
        "locale": "es",
        "current_password": "bad",
        "new_password": "Another-pass-2",
        "confirm": "Another-pass-2",
    }
    assert client.post("/auth/preferences", data=data).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("Test-password-1")
    data["current_password"] = "Test-password-1"
    assert client.post("/auth/preferences", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("Another-pass-2")


def test_weak_new_password_is_refused(client, make_user, login):
    user = login(make_user("staff"))
    data = {
        "name": "A",
        "locale": "es",
        "current_password": "Test-password-1",
        "new_password": "short",
        "confirm": "short",
    }
    response = client.post("/auth/preferences", data=data)
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("Test-password-1")
