"""The system page for administrators."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from crm.permissions import require
from crm.system import disk, services
from crm.system.blueprint import bp


@bp.route("/")
@login_required
@require("system.view")
def index():
    """Show Redis, RQ, scheduler and database status (works with Redis down)."""
    return render_template(
        "system/index.html",
        redis=services.redis_status(),
        revisions=services.alembic_revisions(),
        counts=services.record_counts(),
        heartbeat_limit=int(services.HEARTBEAT_STALE_AFTER.total_seconds() // 60),
        disks=disk.disks(),
        last_backup=disk.last_backup(),
    )
