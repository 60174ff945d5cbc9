"""Which e-mails a user receives: one opt-out row per kind switched off."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select

from crm.extensions import db
from crm.mail import kind_label, kinds_for
from crm.models import MailOptOut, User


def opted_out(user: User) -> set[str]:
    """Return the kinds the user switched off."""
    return set(db.session.scalars(select(MailOptOut.kind).where(MailOptOut.user_id == user.id)))


def subscribed(user: User) -> list[str]:
    """Return the kinds the user receives, among those their role gets."""
    muted = opted_out(user)
    return [kind for kind in kinds_for(user) if kind not in muted]


def set_subscriptions(user: User, wanted: Iterable[str]) -> None:
    """Keep the kinds wanted, switch off the other kinds the role gets; flush."""
    offered = set(kinds_for(user))
    wanted = set(wanted) & offered
    muted = opted_out(user)
    stop = offered - wanted - muted
    resume = (muted & offered) & wanted
    if resume:
        db.session.execute(
            delete(MailOptOut).where(MailOptOut.user_id == user.id, MailOptOut.kind.in_(resume))
        )
    db.session.add_all(MailOptOut(user_id=user.id, kind=kind) for kind in sorted(stop))
    db.session.flush()


def offer(form: Any, user: User) -> None:
    """Put the user's kinds of e-mail on the preferences form, ticked when received."""
    form.mail_kinds.choices = [(kind, kind_label(kind)) for kind in kinds_for(user)]
    if not form.is_submitted() and form.mail_kinds.choices:
        form.mail_kinds.data = subscribed(user)
        form.mail_shown.data = "1"
