"""Prepare a worker's main process so that each forked work horse starts warm.

RQ forks a fresh work horse per job. Whatever the parent already compiled — the e-mail templates, the
language catalogues and CLDR data, the SQL of the delivery path — every horse inherits, instead of
compiling it again for each batch of e-mails (that was a tenth of a second per batch).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from crm.extensions import db
from crm.mail import KIND_PERMISSIONS
from crm.models import LOCALES
from crm.web import format_locale

SENT_COLUMNS = (
    "body_html",
    "body_text",
    "last_error",
    "message_id",
    "sent_at",
    "status",
    "subject",
    "transport",
)


def compile_templates(app: Flask) -> None:
    """Load every e-mail template into Jinja's cache."""
    names = ["mail/_layout.html", "mail/_footer.txt"]
    # The kinds users receive have templates; mail to contacts (compose, events) is built in code.
    names += [f"mail/{kind}.{ext}" for kind in KIND_PERMISSIONS for ext in ("txt", "html")]
    for name in names:
        app.jinja_env.get_template(name)


def load_locales() -> None:
    """Load each language's catalogue and date and number formats."""
    from crm.templating import fmt_date, fmt_number

    for locale in LOCALES:
        with force_locale(format_locale(locale)):
            _("Hello %(name)s,", name="")
            fmt_date(date.today())
            fmt_number(Decimal("1234.5"))


def compile_queries(app: Flask) -> None:
    """Run the delivery path's statements once on no rows, so that SQLAlchemy caches their SQL."""
    from crm.mail.delivery import deliver
    from crm.mail.recorder import finish

    try:
        deliver([])
        finish(0, "-", **{name: None for name in SENT_COLUMNS})  # no row has id 0: changes nothing
    except SQLAlchemyError as exc:  # a worker must start even if the database is not up yet
        db.session.rollback()
        app.logger.warning("mail warm-up skipped: %s", exc)
    finally:
        db.session.remove()


def warm_up(app: Flask) -> None:
    """Compile templates, catalogues and SQL in this process, before RQ forks work horses."""
    with app.app_context():
        compile_templates(app)
        load_locales()
        compile_queries(app)
