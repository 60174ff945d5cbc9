"""What the events feature adds to other features (see crm/registry.py)."""

from __future__ import annotations

from crm.events import panels
from crm.registry import org_section

org_section("events/_org_events.html", 40)(panels.org_panel)
