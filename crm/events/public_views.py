"""The public registration page of an event: no sign-in, Spanish or English, protected against robots.

Robots meet a honeypot field (a filled one is answered like a success and stores nothing) and a rate
limit per address (REGISTRATION_RATE_LIMIT; the page answers 429 beyond it). No external CAPTCHA.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, request

from crm.errors import discard_work
from crm.events import registration
from crm.events.blueprint import public_bp
from crm.events.invite_forms import RegistrationForm
from crm.extensions import limiter
from crm.models import Contact, Event


def registration_limit() -> str:
    """Return the rate limit of the public registration page."""
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def prefill(form: RegistrationForm, contact: Contact) -> None:
    """Fill the form from the invited contact (on first display only)."""
    form.first_name.data, form.last_name.data = contact.first_name, contact.last_name
    form.email.data, form.position.data = contact.email, contact.position
    form.organisation_name.data = contact.organisation.legal_name if contact.organisation else None
    form.gender.data = contact.gender


def page(event: Event, form: RegistrationForm, invited: Contact | None, status: int = 200):
    """Render the registration form."""
    html = render_template(
        "events/register.html", event=event, form=form, invited=invited, open=registration.is_open(event)
    )
    return html, status


def done(event: Event, created: bool):
    """Render the thank-you page (the same for robots, who learn nothing)."""
    return render_template("events/registered.html", event=event, created=created)


def event_or_404(token: str) -> Event:
    """Return the event of a public address, or answer 404."""
    event = registration.event_of(token)
    if event is None:
        abort(404)
    return event


@public_bp.route("/<token>", methods=["GET", "POST"])
@limiter.limit(registration_limit, methods=["POST"])
def register(token: str):
    """Show the registration form, or register the person (once) and confirm by e-mail."""
    event = event_or_404(token)
    form = RegistrationForm()
    invited = registration.invited_contact(event, request.values.get("i"))
    if request.method == "GET":
        form.i.data = request.args.get("i")
        if invited is not None:
            prefill(form, invited)
        return page(event, form, invited)
    if not registration.is_open(event):
        return page(event, form, invited, 409)
    if not form.validate_on_submit():
        return page(event, form, invited, 400)
    if form.is_bot():
        discard_work()
        return done(event, True)
    _registration, created = registration.register(event, form.registrant(), invited)
    return done(event, created)
