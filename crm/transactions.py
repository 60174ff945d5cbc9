"""The one transaction boundary of a request: commit once after the view, roll back on any error.

Views and services never commit: services flush, views return a response, and this class commits when the
response is a success or a redirect (status below 400). An error answer (a form shown again with its
errors, a refusal) rolls everything back, nothing half-done is ever stored, except the rows a service
marked with `keep_after_rollback` (the record of who read confidential data). A failure of the commit
itself (a version clash, a constraint) reaches the error handlers like any other exception.
Jobs have their own boundary (crm.jobs); CLI commands commit at their end.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, has_request_context
from flask.typing import ResponseReturnValue

from crm.extensions import db


class TransactionalFlask(Flask):
    """Flask with the request's unit of work closed right after the view."""

    def dispatch_request(self) -> ResponseReturnValue:
        """Run the view, then commit its work if it succeeded, else roll it back."""
        response = self.make_response(super().dispatch_request())
        end_transaction(response.status_code < 400)
        return response


def end_transaction(succeeded: bool) -> None:
    """Commit the session's work, or roll it back keeping only the rows that must survive."""
    if succeeded:
        db.session.commit()
        return
    if rollback_keeping():
        db.session.commit()


def rollback_keeping() -> bool:
    """Roll back the request's work but add again the rows it must keep; return whether there were any."""
    db.session.rollback()
    kept = g.get("kept_rows", []) if has_request_context() else []
    db.session.add_all(model(**values) for model, values in kept)
    return bool(kept)


def keep_after_rollback(model: Any, values: dict[str, Any]) -> None:
    """Store this row even if the request fails (the trail of confidential reads must be complete)."""
    if has_request_context():
        g.setdefault("kept_rows", []).append((model, values))
