"""The steps of signing in: password, then (if enrolled or required) the second factor, then the session.

Between the steps the signed cookie remembers who passed the password, for a few minutes; nothing else is
reachable until the last step starts a recorded session (crm/auth/sessions.py).
"""

from __future__ import annotations

import time

from flask import current_app, redirect, session, url_for
from flask_login import login_user
from werkzeug.wrappers import Response

from crm import outage
from crm.auth import sessions, twofactor
from crm.auth.services import safe_next
from crm.extensions import db
from crm.models import User

PENDING_SECONDS = 600  # the second step must follow the password within this time


def login_limit() -> str:
    """Return the configured sign-in rate limit (the password and the code steps share it)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def failed_sign_in(response) -> bool:
    """Count only refused sign-ins, so that an office behind one address is not locked out by its own."""
    return response.status_code != 302


def after_password(user: User, remember: bool, target: str | None) -> Response:
    """Go on from a right password: to the code, to enrolment, or straight in."""
    if not (user.two_factor or twofactor.required(user)):
        return finish(user, remember, target, second_factor=False)
    session["signin"] = {
        "uid": user.id,
        "remember": bool(remember),
        "next": safe_next(target),
        "at": time.time(),
    }
    if user.two_factor:
        return redirect(url_for("auth.second_factor"))
    return redirect(url_for("auth.two_factor_setup"))


def pending_user() -> User | None:
    """Return the user who passed the password step recently, if any."""
    state = session.get("signin")
    if not isinstance(state, dict) or time.time() - float(state.get("at", 0)) > PENDING_SECONDS:
        return None
    user = db.session.get(User, int(state.get("uid", 0)))
    return user if user is not None and user.active else None


def pending_key() -> str:
    """Throttle the code step per account, whatever address the guesses come from."""
    state = session.get("signin")
    return "signin-code:" + str(state.get("uid") if isinstance(state, dict) else "")


def start_session(user: User, remember: bool, second_factor: bool) -> None:
    """Record the session and sign the browser in."""
    sessions.start(user, second_factor)
    login_user(user, remember=remember)
    session.pop("signin", None)
    outage.remember_language(user.locale)


def finish(user: User, remember: bool, target: str | None, second_factor: bool) -> Response:
    """Sign in and go where the user was heading."""
    start_session(user, remember, second_factor)
    return redirect(safe_next(target) or url_for("main.index"))


def finish_pending(user: User) -> Response:
    """Sign in the pending user after their second factor."""
    state = session.get("signin") or {}
    return finish(user, state.get("remember", False), state.get("next"), second_factor=True)


def pending_target() -> str:
    """Return where the pending sign-in was heading."""
    state = session.get("signin") or {}
    return safe_next(state.get("next")) or url_for("main.index")


def pending_remember() -> bool:
    """Return whether the pending sign-in asked to be kept."""
    return bool((session.get("signin") or {}).get("remember"))
