"""The schema of the API's error answers (application/problem+json, RFC 9457)."""

from __future__ import annotations

import marshmallow as ma


class ProblemSchema(ma.Schema):
    """An error answer: application/problem+json."""

    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    field = ma.fields.String(allow_none=True)
    problems = ma.fields.Dict(allow_none=True)
    errors = ma.fields.Dict()
    by = ma.fields.String(allow_none=True)
