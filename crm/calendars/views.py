"""The personal calendar feed (by secret URL, no sign-in), its preferences section, the event files."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.calendars import services
from crm.calendars.blueprint import bp
from crm.mailcapture.services import current_token, issue_token, revoke_token, user_of_token
from crm.models import Event
from crm.permissions import can, get_or_404, require

CALENDAR = "text/calendar; charset=utf-8"


def ics(body: bytes, filename: str) -> Response:
    """Answer a calendar file, never cached by a proxy."""
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = CALENDAR
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_context_processor
def feed_section() -> dict:
    """Give the preferences page its calendar section (the feed URL, read when shown)."""
    if not can(current_user, "calendar.feed"):
        return {}

    def url() -> str | None:
        token = current_token(current_user.id, "calendar")
        return url_for("calendars.feed", token=token, _external=True) if token else None

    return {"calendar_feed_url": url}


@bp.get("/feed/<token>.ics")
def feed(token: str):
    """Serve a user's feed to whoever holds the secret URL (calendar apps cannot sign in)."""
    user = user_of_token(token[:64], "calendar")
    if user is None or not can(user, "calendar.feed"):
        abort(404)
    return ics(services.feed(user), "crm.ics")


@bp.post("/feed")
@login_required
@require("calendar.feed")
def new_feed():
    """Give the user a new feed URL (the old one stops working)."""
    issue_token(current_user.id, "calendar")
    flash(_("Your calendar address is ready; a previous one no longer works."), "success")
    return redirect(url_for("auth.preferences", _anchor="calendar"))


@bp.post("/feed/revoke")
@login_required
@require("calendar.feed")
def revoke_feed():
    """Switch the user's feed off."""
    revoke_token(current_user.id, "calendar")
    flash(_("Your calendar address no longer works."), "success")
    return redirect(url_for("auth.preferences", _anchor="calendar"))


@bp.get("/events/<int:event_id>.ics")
@login_required
@require("event.view")
def event_file(event_id: int):
    """Download one event as an .ics file."""
    event = get_or_404(select(Event), event_id)
    return ics(services.event_calendar(event), f"evento-{event.id}.ics")
