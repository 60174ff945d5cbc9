"""Security defaults: headers, cookies, CSRF on every POST, no 500 on odd URLs."""

from __future__ import annotations

import re

import pytest

from crm import create_app
from crm.extensions import db
from crm.models import User


def test_security_headers_on_pages(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_over_https(client):
    response = client.get("/auth/login", base_url="https://crm.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_have_no_inline_script_or_external_assets(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "http://" not in html and "https://" not in html


def test_session_cookie_is_httponly_and_samesite(client, make_user, login):
    login(make_user("staff"))
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


@pytest.fixture
def csrf_client(app):
    """A client of an app with CSRF protection on, sharing the test database."""
    guarded = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        WTF_CSRF_ENABLED=True,
    )
    return guarded.test_client()


def test_post_without_csrf_token_is_rejected(csrf_client, make_user):
    user = make_user("staff")
    response = csrf_client.post("/auth/login", data={"email": user.email, "password": "Test-password-1"})
    assert response.status_code == 400
    assert "formulario" in response.get_data(as_text=True)
    assert db.session.get(User, user.id).last_login_at is None


def test_post_with_csrf_token_is_accepted(csrf_client, make_user):
    user = make_user("staff")
    page = csrf_client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post(
        "/auth/login", data={"email": user.email, "password": "Test-password-1", "csrf_token": token}
    )
    assert response.status_code == 302


def test_unknown_url_gives_a_friendly_404(client, make_user, login):
    login(make_user("staff"))
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "no existe" in response.get_data(as_text=True)


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
