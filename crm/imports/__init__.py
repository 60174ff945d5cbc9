"""Imports from spreadsheets, duplicate detection and merge, and list exports."""

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/imports")

from crm.imports import exports_views, merge_views, views  # noqa: E402,F401
