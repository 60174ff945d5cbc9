"""A database that does not answer: 503 with Retry-After in the user's language, never a 500."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from flask import Flask

from crm import create_app
from crm.extensions import db, limiter
from tests.common_support import sign_in


def closed_port() -> int:
    """Return a local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cut_off(app: Flask) -> Iterator[Flask]:
    """The app with its database unreachable (a PostgreSQL address where no server listens)."""
    saved = dict(limiter.__dict__)  # one Limiter serves every app of the process: restore the suite's own
    saved["_storage_options"] = dict(limiter._storage_options)
    url = f"postgresql://crm@127.0.0.1:{closed_port()}/crm"
    broken = create_app("testing", SQLALCHEMY_DATABASE_URI=url, REDIS_URL=app.config["REDIS_URL"])
    broken.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an unexpected error would be a 500
    try:
        yield broken
    finally:
        limiter.__dict__.clear()
        limiter.__dict__.update(saved)
        with broken.app_context():
            db.engine.dispose()


def test_a_signed_in_user_gets_a_503_in_their_language_with_retry_after(client, make_user, cut_off):
    user = make_user("staff", locale="es")
    assert sign_in(client, user).status_code == 302
    browser = cut_off.test_client()
    browser.set_cookie("session", client.get_cookie("session").value)
    for path in ("/", "/organisations/", "/auth/preferences"):
        response = browser.get(path, headers={"Accept-Language": "en"})  # the cookie's language wins
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "10"
        assert "La base de datos no responde por un momento" in response.get_data(as_text=True)
    posted = browser.post("/auth/preferences", data={"name": "Ana", "locale": "es"})
    assert posted.status_code == 503


def test_anonymous_pages_and_scripts_get_a_503_too(cut_off):
    browser = cut_off.test_client()
    page = browser.post(
        "/auth/login", data={"email": "a@b.pe", "password": "x"}, headers={"Accept-Language": "en"}
    )
    assert page.status_code == 503 and "The database is not answering for a moment" in page.get_data(
        as_text=True
    )
    form = {"email": "a@b.pe", "password": "x"}
    script = browser.post(
        "/auth/login", data=form, headers={"Accept": "application/json", "Accept-Language": "en"}
    )
    assert script.status_code == 503 and script.content_type == "application/problem+json"
    assert (
        script.get_json()["status"] == 503 and int(script.headers["Retry-After"]) > 0
    )  # the limiter may say more
    assert "The database is not answering" in script.get_json()["detail"]
