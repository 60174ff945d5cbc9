"""Who may be e-mailed, and the signed withdrawal link every e-mail to a contact carries (Ley 29733)."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from crm.extensions import db
from crm.mail.links import absolute_url
from crm.models import Contact, utcnow

SALT = "crm.compose.consent-withdrawal"
WITHDRAWN = "withdrawn"  # consent_source of a contact who used the link (consent_at: when)

REASONS = {
    "erased": _l("their data was erased at their request"),
    "no_email": _l("they have no e-mail address"),
    "withdrawn": _l("they withdrew their consent to receive e-mail"),
    "no_consent": _l("they have not accepted to receive e-mail"),
}


def refusal(contact: Contact) -> str | None:
    """Return why the contact may not be e-mailed (a REASONS key), or None when they may."""
    if contact.erased_at is not None:
        return "erased"
    if not (contact.email or "").strip():
        return "no_email"
    if contact.consent_source == WITHDRAWN:
        return "withdrawn"
    if not contact.email_consent:
        return "no_consent"
    return None


def serializer() -> URLSafeSerializer:
    """Return the signer of withdrawal tokens (its own salt: no other token of the app is accepted)."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(contact_id: int) -> str:
    """Return the contact's withdrawal token."""
    return serializer().dumps({"c": contact_id})


def contact_of(token: str) -> Contact | None:
    """Return the contact a token names, or None for a forged, mangled or erased one."""
    try:
        data = serializer().loads(token)
    except BadSignature:
        return None
    contact = db.session.get(Contact, data.get("c")) if isinstance(data, dict) else None
    return contact if contact is not None and contact.erased_at is None else None


def withdrawal_url(contact_id: int) -> str:
    """Return the absolute URL of the contact's withdrawal page."""
    return absolute_url("compose.withdraw_page", token=token_for(contact_id))


def withdraw(contact: Contact) -> bool:
    """Record the withdrawal (audited with the contact's history); return False when already withdrawn."""
    if contact.consent_source == WITHDRAWN and not contact.email_consent:
        return False
    contact.email_consent = False
    contact.consent_source = WITHDRAWN
    contact.consent_at = utcnow()
    db.session.flush()
    return True
