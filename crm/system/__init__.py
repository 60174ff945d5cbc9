"""The system feature."""

from flask import Blueprint

bp = Blueprint("system", __name__, url_prefix="/system")

from crm.system import mail_views, views  # noqa: E402,F401
