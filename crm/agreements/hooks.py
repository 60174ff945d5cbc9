"""What the agreements feature adds to other features (see crm/registry.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from crm.agreements import services
from crm.extensions import db
from crm.models import AgreementParty, Organisation
from crm.permissions import can
from crm.registry import on_delete, on_merge, org_section


@org_section("agreements/_org_agreements.html", 36)
def org_panel(user: Any, org: Organisation) -> dict[str, Any] | None:
    """Return the agreements the organisation is party to (hidden when there is none, and from liaisons)."""
    if not can(user, "agreement.view"):
        return None
    rows = services.of_organisation(org.id)
    return {"agreements": rows} if rows or can(user, "agreement.edit") else None


@on_merge(66)
def move_parties(keep_id: int, drop_id: int) -> None:
    """Make the survivor the party of the merged-away organisation's agreements (once per agreement)."""
    kept = select(AgreementParty.agreement_id).where(AgreementParty.organisation_id == keep_id)
    db.session.execute(
        delete(AgreementParty).where(
            AgreementParty.organisation_id == drop_id, AgreementParty.agreement_id.in_(kept)
        )
    )
    parties = select(AgreementParty).where(AgreementParty.organisation_id == drop_id)
    for party in db.session.scalars(parties):
        party.organisation_id = keep_id
    db.session.flush()


@on_delete(46)
def delete_parties(org_id: int) -> None:
    """Remove a deleted organisation from the agreements it was party to."""
    db.session.execute(delete(AgreementParty).where(AgreementParty.organisation_id == org_id))
