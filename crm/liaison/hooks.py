"""What the liaison feature adds to other features (see crm/registry.py)."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from crm.extensions import db
from crm.liaison import panels
from crm.models import liaison_associations
from crm.registry import on_delete, on_merge, org_section

org_section("liaison/_org_association.html", 50)(panels.org_panel)


@on_merge(60)
def move_liaison_links(keep_id: int, drop_id: int) -> None:
    """Move liaisons' links from the merged-away association to the survivor."""
    table = liaison_associations
    kept = select(table.c.user_id).where(table.c.organisation_id == keep_id)
    db.session.execute(delete(table).where(table.c.organisation_id == drop_id, table.c.user_id.in_(kept)))
    db.session.execute(
        update(table).where(table.c.organisation_id == drop_id).values(organisation_id=keep_id)
    )


@on_delete(50)
def delete_liaison_links(org_id: int) -> None:
    """Unlink liaisons from a deleted association."""
    db.session.execute(delete(liaison_associations).where(liaison_associations.c.organisation_id == org_id))
