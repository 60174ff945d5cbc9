"""Letters, their documents and co-finance materialisation."""

from flask import Blueprint

bp = Blueprint("letters", __name__, url_prefix="/letters")

from crm.letters import views  # noqa: E402,F401
