"""Administrators' mail pages: sent (and stored) mail, failed deliveries and failed jobs, requeue."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from redis.exceptions import RedisError
from sqlalchemy import select

from crm.mail import admin, kind_label
from crm.models import OutboxMessage
from crm.pagination import paginate
from crm.permissions import get_or_404, require
from crm.redis_conn import get_redis
from crm.system.blueprint import bp

# The HTML of an e-mail is shown in a sandboxed frame: no scripts, no requests, our pages only.
MAIL_FRAME_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)


def check_form() -> None:
    """Refuse a POST without a valid CSRF token."""
    if not FlaskForm().validate_on_submit():
        abort(400)


@bp.route("/mail/")
@login_required
@require("system.view")
def mail_list():
    """List outbox e-mails, newest first (default: sent, including those stored without SMTP)."""
    status = request.args.get("status", "sent")
    context = admin.counts_page_context(status)
    page = paginate(admin.messages(context["status"]), current_app.config["PAGE_SIZE"])
    return render_template(
        "system/mail_list.html",
        page=page,
        kind_label=kind_label,
        smtp=bool(current_app.config["SMTP_HOST"]),
        **context,
    )


@bp.route("/mail/<int:message_id>")
@login_required
@require("system.view")
def mail_detail(message_id: int):
    """Show one e-mail: headers, text body and the HTML body in a sandboxed frame."""
    message = get_or_404(select(OutboxMessage), message_id)
    return render_template(
        "system/mail_detail.html", message=message, kind_label=kind_label, form=FlaskForm()
    )


@bp.route("/mail/<int:message_id>/html")
@login_required
@require("system.view")
def mail_html(message_id: int):
    """Return an e-mail's HTML body for the sandboxed frame of the detail page."""
    message = get_or_404(select(OutboxMessage), message_id)
    if not message.body_html:
        abort(404)
    response = current_app.response_class(message.body_html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MAIL_FRAME_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/mail/failed")
@login_required
@require("system.view")
def mail_failed():
    """List failed deliveries and the jobs RQ gave up on, each with a requeue button."""
    page = paginate(admin.messages("failed"), current_app.config["PAGE_SIZE"])
    try:
        jobs, redis_error = admin.failed_jobs(get_redis()), None
    except (RedisError, OSError) as exc:
        jobs, redis_error = [], type(exc).__name__
    return render_template(
        "system/mail_failed.html",
        page=page,
        jobs=jobs,
        redis_error=redis_error,
        kind_label=kind_label,
        form=FlaskForm(),
    )


@bp.route("/mail/<int:message_id>/requeue", methods=["POST"])
@login_required
@require("system.view")
def mail_requeue(message_id: int):
    """Give a failed delivery a fresh set of tries."""
    check_form()
    get_or_404(select(OutboxMessage), message_id)
    if admin.requeue_delivery(message_id):
        flash(_("The e-mail is queued again."), "success")
    else:  # nothing was changed
        flash(_("Only failed e-mails can be queued again."), "error")
    return redirect(url_for("system.mail_failed"))


@bp.route("/jobs/<queue_name>/<job_id>/requeue", methods=["POST"])
@login_required
@require("system.view")
def job_requeue(queue_name: str, job_id: str):
    """Put a failed RQ job back on its queue."""
    check_form()
    try:
        requeued = admin.requeue_job(get_redis(), queue_name, job_id)
    except (RedisError, OSError):
        flash(_("Redis is unreachable; nothing was requeued."), "error")
        return redirect(url_for("system.mail_failed"))
    if not requeued:
        abort(404)
    flash(_("The job is queued again."), "success")
    return redirect(url_for("system.mail_failed"))
