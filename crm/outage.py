"""While the database cannot be reached: a 503 in the user's language with Retry-After, never a 500.

The answer must not need the database: the signed-in user is not loaded (the page is drawn for an
anonymous visitor) and the language comes from the session cookie (set at sign-in and when the
preferences change) or the browser. The pool drops dead connections (pool_pre_ping), so the app serves
again by itself as soon as the database answers.
"""

from __future__ import annotations

from flask import Flask, current_app, g, make_response, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError

from crm.extensions import db

RETRY_AFTER_SECONDS = 10


def language() -> str:
    """Return the language to answer in without asking the database."""
    languages = current_app.config["LANGUAGES"]
    kept = session.get("locale")
    return kept if kept in languages else request.accept_languages.best_match(languages) or languages[0]


def forget_work() -> None:
    """Drop the request's session and its connection (rolling back on a dead connection may fail too)."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; removing the session is all that is left
        current_app.logger.debug("rollback on a lost connection failed", exc_info=True)
    db.session.remove()


def handle_database_down(exc: Exception):
    """Answer 503 with Retry-After, as a page or a problem document."""
    from crm.errors import json_error, render_error, wants_json

    current_app.logger.error("database unreachable: %s", str(exc).splitlines()[0][:300])
    forget_work()
    g._login_user = current_app.login_manager.anonymous_user()  # what current_user reads: no user loading
    with force_locale(language()):
        message = _(
            "The database is not answering for a moment; nothing was changed. Try again in a few seconds."
        )
        response = make_response(json_error(503, message) if wants_json() else render_error(503, message))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def remember_language(locale: str) -> None:
    """Keep the user's language in the session cookie, for pages drawn without the database."""
    session["locale"] = locale


def init_app(app: Flask) -> None:
    """Answer lost database connections with 503."""
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(InterfaceError, handle_database_down)
