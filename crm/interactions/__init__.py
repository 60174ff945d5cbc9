"""The interactions feature."""

from flask import Blueprint

bp = Blueprint("interactions", __name__, url_prefix="/interactions")

from crm.interactions import views  # noqa: E402,F401
