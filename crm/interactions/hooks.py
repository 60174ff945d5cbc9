"""What the interactions feature adds to other features (see crm/registry.py)."""

from __future__ import annotations

from crm.interactions import follow_ups
from crm.registry import org_section

org_section("interactions/follow_up_panel.html", 10)(follow_ups.org_panel)
