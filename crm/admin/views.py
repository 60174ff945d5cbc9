"""The administration area's page."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from crm.admin.blueprint import bp
from crm.navigation import ADMIN_LINKS, shown
from crm.permissions import require


@bp.route("/")
@login_required
@require("admin.view")
def index():
    """List the administrative pages the user may open (crm/navigation.py ADMIN_LINKS)."""
    return render_template("admin/index.html", links=shown(ADMIN_LINKS))
