"""The stakeholder CRM: create_app() builds the Flask application."""

from __future__ import annotations

from typing import Any

from flask import Flask

from config import BASE_DIR, INSTANCE_DIR, get_config


def load_config(app: Flask, config_name: str | None, overrides: dict[str, Any]) -> None:
    """Load the config class, run its production checks, apply overrides."""
    config = get_config(config_name)
    if hasattr(config, "check"):
        config.check()
    app.config.from_object(config)
    app.config.update(overrides)


def create_app(config_name: str | None = None, **overrides: Any) -> Flask:
    """Build the application: a flat list of init_app calls."""
    from crm import (
        audit,
        blueprints,
        cli,
        crypto,
        errors,
        extensions,
        gcfreeze,
        jobs,
        outbox,
        refcache,
        registry,
        security,
        templating,
    )
    from crm.auth import login
    from crm.transactions import TransactionalFlask

    app = TransactionalFlask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(INSTANCE_DIR),
    )
    load_config(app, config_name, overrides)
    crypto.init_app(app)
    extensions.init_db(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(BASE_DIR / "migrations"))
    extensions.csrf.init_app(app)
    extensions.init_babel(app)
    extensions.init_limiter(app)
    login.init_app(app)
    audit.init_app(app)
    outbox.init_app(app)
    refcache.init_app(app)
    jobs.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    blueprints.init_app(app)
    registry.init_app(app)
    gcfreeze.init_app(app)
    return app
