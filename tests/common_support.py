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
    """Return a code the app accepts now for the user: this step's, or the next one's if it was used.

    The app accepts each step once (no replay), so a user signing in twice within 30 s uses the next step,
    and a third time waits for the step to come round.
    """
    import time

    import pyotp
    from sqlalchemy import text as sql

    from crm.extensions import db

    with db.engine.connect() as conn:
        query = sql("SELECT totp_secret, totp_last_step FROM users WHERE id = :id")
        secret, last = conn.execute(query, {"id": user_id}).one()
    now = int(time.time()) // 30
    step = max(now, (last or 0) + 1)
    if step > now + 1:
        time.sleep(max(0.0, (step - 1) * 30 - time.time()) + 0.05)
    return pyotp.TOTP(secret).at(step * 30)


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
