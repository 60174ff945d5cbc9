"""Privacy pages: the read trail, data-subject requests and consent withdrawal."""

from __future__ import annotations

from crm.privacy.blueprint import bp  # noqa: F401
