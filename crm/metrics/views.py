"""The conversion metrics page, the 'compute now' button and the job's progress."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import login_required
from redis.exceptions import RedisError

from crm.clock import today
from crm.labels import LABELS
from crm.metrics import jobs, queries
from crm.metrics.blueprint import bp
from crm.metrics.forms import RunForm
from crm.metrics.services import DIMENSIONS
from crm.models import STAGES
from crm.permissions import require
from crm.redis_conn import get_redis
from crm.web import locale, to_id


def chosen_programme(programmes: list) -> object | None:
    """Return the programme named by ?programme=<id>, else the first one."""
    wanted = to_id(request.args.get("programme"))
    return next((p for p in programmes if p.id == wanted), programmes[0] if programmes else None)


@bp.route("/")
@login_required
@require("metrics.view")
def index():
    """Show the latest conversion snapshot of a programme by one dimension."""
    programmes = queries.programmes()
    programme = chosen_programme(programmes)
    dimension = request.args.get("dimension", "sector")
    data = queries.page(programme.id, dimension, locale()) if programme else None
    return render_template(
        "metrics/index.html",
        programmes=programmes,
        programme=programme,
        data=data,
        dimensions=DIMENSIONS,
        labels=LABELS["metric_dimension"],
        stages=STAGES,
        form=RunForm(),
    )


@bp.route("/run", methods=["POST"])
@login_required
@require("metrics.run")
def run():
    """Start today's snapshot (it runs once the job queue answers) and show its progress."""
    if not RunForm().validate_on_submit():
        abort(400)
    return redirect(url_for("metrics.job", job_id=jobs.start(get_redis(), today())))


def load_progress(job_id: str) -> jobs.Progress | None:
    """Return the job's progress; 404 for unknown ids; None when Redis is unreachable."""
    if not jobs.JOB_ID.match(job_id):
        abort(404)
    try:
        found = jobs.progress(get_redis(), job_id)
    except (RedisError, OSError):
        return None
    if found is None:
        abort(404)
    return found


@bp.route("/jobs/<job_id>")
@login_required
@require("metrics.run")
def job(job_id: str):
    """Show a snapshot job's progress (metrics.js refreshes the status part)."""
    return render_template("metrics/job.html", progress=load_progress(job_id), job_id=job_id)


@bp.route("/jobs/<job_id>/status")
@login_required
@require("metrics.run")
def job_status(job_id: str):
    """Return the status fragment of a snapshot job, polled by metrics.js."""
    return render_template("metrics/_job_status.html", progress=load_progress(job_id), job_id=job_id)
