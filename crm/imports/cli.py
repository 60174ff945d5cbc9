"""`flask crm import organisations|contacts|cofinance FILE [--dry-run]` for administrators and scripts.

Prints the preview's counts and every error; exits 1 when the file has errors (nothing is written),
0 when the dry run is clean or the import was written. The import itself runs in this process, in
one transaction, exactly as the background job does.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.clock import today
from crm.errors import UserError
from crm.extensions import db
from crm.models import IMPORT_KINDS, ImportBatch, User


def find_user(email: str | None) -> User | None:
    """Return the active user the import is recorded for, or stop with a message."""
    if not email:
        return None
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        raise click.ClickException(_("No active user has the e-mail %(email)s.", email=email))
    return user


def echo_counts(counts: dict[str, int]) -> None:
    """Print the counts of a pass."""
    order = ("rows", "create", "update", "unchanged", "error", "errors", "choices")
    values = {key: counts.get(key, 0) for key in order}
    message = _(
        "Rows: %(rows)s; new: %(create)s; to update: %(update)s; unchanged: %(unchanged)s; "
        "with errors: %(error)s (errors: %(errors)s); awaiting a choice: %(choices)s",
        **values,
    )
    click.echo(message)


def discard(batch: ImportBatch) -> None:
    """Forget a batch that will not be written, and its stored copy of the file."""
    from crm.imports.services import discard_file

    discard_file(batch)
    db.session.rollback()


@click.command("import")
@click.argument("kind", type=click.Choice([k for k in IMPORT_KINDS if k != "attendance"]))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and print what would happen; write nothing.")
@click.option("--as", "as_email", help="E-mail of the user the import is recorded for.")
@click.option(
    "--numbers",
    type=click.Choice(["auto", "point", "comma"]),
    default="auto",
    help="How the file writes numbers: point (1,234.56), comma (1.234,56) or auto (refuses 1.234).",
)
def import_command(kind: str, path: Path, dry_run: bool, as_email: str | None, numbers: str) -> None:
    """Import a CSV or XLSX file of organisations, contacts or co-finance commitments."""
    from crm.imports.jobs import run_import
    from crm.imports.mapping import mapping_problems, with_style
    from crm.imports.preview import context, run_pass, stored_path
    from crm.imports.rows import RowResult
    from crm.imports.services import create_batch

    user = find_user(as_email)
    try:
        batch = create_batch(kind, path, path.name, user.id if user else None)
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    batch.mapping = with_style(batch.mapping, numbers)
    problems = mapping_problems(kind, batch.mapping)
    if problems:
        discard(batch)
        raise click.ClickException(" ".join(problems))
    ctx = context(batch, today())
    failed: list[RowResult] = []
    result = run_pass(stored_path(batch), ctx, on_error=failed.append)
    echo_counts(result.counts)
    for row in failed:
        for key, message in row.errors:
            where = {"number": row.number, "column": ctx.column(key) or "-"}
            click.echo(_("row %(number)s, %(column)s: %(message)s", message=message, **where), err=True)
    if dry_run or failed:
        discard(batch)
        if failed:
            raise click.ClickException(_("The file has errors: nothing was written."))
        click.echo(_("Dry run: nothing was written."))
        return
    batch.counts, batch.status, batch.job_id = result.counts, "queued", None
    db.session.commit()
    outcome = run_import(batch.id)
    batch = db.session.get(ImportBatch, batch.id)
    if outcome != "done":
        raise click.ClickException(batch.error or _("The import failed: nothing was written."))
    click.echo(_("Import #%(id)s written.", id=batch.id))
