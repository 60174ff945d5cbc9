"""The organisations feature: companies, associations and other stakeholders, and memberships."""

from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

from crm.organisations import membership_views, views  # noqa: E402,F401
