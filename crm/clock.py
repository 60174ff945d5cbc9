"""Dates in the project's time zone (America/Lima), not the server's."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def zone() -> ZoneInfo:
    """Return the configured time zone."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def now() -> datetime:
    """Return the aware current time in the project's time zone."""
    return datetime.now(zone())


def today() -> date:
    """Return today's date in the project's time zone."""
    return now().date()
