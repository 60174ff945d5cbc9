"""Forms of the metrics page."""

from __future__ import annotations

from flask_wtf import FlaskForm


class RunForm(FlaskForm):
    """The 'compute now' button: no fields, only the CSRF token."""
