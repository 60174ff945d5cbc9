"""The one error model: services raise a UserError or a StaleEditError; this module turns them into answers.

A service that refuses a request raises `UserError` (a message in the user's language, optionally the form
field it concerns, or one message per field). A service that finds the record saved by someone else since
the user loaded it raises `StaleEditError` (what changed and by whom). Nothing was written in either case: the
request's transaction is rolled back. A view may catch either to show it on its form (`form_error`);
whatever it does not catch becomes a 422 or 409 page, or a JSON answer for scripts and the API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from crm import outage
from crm.transactions import end_transaction, rollback_keeping


class UserError(ValueError):
    """A request the user can correct; nothing was saved."""

    status = 422

    def __init__(
        self,
        message: str | None = None,
        field: str | None = None,
        problems: Mapping[str, str] | None = None,
        **context: Any,
    ) -> None:
        self.problems = dict(problems or {})
        self.message = message or "; ".join(self.problems.values())
        super().__init__(self.message)
        self.field = field
        self.context = context  # what a view may offer next (e.g. the existing record a duplicate names)


class StaleEditError(Exception):
    """Someone saved the record after the user loaded it; nothing was saved."""

    status = 409

    def __init__(
        self, changes: Sequence[Any] = (), by: str | None = None, message: str | None = None
    ) -> None:
        super().__init__(message or "stale edit")
        self.changes = list(changes)
        self.by = by
        self.message = message


def stale_message(exc: StaleEditError) -> str:
    """Explain a stale edit in the user's language."""
    if exc.message:
        return exc.message
    if exc.by:
        return _("%(name)s saved this record after you opened it; nothing was saved.", name=exc.by)
    return _("Someone saved this record after you opened it; nothing was saved. Reload and try again.")


def wants_json() -> bool:
    """Return whether the caller (a script or the API) asked for JSON rather than a page."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def discard_work() -> None:
    """Throw away the request's unsaved work so that a page about the error can be rendered.

    The request would roll it back at its end anyway (crm.transactions); doing it now also clears a flush
    that failed, after which the session refuses to load anything the page needs. Rows that must survive
    (the trail of confidential reads) are kept.
    """
    rollback_keeping()


def form_error(form: Any, exc: UserError) -> None:
    """Show a user error on a WTForms form (on its fields where named, else above it); nothing is saved."""
    discard_work()
    problems = exc.problems or {exc.field or "": exc.message}
    for name, message in problems.items():
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def json_error(status: int, message: str, **extra: Any):
    """Answer a script with a problem document (RFC 9457)."""
    body = {"type": "about:blank", "status": status, "title": message, "detail": message, **extra}
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    return response


def handle_user_error(exc: UserError):
    """Answer a user error nobody showed on a form: 422 page or JSON."""
    end_transaction(False)
    if wants_json():
        return json_error(exc.status, exc.message, field=exc.field, problems=exc.problems or None)
    return render_error(exc.status, exc.message)


def handle_stale_data(_exc: StaleDataError):
    """Answer a version clash the ORM found at flush or commit like any stale edit."""
    return handle_stale_edit(StaleEditError())


def handle_stale_edit(exc: StaleEditError):
    """Answer a stale edit nobody showed on a form: 409 page or JSON."""
    end_transaction(False)
    if wants_json():
        return json_error(exc.status, stale_message(exc), by=exc.by)
    return render_error(exc.status, stale_message(exc))


def messages() -> dict[int, str]:
    """Return the friendly message for each status code."""
    return {
        400: _("The request could not be understood. Please check the form and try again."),
        403: _("You are not allowed to do that."),
        404: _("The page or record you asked for does not exist."),
        405: _("That action is not available here."),
        409: _("Someone saved this record after you opened it; nothing was saved. Reload and try again."),
        413: _("The file is too large."),
        422: _("The request could not be carried out. Please check what you entered."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. The team has been notified."),
    }


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    """Render the shared error page."""
    text = message or messages().get(code, messages()[500])
    return render_template("errors/error.html", code=code, message=text), code


def handle_http(exc: HTTPException):
    """Render any HTTP error with a translated message (a problem document under /api/)."""
    if request.path.startswith("/api/"):
        code = exc.code or 500
        return json_error(code, messages().get(code, messages()[500]))
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

    end_transaction(False)
    current_app.logger.exception("unhandled error: %s", exc)
    return render_error(500)


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(UserError, handle_user_error)
    app.register_error_handler(StaleEditError, handle_stale_edit)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(429, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http)
    outage.init_app(app)  # a lost database answers 503, in tests too
    if not app.debug and not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
