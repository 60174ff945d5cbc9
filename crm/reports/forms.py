"""Forms of the reports: freezing a reporting period and editing an indicator's target."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional, Regexp

MAX_TARGET = Decimal("999999999999.99")  # Numeric(14, 2)


def strip(value: Any) -> Any:
    """Trim surrounding spaces from text input."""
    return value.strip().upper() if isinstance(value, str) else value


class FreezeForm(FlaskForm):
    """Freeze the figures of a half-year reporting period."""

    period = StringField(
        _l("Reporting period"),
        filters=[strip],
        validators=[
            DataRequired(_l("Choose the period to freeze.")),
            Regexp(
                r"^\d{4}-S[12]$", message=_l("Write the period as YEAR-S1 or YEAR-S2, for example 2026-S1.")
            ),
        ],
    )


class TargetForm(FlaskForm):
    """Edit an indicator's target (blank: no target)."""

    target = DecimalField(
        _l("Target"),
        places=2,
        validators=[
            Optional(),
            NumberRange(
                min=0, max=MAX_TARGET, message=_l("Enter a number between 0 and 999,999,999,999.99.")
            ),
        ],
    )
