"""Helpers several test folders share: valid RUCs and response text (tests/ is on sys.path)."""

from __future__ import annotations

from crm.ruc import make_ruc


def ruc(n: int) -> str:
    """Return a valid company RUC (prefix 20) built from a number."""
    return make_ruc("20", f"{n:08d}")


def text(response) -> str:
    """Return a response body as text."""
    return response.get_data(as_text=True)


def totp_code(user_id: int) -> str:
    """Return a code the app accepts now for the user, as if the authenticator had moved to a fresh step.

    The app accepts each 30-second step once (no replay). A test that signs the same user in again within
    the step forgets the used step instead of sleeping until the next one (twenty sign-ins of one user
    would otherwise wait ten minutes); the replay refusal itself is tested with one code used twice.
    """
    import time

    import pyotp
    from sqlalchemy import text as sql

    from crm.crypto import decrypt
    from crm.extensions import db

    with db.engine.begin() as conn:
        query = sql("SELECT totp_secret_encrypted, totp_last_step FROM users WHERE id = :id")
        sealed, last = conn.execute(query, {"id": user_id}).one()
        secret = decrypt(sealed)
        now = int(time.time()) // 30
        if last is not None and last >= now:
            conn.execute(sql("UPDATE users SET totp_last_step = NULL WHERE id = :id"), {"id": user_id})
    return pyotp.TOTP(secret).at(now * 30)


def sign_in(client, user, password: str = "Test-password-1", email: str | None = None, **options):  # noqa: S107
    """Sign in through the real forms: the password, then the authenticator's code if asked for."""
    data = {"email": email or user.email, "password": password}
    response = client.post("/auth/login", data=data, **options)
    if response.status_code == 302 and response.headers["Location"] == "/auth/two-factor":
        response = client.post("/auth/two-factor", data={"code": totp_code(user.id)})
    return response


def user_id_of(email: str) -> int:
    """Return the id of the account with this e-mail (for helpers that only know the address)."""
    from sqlalchemy import text as sql

    from crm.extensions import db

    with db.engine.connect() as conn:
        query = sql("SELECT id FROM users WHERE lower(email) = lower(:e)")
        return conn.execute(query, {"e": email}).scalar_one()


def enrol(client, user_id: int):
    """Finish a forced enrolment through the real setup page; return its answer (the recovery codes)."""
    assert client.get("/auth/two-factor/setup").status_code == 200  # draws a new secret
    return client.post("/auth/two-factor/setup", data={"code": totp_code(user_id)})
