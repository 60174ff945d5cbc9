"""User accounts: creation, updates, the password policy and liaison associations."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from crm.auth import sessions
from crm.errors import UserError  # also imported from here by crm/cli.py (not yet converted)
from crm.extensions import db
from crm.models import LOCALES, ROLES, Organisation, User
from crm.permissions import PERMISSIONS


def role_may(role: str, permission: str) -> bool:
    """Return whether a role (of an account being edited, not the signed-in user) grants the permission."""
    return role in PERMISSIONS[permission]


def represents(user: User) -> bool:
    """Return whether the account may be linked to business associations, active or not."""
    return role_may(user.role, "association.represent")


def password_problem(password: str) -> str | None:
    """Return why a password is too weak, or None."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        return _("Use at least %(n)s characters.", n=minimum)
    letters = any(ch.isalpha() for ch in password)
    others = any(ch.isdigit() or not (ch.isalnum() or ch.isspace()) for ch in password)  # digits, symbols
    if not (letters and others):
        return _("Mix letters with digits or symbols.")
    return None


def normalise_email(email: str) -> str:
    """Validate an e-mail address's syntax and return it lower-cased."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise UserError(_("Enter a valid e-mail address."), "email") from exc


def email_taken(email: str, except_id: int | None = None) -> bool:
    """Return whether another account uses this e-mail."""
    query = select(User.id).where(func.lower(User.email) == email.lower())
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def checked_email(email: str, except_id: int | None = None) -> str:
    """Return the normalised e-mail, or raise if it is invalid or taken."""
    email = normalise_email(email)
    if email_taken(email, except_id):
        raise UserError(_("A user with this e-mail already exists."), "email")
    return email


def check_choices(role: str, locale: str) -> None:
    """Refuse unknown roles and languages."""
    if role not in ROLES:
        raise UserError(_("Unknown role or language."), "role")
    if locale not in LOCALES:
        raise UserError(_("Unknown role or language."), "locale")


def check_password(password: str) -> None:
    """Raise if the password is too weak."""
    if problem := password_problem(password):
        raise UserError(problem, "password")


def create_user(email: str, name: str, role: str, password: str, locale: str = "es") -> User:
    """Create an account after checking e-mail, role and password."""
    email = checked_email(email)
    check_choices(role, locale)
    check_password(password)
    user = User(email=email, name=name.strip(), role=role, locale=locale, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def escape_like(term: str) -> str:
    """Return a lower-case LIKE pattern matching the term anywhere, wildcards escaped."""
    escaped = term.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def user_query(search: str = "", role: str = "") -> Select:
    """Select users matching a name/e-mail search and a role, by name."""
    query = select(User).options(selectinload(User.associations)).order_by(func.lower(User.name), User.id)
    if search.strip():
        pattern = escape_like(search)
        query = query.where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    if role in ROLES:
        query = query.where(User.role == role)  # the role the admin filters by: data, not a decision
    return query


def check_self_edit(actor: User, user: User, role: str, active: bool) -> None:
    """Stop administrators from locking themselves out."""
    if actor.id != user.id:
        return
    if not role_may(role, "user.admin"):
        raise UserError(_("You cannot remove your own administrator role."), "role")
    if not active:
        raise UserError(_("You cannot deactivate your own account."), "active")


def update_user(actor: User, user: User, email: str, name: str, role: str, locale: str, active: bool) -> User:
    """Save an account's details; only liaisons keep association links."""
    email = checked_email(email, except_id=user.id)
    check_choices(role, locale)
    check_self_edit(actor, user, role, active)
    user.email, user.name, user.role, user.locale, user.active = email, name.strip(), role, locale, active
    if not active:
        sessions.end_all(user.id)
    if not role_may(role, "association.represent"):
        user.associations = []
    db.session.flush()
    return user


def reset_password(user: User, password: str) -> None:
    """Set a new password chosen by an administrator."""
    check_password(password)
    user.set_password(password)
    sessions.end_all(user.id)  # whoever knew the old password is signed out
    db.session.flush()


def deactivate_user(actor: User, user: User) -> None:
    """Deactivate an account (never one's own)."""
    if actor.id == user.id:
        raise UserError(_("You cannot deactivate your own account."), "active")
    user.active = False
    sessions.end_all(user.id)
    db.session.flush()


def association_options() -> list[tuple[int, str]]:
    """Return (id, name) of every business association, by name."""
    query = select(Organisation.id, Organisation.legal_name).where(Organisation.kind == "association")
    return [(ident, name) for ident, name in db.session.execute(query.order_by(Organisation.legal_name))]


def set_associations(user: User, association_ids: list[int]) -> None:
    """Link a liaison to exactly these associations."""
    if not represents(user):
        raise UserError(_("Only association liaisons can be linked to associations."), "associations")
    wanted = set(association_ids)
    query = select(Organisation).where(Organisation.id.in_(wanted), Organisation.kind == "association")
    associations = list(db.session.scalars(query).unique())
    if len(associations) != len(wanted):
        raise UserError(_("Choose business associations only."), "associations")
    user.associations = associations
    db.session.flush()
