"""Sign-in, sign-out and personal preferences."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from crm.extensions import db, login_manager

bp = Blueprint("auth", __name__, url_prefix="/auth")


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


from crm.auth import views  # noqa: E402,F401
