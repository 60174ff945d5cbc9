"""Problem documents (RFC 9457) for every refusal of the API, in the token user's language."""

from __future__ import annotations

from werkzeug.exceptions import HTTPException

from crm.api.blueprint import bp
from crm.api.field_errors import translated
from crm.errors import json_error, messages


def problem(code: int, detail: str | None = None, **extra):
    """Answer with a problem document whose title is the status's message in the user's language."""
    text = detail or messages().get(code) or messages()[400 if code < 500 else 500]
    return json_error(code, text, **extra)


@bp.errorhandler(HTTPException)
def http_problem(exc: HTTPException):
    """Turn aborts, refusals and invalid arguments into problem documents."""
    data = getattr(exc, "data", None) or {}
    extra = {"errors": translated(data["messages"])} if "messages" in data else {}
    detail = data.get("message") if isinstance(data.get("message"), str) else None
    response = problem(exc.code or 500, detail, **extra)
    for key, value in (data.get("headers") or {}).items():
        response.headers[key] = value
    return response


@bp.errorhandler(429)
def too_many(_exc: HTTPException):
    """Tell the script it exceeded its token's rate limit."""
    return problem(429)
