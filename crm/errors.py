"""Error pages in the user's language; no stack traces for users."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from crm.extensions import db


def messages() -> dict[int, str]:
    """Return the friendly message for each status code."""
    return {
        400: _("The request could not be understood. Please check the form and try again."),
        403: _("You are not allowed to do that."),
        404: _("The page or record you asked for does not exist."),
        405: _("That action is not available here."),
        413: _("The file is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. The team has been notified."),
    }


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    """Render the shared error page."""
    text = message or messages().get(code, messages()[500])
    return render_template("errors/error.html", code=code, message=text), code


def handle_http(exc: HTTPException) -> tuple[str, int]:
    """Render any HTTP error with a translated message."""
    return render_error(exc.code or 500)


def handle_csrf(_exc: CSRFError) -> tuple[str, int]:
    """Explain an expired or missing form token."""
    text = _("The form expired or was not sent from this site. Reload the page and try again.")
    return render_error(400, text)


def handle_rate_limit(_exc: Exception) -> tuple[str, int]:
    """Tell the user they are locked out for a while."""
    return render_error(429, _("Too many sign-in attempts. Wait a minute before trying again."))


def handle_unexpected(exc: Exception) -> tuple[str, int]:
    """Log, roll back and show a plain error page."""
    from flask import current_app

    db.session.rollback()
    current_app.logger.exception("unhandled error: %s", exc)
    return render_error(500)


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(429, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http)
    if not app.debug and not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
