"""Import steps: upload, column mapping, preview (dry run), commit as a job with progress, undo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, after_this_request, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from crm import jobs
from crm.clock import today
from crm.errors import UserError, discard_work
from crm.imports import attendance, commit, conventions, preview_job, services, undo_job
from crm.imports.blueprint import bp
from crm.imports.forms import CommitForm, CsrfForm, UploadForm, chosen_mapping, mapping_form, number_choices
from crm.imports.mapping import clean_mapping, fields_of, number_style, reads_numbers
from crm.imports.preview import SHOWS, Listing, number_columns, preview, stored_path
from crm.imports.reading import ImportFileError, headers_of, sample
from crm.imports.undo import MAX_LISTED
from crm.labels import LABELS
from crm.models import IMPORT_KINDS, ImportBatch
from crm.pagination import Page, page_number, paginate
from crm.permissions import get_or_404, require
from crm.web import page_size

PREVIEW_PAGE = 50


@bp.url_value_preprocessor
def raise_upload_limit(endpoint: str | None, _values: Any) -> None:
    """Let import uploads exceed MAX_UPLOAD_MB (set before the CSRF check reads the form)."""
    if endpoint == "imports.upload":
        request.max_content_length = services.max_bytes()


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc: RequestEntityTooLarge):
    """Explain the size limit on the upload page instead of a bare 413; nothing was stored."""
    form = upload_form(UploadForm(formdata=None))
    return render_template("imports/upload.html", form=form, problem=services.too_large_message()), 413


def labels() -> dict[str, Any]:
    """Return the labels the import templates show."""
    return {"status_labels": LABELS["import_status"], "kind_labels": LABELS["import_kind"]}


def get_batch(batch_id: int) -> ImportBatch:
    """Return a batch the user may see, or 404."""
    return get_or_404(services.visible_batches(current_user), batch_id)


@bp.route("/")
@login_required
@require("import.run")
def index():
    """List the import batches the user may see, newest first."""
    query = services.visible_batches(current_user).order_by(ImportBatch.id.desc())
    page = paginate(query, page_size(), page_number("page"))
    return render_template("imports/index.html", page=page, **labels())


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require("import.run")
def upload():
    """Upload a file; it is read once (empty, binary, header-only and oversized files are refused).

    /imports/new?kind=attendance&event=<id> opens it ready for that event's sign-in sheet.
    """
    form = upload_form(UploadForm())
    if not form.validate_on_submit():
        return render_template("imports/upload.html", form=form), 400 if form.errors else 200
    file = form.upload.data
    try:
        event_id = attendance.chosen_event(current_user, form.kind.data, form.event.data)
        batch = services.create_batch(form.kind.data, file, file.filename, current_user.id, event_id)
    except UserError as exc:
        discard_work()
        return render_template("imports/upload.html", form=form, problem=exc.message), 400
    return redirect(url_for("imports.mapping", batch_id=batch.id))


def upload_form(form: UploadForm) -> UploadForm:
    """Offer the events, and preset the kind and event a link asks for (?kind=attendance&event=<id>)."""
    wanted = request.args.get("event") if request.method == "GET" else form.event.data
    form.set_events(attendance.event_choices(wanted))
    if request.method == "GET" and request.args.get("kind") in IMPORT_KINDS:
        form.kind.data = request.args["kind"]
    if request.method == "GET" and attendance.event_id_of(wanted):
        form.event.data = wanted
    return form


def file_headers(batch: ImportBatch) -> list[str] | None:
    """Return the stored file's headers, or None when the file can no longer be read."""
    try:
        return headers_of(stored_path(batch))
    except (ImportFileError, OSError):
        return None


@bp.route("/<int:batch_id>/mapping", methods=["GET", "POST"])
@login_required
@require("import.run")
def mapping(batch_id: int):
    """Show which column fills which field, and let the user change it."""
    batch = get_batch(batch_id)
    headers = file_headers(batch)
    if batch.status != "previewed" or headers is None:
        return redirect(url_for("imports.detail", batch_id=batch.id))
    chosen_columns = clean_mapping(batch.kind, batch.mapping, len(headers))
    form = mapping_form(batch.kind, headers, chosen_columns, number_style(batch.mapping))
    problem = None
    if form.validate_on_submit():
        chosen, repeated = chosen_mapping(form, len(headers))
        names = ", ".join(str(fields_of(batch.kind)[k].label) for k in repeated)
        problem = (
            _("Each field can come from one column only: %(fields)s.", fields=names) if repeated else None
        )
        try:
            if not problem:
                services.save_mapping(batch, chosen, form.numbers.data if "numbers" in form else None)
                return redirect(url_for("imports.detail", batch_id=batch.id))
        except UserError as exc:
            discard_work()
            problem = exc.message
    status = 400 if problem or form.errors else 200
    rows, numbers = sample(stored_path(batch)), numbers_found(batch, chosen_columns)
    return render_template(
        "imports/mapping.html", batch=batch, form=form, rows=rows, problem=problem, numbers_found=numbers
    ), status


def numbers_found(batch: ImportBatch, columns: dict[str, int]) -> str | None:
    """Say what the file's number cells settle (for the mapping step's question), if it has any."""
    found = number_columns(batch.kind, columns)
    return conventions.explained(conventions.evidence(stored_path(batch), found)) if found else None


@bp.route("/<int:batch_id>")
@login_required
@require("import.run")
def detail(batch_id: int):
    """Show the preview of a batch not yet started, else its progress or result."""
    batch = get_batch(batch_id)
    if batch.status == "previewed":
        return preview_page(batch)
    if commit.job_lost(batch):
        (undo_job.mark_lost if batch.status in undo_job.UNDO_STATES else commit.mark_lost)(batch)
    return render_batch(batch)


def render_batch(batch: ImportBatch):
    """Render a started batch: progress, counts, the failure reason, the undo button or what stopped it."""
    facts = (batch.counts or {}) if batch.status == "done" else {}
    conflicts = facts.get("undo_conflicts") or []
    return render_template(
        "imports/batch.html",
        batch=batch,
        done=commit.progress(batch),
        csrf_form=CsrfForm(),
        conflicts=conflicts[:MAX_LISTED],
        conflict_total=facts.get("undo_conflict_total", len(conflicts)),
        undo_error=facts.get("undo_error"),
        **labels(),
    )


def preview_page(batch: ImportBatch):
    """Run the dry run and show one page of rows with their actions and errors (nothing is written)."""
    headers = file_headers(batch)
    if headers is None:
        flash(_("The stored file can no longer be read; upload it again."), "error")
        return redirect(url_for("imports.index"))
    show = request.args.get("show") if request.args.get("show") in SHOWS else "all"
    number = page_number("page")
    result = dry_run(batch, show, number)
    if result is None:
        return preparing_page(batch)
    return render_template(
        "imports/preview.html",
        batch=batch,
        result=result,
        page=Page(result.rows, result.listed, number, PREVIEW_PAGE),
        show=show,
        column=lambda key: column_name(batch, headers, key),
        field_label=lambda key: field_label(batch, key),
        commit_form=CommitForm(formdata=None),
        csrf_form=CsrfForm(),
        numbers=dict(number_choices())[number_style(batch.mapping)] if reads_numbers(batch.kind) else None,
        **labels(),
    )


def dry_run(batch: ImportBatch, show: str, number: int) -> Any:
    """Return the preview's page of rows: run in the request for a small file, else stored by its job."""
    offset = (number - 1) * PREVIEW_PAGE
    if preview_job.in_request(batch):
        result = preview(batch, today(), Listing(show, offset, PREVIEW_PAGE))
        services.record_preview(batch, result.counts)
        return result
    return preview_job.stored_result(batch, str(get_locale()), show, offset, PREVIEW_PAGE)


def preparing_page(batch: ImportBatch):
    """Start the preview job of a large file (once) and show its progress until the preview is ready."""
    if (ident := preview_job.ask_for(batch, str(get_locale()))) is not None:
        after_this_request(hand_over(ident))
    done = preview_job.progress(batch.id)
    return render_template("imports/preparing.html", batch=batch, done=done, **labels())


def column_name(batch: ImportBatch, headers: list[str], key: str) -> str:
    """Return the header of the column a field came from."""
    column = (batch.mapping or {}).get(key)
    if isinstance(column, int) and 0 <= column < len(headers) and headers[column]:
        return headers[column]
    return field_label(batch, key)


def field_label(batch: ImportBatch, key: str) -> str:
    """Return the name of a field of the batch's kind."""
    known = fields_of(batch.kind).get(key)
    return str(known.label) if known else key


@bp.route("/<int:batch_id>/decisions", methods=["POST"])
@login_required
@require("import.run")
def decisions(batch_id: int):
    """Keep the user's choices between updating a matched record and creating a new one."""
    batch = get_batch(batch_id)
    if CsrfForm().validate_on_submit():
        choices = {
            k.removeprefix("decision-"): v for k, v in request.form.items() if k.startswith("decision-")
        }
        try:
            services.save_decisions(batch, choices)
            flash(_("Your choices were saved; the preview below uses them."), "success")
        except UserError as exc:
            discard_work()
            flash(exc.message, "error")
    args = {k: v for k, v in request.args.items() if k in ("show", "page")}
    return redirect(url_for("imports.detail", batch_id=batch.id, **args))


@bp.route("/<int:batch_id>/numbers", methods=["POST"])
@login_required
@require("import.run")
def numbers(batch_id: int):
    """Keep how the file writes numbers, chosen where the preview found ambiguous ones."""
    batch = get_batch(batch_id)
    if CsrfForm().validate_on_submit():
        try:
            services.save_numbers(batch, request.form.get("numbers", ""))
        except UserError as exc:
            discard_work()
            flash(exc.message, "error")
    return redirect(url_for("imports.detail", batch_id=batch.id))


@bp.route("/<int:batch_id>/commit", methods=["POST"])
@login_required
@require("import.run")
def start(batch_id: int):
    """Queue the import as a job; it runs all-or-nothing in the background."""
    batch = get_batch(batch_id)
    form = CommitForm()
    if not form.validate_on_submit():
        return redirect(url_for("imports.detail", batch_id=batch.id))
    try:
        commit.queue_batch(batch, form.skip_errors.data)
    except UserError as exc:
        discard_work()
        flash(exc.message, "error")
        return redirect(url_for("imports.detail", batch_id=batch.id))
    after_this_request(hand_over(batch.job_id))
    return redirect(url_for("imports.detail", batch_id=batch.id))


def hand_over(job_id: str) -> Callable[[Response], Response]:
    """Return the callback that hands the job to the queue once the request has committed the batch."""

    def enqueue_after_commit(response: Response) -> Response:
        """Hand the job over now, or say that it starts once the job queue answers again."""
        if response.status_code >= 400:
            return response  # the request's work was rolled back: the batch is not queued
        if job_id in jobs.hand_over_started():
            flash(_("The import has started. This page shows its progress."), "success")
        else:
            flash(_("The job queue cannot be reached right now. The import is queued and starts as soon "
                    "as the queue answers again."), "warning")  # fmt: skip
        return response

    return enqueue_after_commit


@bp.route("/<int:batch_id>/progress")
@login_required
@require("import.run")
def progress(batch_id: int):
    """Answer the job's progress as JSON, for the progress bar."""
    batch = get_batch(batch_id)
    if batch.status == "previewed" and not preview_job.in_request(batch):
        ready = preview_job.summary(batch, preview_job.preview_key(batch, str(get_locale())))
        if ready is None:
            done, total = preview_job.progress(batch.id), batch.total_rows
            return jsonify(status="preparing", done=done, total=total, label=_("Preparing the preview"))
    done = commit.progress(batch)
    return jsonify(
        status=batch.status,
        done=done,
        total=batch.total_rows,
        label=str(LABELS["import_status"][batch.status]),
    )


@bp.route("/<int:batch_id>/errors.csv")
@login_required
@require("import.run")
def error_rows(batch_id: int):
    """Download the rows with errors (as read, plus an errors column) to fix and upload again."""
    from crm.imports.preview import error_file

    batch = get_batch(batch_id)
    if file_headers(batch) is None:
        return redirect(url_for("imports.detail", batch_id=batch.id))
    headers = {"Content-Disposition": f'attachment; filename="import-{batch.id}-errors.csv"'}
    return Response(error_file(batch, today()), mimetype="text/csv; charset=utf-8", headers=headers)


@bp.route("/<int:batch_id>/undo", methods=["POST"])
@login_required
@require("import.undo")
def undo(batch_id: int):
    """Start undoing a finished import as a job; its page follows it and lists later edits that stop it."""
    batch = get_or_404(select(ImportBatch), batch_id)
    if not CsrfForm().validate_on_submit():
        return redirect(url_for("imports.detail", batch_id=batch.id))
    try:
        undo_job.queue_undo(batch, current_user)
    except UserError as exc:
        discard_work()
        flash(exc.message, "error")
        return redirect(url_for("imports.detail", batch_id=batch.id))
    after_this_request(hand_over(batch.job_id))
    flash(_("The import is being undone. This page shows when it has finished."), "success")
    return redirect(url_for("imports.detail", batch_id=batch.id))
