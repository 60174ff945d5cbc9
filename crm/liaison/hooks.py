"""What the liaison feature adds to other features (see crm/registry.py)."""

from __future__ import annotations

from crm.liaison import panels
from crm.registry import org_section

org_section("liaison/_org_association.html", 50)(panels.org_panel)
