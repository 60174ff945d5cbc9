"""The association liaisons' portal: their members, statuses and referrals."""

from flask import Blueprint

bp = Blueprint("liaison", __name__, url_prefix="/portal")

from crm.liaison import add_views, confirm_views, views  # noqa: E402,F401
