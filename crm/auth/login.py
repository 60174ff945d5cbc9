"""Flask-Login's setup: who is signed in, and where to send those who are not."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from crm.extensions import db, login_manager


def load_user(user_id: str):
    """Reload the signed-in user from the session id."""
    from crm.models import User

    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def init_app(app: Flask) -> None:
    """Configure Flask-Login."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
