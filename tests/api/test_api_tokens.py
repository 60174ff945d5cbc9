"""Personal access tokens: created on the preferences page and shown once, stored hashed, revoked,
expiring, read-only; only the bearer header authenticates the API, never the session cookie."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from crm.api import tokens
from crm.extensions import db
from crm.models import ApiToken, utcnow


def form_token(page) -> str:
    """Return the page's CSRF token (empty where the test configuration turns CSRF off)."""
    found = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data)
    return found.group(1).decode() if found else ""


def test_created_on_the_preferences_page_shown_once_and_stored_hashed(client, login, en_user):
    user = login(en_user("viewer"))
    page = client.get("/auth/preferences")
    assert b"api-tokens" in page.data
    csrf = form_token(page)
    answer = client.post(
        "/auth/preferences/tokens", data={"csrf_token": csrf, "token_name": "Power BI", "days": "30"}
    )
    secret = re.search(rb"crm_[A-Za-z0-9_-]{40,}", answer.data).group(0).decode()
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.secret_sha256 == tokens.digest(secret) and secret not in (token.prefix, token.secret_sha256)
    assert token.expires_at is not None and not token.read_only
    assert secret.encode() not in client.get("/auth/preferences").data  # never shown again
    client.post("/auth/logout", data={"csrf_token": csrf})
    listed = client.get("/api/v1/organisations", headers={"Authorization": f"Bearer {secret}"})
    assert listed.status_code == 200
    assert db.session.get(ApiToken, token.id).last_used_at is not None


def test_revoked_expired_and_unknown_tokens_are_refused(client, en_user, bearer):
    user = en_user("staff")
    headers = bearer(user)
    assert client.get("/api/v1/organisations", headers=headers).status_code == 200
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = client.get("/api/v1/organisations", headers=headers)
    assert expired.status_code == 401 and expired.content_type == "application/problem+json"
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")
    token.expires_at = None
    tokens.revoke_token(user, token.id)
    db.session.commit()
    assert client.get("/api/v1/organisations", headers=headers).status_code == 401
    wrong = {"Authorization": "Bearer crm_" + "x" * 43}
    assert client.get("/api/v1/organisations", headers=wrong).status_code == 401


def test_revoking_on_the_page_only_the_users_own(client, login, en_user, bearer):
    other = en_user("staff")
    bearer(other)
    theirs = db.session.scalars(select(ApiToken)).one()
    login(en_user("staff"))
    page = client.get("/auth/preferences")
    csrf = form_token(page)
    client.post(f"/auth/preferences/tokens/{theirs.id}/revoke", data={"csrf_token": csrf})
    assert db.session.get(ApiToken, theirs.id).revoked_at is None


def test_session_cookie_does_not_authenticate_the_api(client, login, en_user):
    login(en_user("admin"))
    assert client.get("/organisations/").status_code == 200
    answer = client.get("/api/v1/organisations")
    assert answer.status_code == 401
    posted = client.post("/api/v1/organisations", json={"kind": "company", "legal_name": "Por cookie SAC"})
    assert posted.status_code == 401


def test_read_only_token_reads_but_never_writes(client, en_user, bearer):
    headers = bearer(en_user("staff"), read_only=True)
    assert client.get("/api/v1/organisations", headers=headers).status_code == 200
    answer = client.post(
        "/api/v1/organisations", headers=headers, json={"kind": "company", "legal_name": "X"}
    )
    assert answer.status_code == 403 and answer.content_type == "application/problem+json"


def test_writes_need_no_csrf_token_with_a_bearer(client, en_user, bearer):
    headers = bearer(en_user("staff"))
    answer = client.post(
        "/api/v1/organisations", headers=headers, json={"kind": "company", "legal_name": "Nueva SAC"}
    )
    assert answer.status_code == 201, answer.data
    assert answer.get_json()["legal_name"] == "Nueva SAC" and answer.headers["ETag"] == '"1"'


def test_each_token_has_its_own_rate_limit(app, client, en_user, bearer):
    first, second = bearer(en_user("viewer")), bearer(en_user("viewer"))
    app.config["API_RATE_LIMIT"] = "2 per minute"
    try:
        codes = [client.get("/api/v1/events", headers=first).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert client.get("/api/v1/events", headers=second).status_code == 200
        limited = client.get("/api/v1/events", headers=first)
        assert limited.content_type == "application/problem+json"
    finally:
        app.config["API_RATE_LIMIT"] = "600 per minute"
