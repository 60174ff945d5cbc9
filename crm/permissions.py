"""The one permission helper: what each role may do, and scoped queries."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import Select, false, or_, select

from crm.extensions import db
from crm.models import Contact, Membership, Organisation, liaison_associations
from crm.models.organisation import OrgKind

ALL = frozenset({"admin", "manager", "staff", "liaison", "viewer"})
TECH = frozenset({"admin", "manager", "staff"})
READERS = frozenset({"admin", "manager", "staff", "viewer"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "org.view": ALL,
    "org.edit": TECH,
    "org.delete": frozenset({"admin"}),
    "org.notes": READERS,  # internal notes on a company: never shown to liaisons
    "org.own": TECH,  # may be named an organisation's owner (the staff member who leads the relationship)
    "profile.view": TECH,
    "profile.edit": TECH,
    "privacy.trail_view": frozenset({"admin"}),  # the read trail of every company and user
    "privacy.trail_own": TECH,  # the read trail of the companies one owns ("who saw your data")
    "privacy.subject": frozenset({"admin"}),  # a contact's data: export everything held (Ley 29733)
    "privacy.erase": frozenset({"admin"}),  # erase a contact everywhere, recorded with who and why
    # Measured results are the profile's confidential process data: the technical team only, reads logged.
    "result.view": TECH,
    "result.edit": TECH,
    "result.verify": TECH,  # mark a result verified (with its evidence); who verified is recorded
    "result.gap": frozenset({"admin", "manager"}),  # the gap-to-target page: who to approach next
    "auth.require_2fa": TECH,  # the roles that see the profile or results sign in with a second factor
    "contact.view": ALL,
    "contact.edit": TECH,
    "interaction.view": READERS,
    "interaction.log": TECH,
    "interaction.edit_any": frozenset({"admin", "manager"}),  # change interactions others logged
    "membership.view": ALL,
    "membership.edit": TECH,
    "membership.review": frozenset({"liaison"}),  # status and review of their associations' confirmed members
    "history.view": READERS,
    "history.restore": frozenset({"admin", "manager"}),  # put a field or a whole save back as it was
    "pipeline.view": READERS,
    "pipeline.move": TECH,
    "letter.view": READERS,
    "letter.edit": TECH,
    "evidence.view_all": frozenset({"admin", "manager"}),  # chase every company's unscanned signed letters
    "event.view": READERS,
    "event.edit": TECH,
    "followup.edit": TECH,
    "followup.edit_any": frozenset({"admin", "manager"}),  # close, snooze, reassign others' follow-ups
    "followup.view_all": frozenset({"admin", "manager"}),  # the 'all' tab of the follow-up list
    "dashboard.view": frozenset({"admin", "manager", "viewer"}),  # their start page: the managers' dashboard
    "work.view": TECH,  # the start page is "My work"; other roles get a simple home (liaisons: the portal)
    "import.run": TECH,
    "import.undo": frozenset({"admin"}),
    "import.view_all": frozenset({"admin", "manager"}),  # every import batch, not only one's own
    "record.merge": frozenset({"admin", "manager"}),
    "report.view": READERS,
    "report.freeze": frozenset({"admin", "manager"}),
    "indicator.edit": frozenset({"admin"}),  # end-of-project and per-period targets
    "indicator.define": frozenset({"admin"}),  # add (catalogue or manual), edit, deactivate, delete
    "indicator.enter": TECH,  # enter the values of manual indicators per period, with evidence
    "reference.admin": frozenset({"admin"}),
    "user.admin": frozenset({"admin"}),
    "association.represent": frozenset({"liaison"}),  # may be linked to associations and work for them
    "system.view": frozenset({"admin"}),
    "api.token": ALL,  # create personal access tokens for the JSON API (acting with one's own role)
    "webhook.admin": frozenset({"admin"}),  # every webhook subscription, every event, for any user
    "webhook.subscribe": frozenset({"admin", "manager"}),  # own subscriptions (managers: report events)
    "admin.view": TECH,  # the administration area (it lists only the links the user may open)
    "metrics.view": READERS,
    "metrics.run": frozenset({"admin", "manager"}),
    "portal.use": frozenset({"liaison"}),
    "referral.receive": frozenset({"manager"}),  # hears of a referral or request of an ownerless company
    "referral.view_all": READERS,  # who referred a company, an association's funnel (not liaisons)
    "scope.all_organisations": READERS,  # every record; without it only one's associations and members
    "mail.digest": TECH,  # the daily digest and the notices of one's follow-ups, referrals and letters
    "mail.manager_weekly": frozenset({"manager"}),  # the weekly summary e-mail
    "mail.liaison_review": frozenset({"liaison"}),  # the monthly reminder of members to review
    # Captured and composed e-mail (crm/mailcapture): readers see that an e-mail happened (date, subject);
    # bodies and attachments are for the technical team; liaisons see nothing of it.
    "email.view": READERS,
    "email.body": TECH,
    "email.review": TECH,  # the review queue of unmatched messages: assign, create the contact, discard
    "email.dropbox": TECH,  # a personal dropbox address (BCC or forward to log a message as one's own)
    "email.compose": TECH,  # write to an organisation's contacts from the CRM
    "mailbox.admin": frozenset({"admin"}),  # configure the IMAP mailboxes the CRM reads
    "calendar.feed": ALL,  # a personal calendar feed (ICS) of one's follow-ups and events
    # The national registry of qualified consultants: the technical team keeps it; everyone else sees its
    # public part (name, specialisms, region) of the entries an administrator has published.
    "consultant.view": TECH,
    "consultant.edit": TECH,  # create, edit, change status, assign to engagements
    "consultant.public": ALL,
    "consultant.publish": frozenset({"admin"}),
    # Industrial parks' tenants, and clean production agreements (APL) with their parties.
    "park.view": READERS,
    "park.edit": TECH,
    "agreement.view": READERS,
    "agreement.edit": TECH,
}


# New accounts start with the least powerful role (read-only); an administrator raises it on purpose.
DEFAULT_ROLE = "viewer"


def can(user: Any, permission: str) -> bool:
    """Return whether the user's role grants the permission."""
    # Outside a request (an e-mail rendered by a worker) current_user is a proxy of None.
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.role in PERMISSIONS[permission]


def roles_with(permission: str) -> list[str]:
    """Return the roles granted the permission, for SQL filters (`User.role.in_(roles_with(...))`)."""
    return sorted(PERMISSIONS[permission])


def deny() -> None:
    """Answer 404 so that a refusal does not confirm the record exists."""
    user = getattr(current_user, "email", "anonymous")
    current_app.logger.warning("access denied: %s %s %s", user, request.method, request.path)
    abort(404)


def require(permission: str) -> Callable:
    """Decorate a view so that users without the permission get 404."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not can(current_user, permission):
                deny()
            return view(*args, **kwargs)

        wrapped.permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator


def liaison_association_ids(user: Any) -> Select:
    """Select the ids of the associations a liaison works for."""
    return select(liaison_associations.c.organisation_id).where(
        liaison_associations.c.user_id == user.id
    )


def visible_organisations(user: Any) -> Select:
    """Select the organisations the user may see (else: the associations they represent, their members)."""
    query = select(Organisation)
    if can(user, "scope.all_organisations"):
        return query
    assoc_ids = liaison_association_ids(user)
    # A membership the PMU has not confirmed shows no record, contact or detail of the company.
    members = select(Membership.company_id).where(
        Membership.association_id.in_(assoc_ids), Membership.confirmation == "confirmed"
    )
    return query.where(or_(Organisation.id.in_(assoc_ids), Organisation.id.in_(members)))


def visible_contacts(user: Any) -> Select:
    """Select the contacts the user may see: those of visible organisations (never of pending members)."""
    query = select(Contact)
    if can(user, "scope.all_organisations"):
        return query
    org_ids = visible_organisations(user).with_only_columns(Organisation.id)
    return query.where(Contact.organisation_id.in_(org_ids))


def visible_memberships(user: Any) -> Select:
    """Select the memberships the user may see (else: their associations', pending ones included)."""
    query = select(Membership)
    if can(user, "scope.all_organisations"):
        return query
    return query.where(Membership.association_id.in_(liaison_association_ids(user)))


def editable_memberships(user: Any) -> Select:
    """Select the memberships the user may change (reviewers: their associations' confirmed; else none)."""
    query = visible_memberships(user)
    if can(user, "membership.edit"):
        return query
    if can(user, "membership.review"):
        return query.where(Membership.confirmation == "confirmed")
    return query.where(false())


def portal_associations(user: Any) -> Select:
    """Select the associations the user represents, by name."""
    return (
        visible_organisations(user)
        .where(Organisation.kind == "association", Organisation.id.in_(liaison_association_ids(user)))
        .order_by(Organisation.legal_name, Organisation.id)
    )


def addable_companies() -> Select:
    """Select the organisations a liaison may add as members: any company, not other kinds."""
    return select(Organisation).where(Organisation.kind == OrgKind.COMPANY)


MAX_ID = 2**31 - 1  # ids beyond a 32-bit integer cannot exist and would error on PostgreSQL


def get_or_404(query: Select, ident: int) -> Any:
    """Fetch one row of a scoped query by id, or deny."""
    if not 0 < ident <= MAX_ID:
        deny()
    entity = query.column_descriptions[0]["entity"]
    row = db.session.scalars(query.where(entity.id == ident)).first()
    if row is None:
        deny()
    return row
