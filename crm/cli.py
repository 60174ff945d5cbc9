"""`flask crm ...` commands for administrators and the dev runner (wsgi.py adds `worker` and `scheduler`)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from crm.extensions import db

crm_cli = AppGroup("crm", help="CRM administration, workers and demo data.")


@crm_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "manager", "staff", "liaison", "viewer"]))
@click.option("--locale", default="es", type=click.Choice(["es", "en"]))
@click.password_option(help="Prompted (hidden) when not given.")
def create_user(email: str, name: str, role: str, locale: str, password: str) -> None:
    """Create a user account (or fail if the e-mail is taken)."""
    from crm.users.services import UserError
    from crm.users.services import create_user as create

    try:
        user = create(email=email, name=name, role=role, locale=locale, password=password)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role}).")


@crm_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when no user exists yet (first start).")
def seed_demo(if_empty: bool) -> None:
    """Load the demo data set (safe to run again: it only adds what is missing)."""
    from sqlalchemy import func, select

    from crm.demo.services import seed_demo as seed
    from crm.models import User

    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("Demo data skipped: the database already has users.")
        return
    counts = seed()
    db.session.commit()
    click.echo("Demo data: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@crm_cli.command("rebuild-aggregates")
def rebuild_aggregates() -> None:
    """Rebuild the maintained aggregates (stage and company reach, last interactions, stage ranks)."""
    from crm.interactions import last_seen
    from crm.pipeline import company_reach, stage_rank
    from crm.pipeline.reach import rebuild

    rows = rebuild(db.session.connection())
    companies = company_reach.rebuild(db.session.connection())
    last_seen.rebuild(db.session.connection())
    stage_rank.rebuild(db.session.connection())
    db.session.commit()
    click.echo(
        f"stage_reach: {rows} rows rebuilt from the stage history; company_reach: {companies} rows; "
        "last interaction dates and stage ranks recomputed."
    )


@crm_cli.command("run-all")
@click.option("--port", default=5000, show_default=True)
def run_all(port: int) -> None:
    """Start web app, worker and scheduler together (development)."""
    from crm.devrun import run

    raise SystemExit(run(current_app._get_current_object(), port))  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    """Register the command group."""
    from crm.imports.cli import import_command
    from crm.reports.cli import report
    from crm.system.backup_cli import COMMANDS as BACKUP_COMMANDS
    from crm.system.encryption import COMMANDS as KEY_COMMANDS

    crm_cli.add_command(report)
    crm_cli.add_command(import_command)
    for command in BACKUP_COMMANDS + KEY_COMMANDS:
        crm_cli.add_command(command)
    app.cli.add_command(crm_cli)
