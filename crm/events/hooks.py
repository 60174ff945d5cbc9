"""What the events feature adds to other features (see crm/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import update

from crm.events import panels
from crm.extensions import db
from crm.models import Registration
from crm.registry import on_erase, org_section

if TYPE_CHECKING:
    from crm.privacy.erasure import Traces

org_section("events/_org_events.html", 40)(panels.org_panel)


@on_erase(30)
def erase_registrations(traces: Traces) -> dict[str, int]:
    """Drop what the person typed when registering (the registration stays: events keep their counts)."""
    statement = (
        update(Registration)
        .where(Registration.contact_id == traces.contact_id)
        .values(organisation_name=None, position=None)
        .execution_options(synchronize_session=False)
    )
    return {"registrations": db.session.execute(statement).rowcount}
