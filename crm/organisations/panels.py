"""Sections other features add to the organisation page, declared in one list."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from crm.models import Organisation, User

# (template, "module:function"); the function returns the section's context, or None to hide it.
PANELS = (
    ("interactions/follow_up_panel.html", "crm.interactions.follow_ups:org_panel"),
    ("pipeline/_org_engagements.html", "crm.pipeline.panels:org_panel"),
    ("letters/_org_letters.html", "crm.letters.panels:org_panel"),
    ("events/_org_events.html", "crm.events.panels:org_panel"),
    ("liaison/_org_association.html", "crm.liaison.panels:org_panel"),
)


@dataclass(frozen=True)
class Panel:
    """One section of the organisation page and what it shows."""

    template: str
    data: dict[str, Any]


def resolve(path: str) -> Any:
    """Import 'module:function'."""
    module, name = path.split(":")
    return getattr(import_module(module), name)


def org_panels(user: User, org: Organisation) -> list[Panel]:
    """Return the sections the user may see for this organisation."""
    panels = []
    for template, path in PANELS:
        data = resolve(path)(user, org)
        if data is not None:
            panels.append(Panel(template, data))
    return panels
