"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal as babel_format_decimal
from flask import Flask, request, url_for
from flask_babel import format_datetime, format_decimal, get_locale
from flask_login import current_user

from crm.labels import label
from crm.navigation import template_globals as navigation_globals
from crm.permissions import can


def fmt_date(value: date | datetime | None) -> str:
    """Format a date in the user's locale."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    return medium_date(value, str(get_locale()))


@lru_cache(maxsize=4096)
def medium_date(value: date, locale: str) -> str:
    """Format a calendar date in a locale, once per date and locale (a list repeats the same few dates)."""
    return babel_format_date(value, "medium", locale=locale)


def fmt_number(value: Any) -> str:
    """Format a number with the locale's separators."""
    if value is None:
        return ""
    if type(value) is int:  # counts repeat from cell to cell: formatted once per value and locale
        return locale_integer(value, str(get_locale()))
    return format_decimal(value)


@lru_cache(maxsize=4096)
def locale_integer(value: int, locale: str) -> str:
    """Format an integer in a locale, once per integer and locale."""
    return babel_format_decimal(value, locale=locale)


def url_with(**changes: Any) -> str:
    """Return the current URL with some query arguments replaced (pagination, sort)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        args.pop(key, None)
    # Route arguments win over query arguments of the same name (e.g. ?org_id= on /<org_id>).
    return url_for(request.endpoint, **{**args, **(request.view_args or {})})


def user_can(permission: str) -> bool:
    """Return whether the signed-in user has the permission."""
    return can(current_user, permission)


def per_request() -> dict[str, Any]:
    """Expose the request's language (es) and its regional tag (es-PE) to templates."""
    found = get_locale()
    return {"current_locale": found.language, "current_lang_tag": str(found).replace("_", "-")}


def init_app(app: Flask) -> None:
    """Register filters and the context processor."""
    app.jinja_env.filters["date"] = fmt_date
    app.jinja_env.filters["number"] = fmt_number
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # Globals (not a context processor) so that imported macros can use them too.
    app.jinja_env.globals.update(can=user_can, label=label, url_with=url_with)
    app.jinja_env.globals.update(navigation_globals())
    app.context_processor(per_request)
