"""Manager reports: funnel, conversion, cohorts, time in stage, co-finance, results, events, trends."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from crm.reports import views  # noqa: E402,F401
