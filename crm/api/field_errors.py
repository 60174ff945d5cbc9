"""The per-field messages of a refused request body or query, in the token user's language.

marshmallow writes its messages in English; each known one (and those of its validators, with their
figures) is given again through Flask-Babel. A message not known here is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _


def fixed() -> dict[str, str]:
    """Return the translation of each fixed marshmallow message."""
    return {
        "Missing data for required field.": _("This field is required."),
        "Field may not be null.": _("This field cannot be empty (null)."),
        "Unknown field.": _("This field is not accepted here."),
        "Not a valid integer.": _("Enter a whole number."),
        "Not a valid string.": _("Enter text."),
        "Not a valid boolean.": _("Enter true or false."),
        "Not a valid date.": _("Enter the date (YYYY-MM-DD)."),
        "Not a valid datetime.": _("Enter a date and time with its time zone."),
        "Not a valid email address.": _("Enter a valid e-mail address."),
        "Not a valid number.": _("Enter a number, e.g. 1500000.50."),
        "Not a valid list.": _("Enter a list."),
        "Invalid input type.": _("This value has the wrong type."),
        "String does not match expected pattern.": _("This value has characters that are not allowed here."),
        "Enter some text, not only spaces.": _("Enter some text, not only spaces."),
    }


PATTERNS: tuple[tuple[re.Pattern[str], Callable[..., str]], ...] = (
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$"), lambda m: _("Choose one of: %(choices)s.", **m)),
    (
        re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"),
        lambda m: _("Enter between %(min)s and %(max)s characters.", **m),
    ),
    (
        re.compile(r"^Longer than maximum length (?P<max>\d+)\.$"),
        lambda m: _("Enter at most %(max)s characters.", **m),
    ),
    (
        re.compile(r"^Shorter than minimum length (?P<min>\d+)\.$"),
        lambda m: _("Enter at least %(min)s characters.", **m),
    ),
    (
        re.compile(
            r"^Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\.$"
        ),
        lambda m: _("Enter a value from %(min)s to %(max)s.", **m),
    ),
)


def message(text: str) -> str:
    """Return one message in the user's language (unknown ones unchanged)."""
    known = fixed().get(text)
    if known is not None:
        return known
    for pattern, translate in PATTERNS:
        found = pattern.match(text)
        if found:
            return translate(found.groupdict())
    return text


def translated(messages: Any) -> Any:
    """Return the nested messages (by location, field, index) in the user's language."""
    if isinstance(messages, str):
        return message(messages)
    if isinstance(messages, dict):
        return {key: translated(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [translated(value) for value in messages]
    return messages
