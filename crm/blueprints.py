"""Register every feature blueprint."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the feature blueprints in one place."""
    from crm.auth import bp as auth_bp
    from crm.contacts import bp as contacts_bp
    from crm.events import bp as events_bp
    from crm.interactions import bp as interactions_bp
    from crm.letters import bp as letters_bp
    from crm.liaison import bp as liaison_bp
    from crm.main import bp as main_bp
    from crm.metrics import bp as metrics_bp
    from crm.organisations import bp as organisations_bp
    from crm.pipeline import bp as pipeline_bp
    from crm.reports import bp as reports_bp
    from crm.system import bp as system_bp
    from crm.users import bp as users_bp

    for bp in (
        main_bp,
        auth_bp,
        organisations_bp,
        contacts_bp,
        interactions_bp,
        pipeline_bp,
        letters_bp,
        events_bp,
        reports_bp,
        liaison_bp,
        users_bp,
        system_bp,
        metrics_bp,
    ):
        app.register_blueprint(bp)
    register_features(app)


def register_features(app: Flask) -> None:
    """Register the features that bring their own blueprint module."""
    from crm.exports import blueprint as exports
    from crm.imports import blueprint as imports
    from crm.merge import blueprint as merge

    for feature in (imports, exports, merge):
        feature.register(app)
