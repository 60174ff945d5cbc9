"""The API's blueprint: flask-smorest builds the OpenAPI 3.1 document from the marshmallow schemas.

Only `Authorization: Bearer <token>` authenticates here; a session cookie is ignored, so the API needs no
CSRF token and a page's cookie can never drive it. Errors are problem documents in the token user's
language, and each token has its own rate limit.
"""

from __future__ import annotations

import http

from flask import Flask, current_app, request
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response

from crm.api.paging import Money
from crm.api.problems import ProblemSchema
from crm.extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="PMU CRM JSON API")

API_SETTINGS = {
    "API_TITLE": "PMU CRM API",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.1.0",
    "API_RATE_LIMIT": "600 per minute",
}
PROBLEM = "application/problem+json"
SECURITY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer", "description": "A personal access token."}}


class CrmApi(Api):
    """flask-smorest's Api with problem documents as errors, and without its app-wide error handler."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Leave the application's error handlers alone (the API's own are in crm.api.errors)."""

    def _register_responses(self) -> None:
        """Document every error answer as application/problem+json."""
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem document", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def rate_limit() -> str:
    """Return the per-token request limit."""
    return current_app.config["API_RATE_LIMIT"]


def token_key() -> str:
    """Count requests per token (per address for requests without one)."""
    from crm.api.tokens import bearer_secret, digest

    secret = bearer_secret(request.headers.get("Authorization"))
    return "api-token:" + digest(secret)[:24] if secret else "api-anon:" + (request.remote_addr or "")


def register(app: Flask) -> None:
    """Build the OpenAPI document for this app and register the API."""
    from crm.api import (  # noqa: F401  (the modules attach their routes)
        auth,
        docs,
        errors,
        views_activity,
        views_consultants,
        views_contact_writes,
        views_events,
        views_letters,
        views_memberships,
        views_orgs,
        views_pipeline,
        views_reports,
    )

    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    kwargs = {"components": {"securitySchemes": SECURITY_SCHEMES}, "security": [{"bearer": []}]}
    api = CrmApi(app, spec_kwargs=kwargs)
    api.register_field(Money, "string", "decimal")
    api.register_blueprint(bp)
    app.extensions["crm_api"] = api


csrf.exempt(bp)  # no cookie authenticates the API, so no form token is needed
limiter.limit(rate_limit, key_func=token_key)(bp)
