"""Flask extensions, created unbound and initialised in create_app()."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event

from crm.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_db(app: Flask) -> None:
    """Bind Flask-SQLAlchemy; on SQLite, make every connection enforce foreign keys as PostgreSQL does."""
    db.init_app(app)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", enforce_foreign_keys)


def enforce_foreign_keys(dbapi_connection, _record) -> None:  # noqa: ANN001 - the DB-API connection
    """Turn SQLite's foreign keys on (off by default): deletes cascade, dangling ids are refused."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def select_locale() -> str:
    """Pick the signed-in user's language, else the browser's, else Spanish."""
    from flask import current_app

    from crm.web import format_locale

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs: the default language
        return format_locale(languages[0])
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return format_locale(current_user.locale)
    if request.args.get("lang") in languages:  # the language links of the public pages
        return format_locale(request.args["lang"])
    return format_locale(request.accept_languages.best_match(languages) or languages[0])


def init_babel(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector."""
    babel.init_app(app, locale_selector=select_locale)


def init_limiter(app: Flask) -> None:
    """Bind Flask-Limiter to the app's Redis (or memory when there is none), with the app's timeouts.

    A Redis that fails or hangs switches the limiter to its in-memory fallback (RATELIMIT_IN_MEMORY_FALLBACK
    _ENABLED), which keeps the sign-in limits per address and per account.
    """
    from crm.redis_conn import limiter_options, limiter_storage

    app.config.setdefault("RATELIMIT_STORAGE_URI", None)
    app.config["RATELIMIT_STORAGE_URI"] = limiter_storage(app)
    app.config["RATELIMIT_STORAGE_OPTIONS"] = limiter_options(app, app.config["RATELIMIT_STORAGE_URI"])
    limiter.init_app(app)
