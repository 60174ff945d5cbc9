"""Events, trainings and attendance."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")

from crm.events import views  # noqa: E402,F401
