"""Register every feature blueprint, in one place and one way.

Each feature keeps its blueprint in `crm/<feature>/blueprint.py`, with a `register(app)` that imports the
feature's views modules (which attach their routes) and registers the blueprint. A feature's `__init__`
stays empty, so importing one of its services never loads its views.
"""

from __future__ import annotations

from importlib import import_module

from flask import Flask

FEATURES = (
    "main",
    "auth",
    "organisations",
    "contacts",
    "interactions",
    "pipeline",
    "letters",
    "events",
    "reports",
    "liaison",
    "users",
    "system",
    "metrics",
    "imports",
    "exports",
    "merge",
    "privacy",
    "results",
    "mailcapture",
    "calendars",
    "admin",
    "changes",
    "api",
    "search",
    "compose",
    "webhooks",
    "consultants",
    "training",
    "parks",
    "agreements",
)


def init_app(app: Flask) -> None:
    """Register the feature blueprints."""
    for name in FEATURES:
        import_module(f"crm.{name}.blueprint").register(app)
