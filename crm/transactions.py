"""The one transaction boundary of a request: commit once after the view, roll back on any error.

Views and services never commit: services flush, views return a response, and this class commits when the
response is a success or a redirect (status below 400). An exception, or an error answer (a form shown
again with its errors, a refusal), rolls everything back: nothing half-done is ever stored. A failure of
the commit itself (a version clash, a constraint) reaches the error handlers like any other exception.
Jobs have their own boundary (crm.jobs); CLI commands commit at their end.
"""

from __future__ import annotations

from flask import Flask
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
    """Commit the session's work, or roll it back."""
    if succeeded:
        db.session.commit()
    else:
        db.session.rollback()
