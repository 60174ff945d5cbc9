"""The e-mails of events to people outside the team: the invitation and the registration's confirmation.

Called by the delivery worker for outbox rows of kinds event_invitation and event_registration. Both are
written in the recipient's language (the one chosen when inviting, or the page's), dates by its locale.
An invitation carries the personal registration link and the withdrawal link (List-Unsubscribe); it is not
sent when the person withdrew or was erased since. The confirmation, asked for by the person, carries the
event as an .ics attachment.
"""

from __future__ import annotations

from email.message import EmailMessage as MimeMessage
from email.utils import parseaddr

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from icalendar import Event as VEvent

from crm.calendars.services import new_calendar, uid
from crm.compose.consent_links import refusal, withdrawal_url
from crm.compose.sending import envelope, with_withdrawal
from crm.events.registration import invitation_token
from crm.extensions import db
from crm.mail.links import absolute_url
from crm.mail.transport import Mailer, Outgoing, PermanentMailError
from crm.models import Contact, Event, OutboxMessage, utcnow
from crm.web import format_locale


def when_and_where(event: Event) -> str:
    """Return the event's date and place in the current language."""
    day = format_date(event.held_on, format="full")
    place = _("online") if event.online and not event.place else (event.place or "")
    return _("%(day)s, %(place)s", day=day, place=place)


def public_link(event: Event, token: str | None = None) -> str:
    """Return the event's registration page, personal when a token is given."""
    return absolute_url("events_public.register", token=event.public_token, i=token)


def invitation_text(event: Event, contact: Contact, note: str, link: str) -> tuple[str, str]:
    """Return the invitation's subject and text in the current language, with the personal link."""
    subject = _("Invitation: %(title)s", title=event.title)
    lines = [
        _("Dear %(name)s,", name=contact.first_name),
        "",
        _(
            "The project team invites you to %(title)s, on %(when)s.",
            title=event.title,
            when=when_and_where(event),
        ),
    ]
    lines += ["", note] if note else []
    lines += ["", _("Register here (it takes a minute):"), link]
    return subject, "\n".join(lines)


def confirmation_text(event: Event, contact: Contact) -> tuple[str, str]:
    """Return the confirmation's subject and text in the current language."""
    subject = _("Registration confirmed: %(title)s", title=event.title)
    lines = [
        _("Dear %(name)s,", name=contact.first_name),
        "",
        _(
            "Your registration for %(title)s, on %(when)s, is confirmed.",
            title=event.title,
            when=when_and_where(event),
        ),
        _("The attached file adds the event to your calendar."),
    ]
    return subject, "\n".join(lines)


def calendar_file(event: Event) -> bytes:
    """Return the event as an .ics file pointing at its public page (same UID as the team's download)."""
    calendar = new_calendar(event.title)
    entry = VEvent()
    entry.add("uid", uid("event", event.id))
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", event.held_on)
    entry.add("summary", event.title)
    entry.add("location", event.place or "")
    entry.add("url", public_link(event))
    calendar.add_component(entry)
    return calendar.to_ical()


def build(message: OutboxMessage, event: Event, contact: Contact) -> tuple[MimeMessage, str]:
    """Return the MIME message of an invitation or a confirmation, and its text."""
    language = "en" if message.payload.get("language") == "en" else "es"
    with force_locale(format_locale(language)):
        if message.kind == "event_invitation":
            link = public_link(event, invitation_token(event.id, contact.id))
            subject, text = invitation_text(event, contact, message.payload.get("note") or "", link)
            mime = envelope(message, subject)
            with_withdrawal(mime, text, language, withdrawal_url(contact.id))
            return mime, text
        subject, text = confirmation_text(event, contact)
    mime = envelope(message, subject)
    mime.set_content(text + "\n", cte="quoted-printable")
    mime.add_attachment(calendar_file(event), maintype="text", subtype="calendar", filename="evento.ics")
    return mime, text


def refused(message: OutboxMessage, event: Event | None, contact: Contact | None) -> bool:
    """Return whether the e-mail may no longer go: the event or person is gone, or consent was withdrawn."""
    if event is None or contact is None or contact.erased_at is not None:
        return True
    return message.kind == "event_invitation" and refusal(contact) is not None


def send_event_mail(message: OutboxMessage, mailer: Mailer) -> dict[str, object]:
    """Send an invitation or a confirmation; return the 'sent' columns."""
    event = db.session.get(Event, message.payload.get("event_id"))
    contact = db.session.get(Contact, message.payload.get("contact_id"))
    if refused(message, event, contact):
        raise PermanentMailError("the person no longer accepts this e-mail")
    mime, text = build(message, event, contact)
    sender = parseaddr(current_app.config["MAIL_SENDER"])[1]
    transport = mailer.send(Outgoing(sender, message.payload["to_email"], mime.as_bytes()))
    return {
        "status": "sent",
        "sent_at": utcnow(),
        "message_id": mime["Message-ID"],
        "transport": transport,
        "subject": str(mime["Subject"])[:300],
        "body_text": text,
        "body_html": None,
        "last_error": None,
    }
