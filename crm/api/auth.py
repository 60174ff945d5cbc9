"""Who calls the API: the user of a valid bearer token, never the session cookie."""

from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import abort

from crm.api import tokens
from crm.api.blueprint import bp

PUBLIC = {"api.openapi_json", "api.docs"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def unauthorised() -> None:
    """Refuse a request without a usable token (401 with the scheme to use)."""
    abort(401, headers={"WWW-Authenticate": 'Bearer realm="api"'})


@bp.before_request
def authenticate_request() -> None:
    """Act as the token's user for this request; ignore any session cookie."""
    g._login_user = current_app.login_manager.anonymous_user()  # what Flask-Login's current_user reads
    if request.endpoint in PUBLIC:
        return
    token = tokens.authenticate(tokens.bearer_secret(request.headers.get("Authorization")))
    if token is None:
        unauthorised()
    g._login_user = token.user
    g.api_token = token
    if token.read_only and request.method not in SAFE_METHODS:
        abort(403)
