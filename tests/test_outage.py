"""A database that does not answer: 503 with Retry-After in the user's language, never a 500."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pyotp
import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from crm import create_app
from crm.extensions import db, limiter
from crm.models import utcnow
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


# --- a private PostgreSQL server that the test stops and starts (never the suite's shared one) -----------


def run_as_postgres(command: list[str]) -> None:
    """Run a server program (they refuse to run as root) and fail with its output."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def private_postgres(tmp_path_factory) -> Iterator[SimpleNamespace]:
    """Start a PostgreSQL server of the test's own in a temporary folder, on a free port."""
    if not os.environ.get("REQUIRE_POSTGRES"):
        pytest.skip("the private PostgreSQL server runs with REQUIRE_POSTGRES=1")
    binaries = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
    data = Path(tempfile.mkdtemp(prefix="crm-outage-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    run_as_postgres(
        [str(binaries / "initdb"), "-D", str(data / "db"), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
    )
    port = closed_port()
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    ctl = [str(binaries / "pg_ctl"), "-D", str(data / "db"), "-l", str(data / "server.log"), "-w"]
    server = SimpleNamespace(
        url=f"postgresql://postgres@127.0.0.1:{port}/postgres",
        start=lambda: run_as_postgres([*ctl, "-o", options, "start"]),
        stop=lambda: run_as_postgres([*ctl, "-m", "fast", "stop"]),
    )
    server.start()
    try:
        yield server
    finally:
        stop = [*ctl, "-m", "immediate", "stop"]
        subprocess.run(["runuser", "-u", "postgres", "--", *stop] if os.geteuid() == 0 else stop, check=False)  # noqa: S603, S607
        shutil.rmtree(data, ignore_errors=True)


def test_a_restart_of_postgresql_answers_503_then_serves_again_and_keeps_every_acknowledged_write(
    app, private_postgres
):
    from flask_migrate import upgrade

    from crm.models import User
    from tests.conftest import FreshContextClient

    saved = dict(limiter.__dict__)
    saved["_storage_options"] = dict(limiter._storage_options)
    private = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=private_postgres.url, REDIS_URL=app.config["REDIS_URL"]
    )
    private.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        with private.app_context():
            upgrade()
            user = User(email="ana@pmu.pe", name="Ana", role="staff", locale="es", active=True)
            user.set_password("Test-password-1")
            user.totp_secret, user.totp_enabled_at = pyotp.random_base32(), utcnow()
            db.session.add(user)
            db.session.commit()
            user_id = user.id
            browser = FreshContextClient(private, private.response_class)
            assert sign_in(browser, user).status_code == 302
            acknowledged, statuses = [], []
            for n in range(3):
                if (
                    browser.post("/auth/preferences", data={"name": f"Ana {n}", "locale": "es"}).status_code
                    == 302
                ):
                    acknowledged.append(f"Ana {n}")
            private_postgres.stop()
            for n in range(3, 6):
                response = browser.post("/auth/preferences", data={"name": f"Ana {n}", "locale": "es"})
                statuses.append(response.status_code)
                if response.status_code == 302:
                    acknowledged.append(f"Ana {n}")
            statuses.append(browser.get("/").status_code)
            assert set(statuses) == {503}, statuses
            private_postgres.start()
            started = time.monotonic()
            while browser.get("/").status_code != 200:
                assert time.monotonic() - started < 10, "the app did not serve again by itself"
                time.sleep(0.2)
            print(f"served again {time.monotonic() - started:.2f} s after the server came back")
            assert (
                browser.post("/auth/preferences", data={"name": "Ana 9", "locale": "es"}).status_code == 302
            )
            acknowledged.append("Ana 9")
            with contextlib.suppress(OperationalError):  # the test's own connection died with the server
                db.session.remove()
            db.session.remove()
            db.engine.dispose()
            assert db.session.get(User, user_id).name == acknowledged[-1]
            db.engine.dispose()
    finally:
        limiter.__dict__.clear()
        limiter.__dict__.update(saved)
