"""Turn a composed outbox row into the e-mail a contact receives (called by the delivery worker)."""

from __future__ import annotations

from email.message import EmailMessage as MimeMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, parseaddr

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from crm.compose.consent_links import refusal
from crm.extensions import db
from crm.mail.transport import Mailer, Outgoing, PermanentMailError, message_id, one_line
from crm.models import Contact, Mailbox, OutboxMessage, utcnow
from crm.models.mailcapture import MailboxKind

FOOTER = _l("If you no longer wish to receive our e-mails, withdraw your consent here:")


def footer(language: str | None) -> str:
    """Return the withdrawal line in the e-mail's language (Spanish unless English was chosen)."""
    with force_locale("en" if language == "en" else "es"):
        return str(FOOTER)


def reply_to() -> str:
    """Return the PMU's shared mailbox (configured, else the first shared one read): replies get captured."""
    configured = current_app.config.get("MAIL_REPLY_TO")
    if configured:
        return configured
    query = select(Mailbox.address).where(Mailbox.kind == MailboxKind.SHARED, Mailbox.active.is_(True))
    shared = db.session.scalars(query.order_by(Mailbox.id).limit(1)).first()
    return shared or current_app.config["MAIL_SENDER"]


def html_body(text: str, footer: str, link: str) -> str:
    """Return the HTML part: the text escaped, line breaks kept, and the withdrawal link."""
    paragraphs = Markup("<br>\n").join(escape(line) for line in text.splitlines())
    return str(
        Markup(
            "<!doctype html><html><body><div>{}</div><hr>"
            '<p style="font-size:small">{} <a href="{}">{}</a></p></body></html>'
        ).format(paragraphs, footer, link, link)
    )


def envelope(message: OutboxMessage, subject: str) -> MimeMessage:
    """Return a message to a contact: our From, the shared mailbox as Reply-To, the key's Message-ID."""
    payload = message.payload
    mime = MimeMessage(policy=SMTP)
    mime["From"] = current_app.config["MAIL_SENDER"]
    mime["To"] = formataddr((one_line(payload["to_name"]), one_line(payload["to_email"])))
    mime["Reply-To"] = reply_to()
    mime["Subject"] = one_line(subject)
    mime["Date"] = formatdate(localtime=False)
    mime["Message-ID"] = message_id(message.idempotency_key)
    return mime


def with_withdrawal(mime: MimeMessage, text: str, language: str | None, link: str) -> None:
    """Set the text and HTML bodies ending with the withdrawal line, and the one-click unsubscribe headers."""
    line = footer(language)
    mime["List-Unsubscribe"] = f"<{link}>"
    mime["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mime.set_content(f"{text}\n\n-- \n{line}\n{link}\n", cte="quoted-printable")
    mime.add_alternative(html_body(text, line, link), subtype="html", cte="quoted-printable")


def build(message: OutboxMessage) -> MimeMessage:
    """Build the composed e-mail: its envelope, the text, the withdrawal line and List-Unsubscribe."""
    payload = message.payload
    mime = envelope(message, payload["subject"])
    with_withdrawal(mime, payload["text"], payload.get("language"), payload["withdraw_url"])
    return mime


def send_contact_mail(message: OutboxMessage, mailer: Mailer) -> dict[str, object]:
    """Send a composed e-mail unless the contact withdrew or was erased since; return the 'sent' columns."""
    contact = db.session.get(Contact, message.payload.get("contact_id"))
    if contact is None or refusal(contact):
        raise PermanentMailError("the contact no longer accepts e-mail")
    mime = build(message)
    sender = parseaddr(current_app.config["MAIL_SENDER"])[1]
    transport = mailer.send(Outgoing(sender, message.payload["to_email"], mime.as_bytes()))
    return {
        "status": "sent",
        "sent_at": utcnow(),
        "message_id": mime["Message-ID"],
        "transport": transport,
        "subject": str(mime["Subject"])[:300],
        "body_text": message.payload["text"],
        "body_html": None,
        "last_error": None,
    }
