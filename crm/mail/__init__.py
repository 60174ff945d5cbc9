"""E-mail: the kinds users can opt out of, rendering, transport, delivery and the reminders.

Every e-mail goes through the outbox (crm/outbox.py): a row written in the transaction that causes it,
then dispatched (crm/mail/dispatch.py) and delivered exactly once per idempotency key
(crm/mail/delivery.py). See the worker section of the README for the guarantee.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "follow_up_assigned": _l("A follow-up is assigned to me"),
    "referral": _l("A company is referred to me by an association"),
    "daily_digest": _l("Daily digest of my follow-ups, companies and letters"),
    "letter_overdue": _l("A letter I requested is overdue"),
    "liaison_review": _l("Monthly reminder of members to review"),
    "manager_weekly": _l("Weekly summary for managers"),
}
STAFF_KINDS = ("follow_up_assigned", "referral", "daily_digest", "letter_overdue")
# The e-mails each role can receive, and so choose to stop.
KINDS_BY_ROLE = {
    "admin": STAFF_KINDS,
    "manager": (*STAFF_KINDS, "manager_weekly"),
    "staff": STAFF_KINDS,
    "liaison": ("liaison_review",),
    "viewer": (),
}
DIGEST_ROLES = ("admin", "manager", "staff")


def kinds_for(role: str) -> tuple[str, ...]:
    """Return the kinds of e-mail a role may receive."""
    return KINDS_BY_ROLE.get(role, ())


def kind_label(kind: str) -> str:
    """Return the translated description of a kind of e-mail."""
    return str(KIND_LABELS.get(kind, kind))
