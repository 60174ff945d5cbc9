"""The participation pipeline: programmes, engagements, the board."""

from flask import Blueprint

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline")

from crm.pipeline import admin_views, views  # noqa: E402,F401
