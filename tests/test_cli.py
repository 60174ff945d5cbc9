"""`flask crm create-user` and `flask crm seed-demo --if-empty`."""

from __future__ import annotations

from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Organisation, User

ARGS = ["crm", "create-user", "--email", "Nueva@PMU.pe", "--name", "Nueva Admin", "--role", "admin"]


def run(app, *args: str):
    """Invoke a CLI command the way `flask` does."""
    return app.test_cli_runner().invoke(args=list(args))


def messages(msgid: str, **values) -> set[str]:
    """Return the message in English and in Spanish (the CLI's language is the default one)."""
    with force_locale("es"):
        spanish = gettext(msgid, **values)
    return {msgid % values if values else msgid, spanish}


def users() -> int:
    """Count the accounts."""
    return db.session.scalar(select(func.count()).select_from(User))


def test_create_user(app):
    result = run(app, *ARGS, "--locale", "en", "--password", "Strong-pass-2026")
    assert result.exit_code == 0, result.output
    assert "Created nueva@pmu.pe (admin)." in result.output
    user = db.session.scalar(select(User).where(User.email == "nueva@pmu.pe"))
    assert (user.name, user.role, user.locale, user.active) == ("Nueva Admin", "admin", "en", True)
    assert user.check_password("Strong-pass-2026")


def test_create_user_refuses_a_taken_email(app, make_user):
    make_user("staff", email="nueva@pmu.pe")
    result = run(app, *ARGS, "--password", "Strong-pass-2026")
    assert result.exit_code != 0
    assert any(m in result.output for m in messages("A user with this e-mail already exists.")), result
    assert users() == 1


def test_create_user_refuses_a_weak_password(app):
    result = run(app, *ARGS, "--password", "short")
    assert result.exit_code != 0
    assert any(m in result.output for m in messages("Use at least %(n)s characters.", n=10)), result
    assert users() == 0


def test_create_user_refuses_an_unknown_role(app):
    result = run(
        app, "crm", "create-user", "--email", "x@pmu.pe", "--name", "X", "--role", "king", "--password", "x"
    )
    assert result.exit_code != 0 and "king" in result.output
    assert users() == 0


def test_seed_demo_if_empty_loads_once(app, make_user):
    result = run(app, "crm", "seed-demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert "Demo data: users=6, organisations=" in result.output
    db.session.expire_all()
    organisations = db.session.scalar(select(func.count()).select_from(Organisation))
    assert users() == 6 and organisations > 250
    again = run(app, "crm", "seed-demo", "--if-empty")
    assert again.exit_code == 0 and "Demo data skipped: the database already has users." in again.output
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == organisations


def test_seed_demo_if_empty_skips_a_database_in_use(app, make_user):
    make_user("admin")
    result = run(app, "crm", "seed-demo", "--if-empty")
    assert "Demo data skipped" in result.output
    assert users() == 1 and db.session.scalar(select(func.count()).select_from(Organisation)) == 0
