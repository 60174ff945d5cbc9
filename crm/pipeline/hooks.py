"""What the pipeline feature adds to other features (see crm/registry.py)."""

from __future__ import annotations

from crm.pipeline import panels
from crm.registry import org_section

org_section("pipeline/_org_engagements.html", 20)(panels.org_panel)
