"""What the letters feature adds to other features (see crm/registry.py)."""

from __future__ import annotations

from crm.letters import panels
from crm.registry import org_section

org_section("letters/_org_letters.html", 30)(panels.org_panel)
