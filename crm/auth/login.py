"""Flask-Login's setup: who is signed in, and where to send those who are not."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from crm.extensions import login_manager


def load_user(token: str):
    """Reload the signed-in user from the session's token, if that session is still live."""
    from crm.auth import sessions

    return sessions.load(token) if token else None


def init_app(app: Flask) -> None:
    """Configure Flask-Login."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
