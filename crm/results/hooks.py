"""What the results feature adds to other features (see crm/registry.py)."""

from __future__ import annotations

from typing import Any

from crm.models.organisation import OrgKind
from crm.permissions import can
from crm.registry import org_section
from crm.results import queries, services


@org_section("results/_org_results.html", 35)
def org_panel(user: Any, org: Any) -> dict[str, Any] | None:
    """Return a company's results by status for the technical team (a read of figures is recorded)."""
    if org.kind != OrgKind.COMPANY or not can(user, "result.view"):
        return None
    count = services.result_count(org.id)
    if count:  # only figures are confidential: an empty section shows nothing worth recording
        services.log_reads([org.id])
    return {
        "achieved": queries.by_status("achieved", organisation_id=org.id),
        "expected": queries.totals("expected", organisation_id=org.id),
        "count": count,
    }
