"""The letters section of the organisation page."""

from __future__ import annotations

from typing import Any

from crm.extensions import db
from crm.letters.materialisations import figures
from crm.letters.services import visible_letters
from crm.models import Letter, Organisation, User
from crm.permissions import can

PANEL_LIMIT = 50  # an organisation rarely has more; the list page has them all


def org_panel(user: User, org: Organisation) -> dict[str, Any] | None:
    """Return the organisation's letters and their co-finance figures, or None without letter.view."""
    if not can(user, "letter.view"):
        return None
    query = (
        visible_letters(user)
        .where(Letter.organisation_id == org.id)
        .order_by(Letter.requested_on.desc().nulls_last(), Letter.id.desc())
        .limit(PANEL_LIMIT + 1)
    )
    letters = list(db.session.scalars(query).unique())
    shown = letters[:PANEL_LIMIT]
    return {
        "letters": shown,
        "more": len(letters) > PANEL_LIMIT,
        "figures": figures([x.id for x in shown if x.kind == "cofinance"]),
        "may_edit": can(user, "letter.edit"),
    }
