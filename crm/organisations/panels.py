"""The sections other features add to the organisation page, as the registry lists them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm.models import Organisation, User
from crm.registry import ORG_SECTIONS


@dataclass(frozen=True)
class Panel:
    """One section of the organisation page and what it shows."""

    template: str
    data: dict[str, Any]


def org_panels(user: User, org: Organisation) -> list[Panel]:
    """Return the sections the user may see for this organisation."""
    panels = []
    for section in ORG_SECTIONS:
        data = section.data(user, org)
        if data is not None:
            panels.append(Panel(section.template, data))
    return panels
