"""The users feature."""

from flask import Blueprint

bp = Blueprint("users", __name__, url_prefix="/users")

from crm.users import views  # noqa: E402,F401
