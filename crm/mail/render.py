"""Render an outbox row into subject, plain text and HTML, in the recipient's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import force_locale, get_locale, get_translations
from flask_babel import gettext as _
from jinja2 import pass_context
from markupsafe import Markup

from crm.extensions import db
from crm.mail.links import absolute_url, preferences_url
from crm.mail.transport import one_line
from crm.models import LOCALES, Organisation, OutboxMessage, User
from crm.web import format_locale


@dataclass(frozen=True)
class Rendered:
    """A rendered e-mail."""

    subject: str
    text: str
    html: str


def day(value: str | None) -> date | None:
    """Parse an ISO date stored in a payload."""
    return date.fromisoformat(value) if value else None


def org_name(organisation_id: int | None, fallback: str | None = None) -> str:
    """Return an organisation's current name (it may have changed since the row was written)."""
    org = db.session.get(Organisation, organisation_id) if organisation_id else None
    return org.legal_name if org is not None else (fallback or "—")


def follow_up_context(payload: dict) -> dict[str, Any]:
    """Context of the 'follow-up assigned to you' e-mail."""
    organisation_id = payload.get("organisation_id")
    return {
        "title": payload.get("title") or "",
        "due_on": day(payload.get("due_on")),
        "assigned_by": payload.get("assigned_by") or "",
        "organisation": org_name(organisation_id),
        "organisation_url": absolute_url("organisations.detail", org_id=organisation_id)
        if organisation_id
        else None,
        "list_url": absolute_url("interactions.follow_up_list"),
    }


def referral_context(payload: dict) -> dict[str, Any]:
    """Context of the 'company referred to you' e-mail."""
    organisation_id = payload.get("organisation_id")
    return {
        "organisation": org_name(organisation_id, payload.get("organisation")),
        "association": payload.get("association") or "",
        "programme": payload.get("programme") or "",
        "referred_by": payload.get("referred_by") or "",
        "organisation_url": absolute_url("organisations.detail", org_id=organisation_id)
        if organisation_id
        else None,
    }


def dated(items: list[dict], *fields: str) -> list[dict]:
    """Return payload items with their ISO date fields parsed."""
    return [{**item, **{f: day(item.get(f)) for f in fields}} for item in items]


def digest_context(payload: dict) -> dict[str, Any]:
    """Context of the daily digest: the sections stored in the payload."""
    return {
        "day": day(payload.get("day")),
        "overdue": dated(payload.get("overdue", []), "due_on"),
        "due_today": dated(payload.get("due_today", []), "due_on"),
        "stale": dated(payload.get("stale", []), "last_on"),
        "letters": dated(payload.get("letters", []), "requested_on"),
        "cofinance": [
            {**item, "pending_usd": Decimal(item.get("pending_usd") or "0")}
            for item in dated(payload.get("cofinance", []), "signed_on", "last_on")
        ],
        "more": payload.get("more", {}),
    }


def letter_context(payload: dict) -> dict[str, Any]:
    """Context of the 'letter overdue' e-mail."""
    return {**dated([payload], "requested_on")[0]}


def liaison_context(payload: dict) -> dict[str, Any]:
    """Context of the liaison's monthly reminder."""
    return {**payload, "members": dated(payload.get("members", []), "reviewed_on")}


def rate(pair: list[int] | None) -> str:
    """Format [numerator, denominator] as 'n / d (r %)' in the current language."""
    from crm.templating import fmt_number

    if not pair:
        return "—"
    numerator, denominator = pair
    percent = f" ({fmt_number(round(100 * numerator / denominator, 1))} %)" if denominator else ""
    return f"{fmt_number(numerator)} / {fmt_number(denominator)}{percent}"


def weekly_context(payload: dict) -> dict[str, Any]:
    """Context of the managers' weekly summary."""
    conversion = dated(payload.get("conversion", []), "on", "before_on")
    return {
        **payload,
        "conversion": conversion,
        "start": day(payload.get("start")),
        "end": day(payload.get("end")),
        "rate": rate,
    }


CONTEXTS: dict[str, Callable[[dict], dict[str, Any]]] = {
    "follow_up_assigned": follow_up_context,
    "referral": referral_context,
    "daily_digest": digest_context,
    "letter_overdue": letter_context,
    "liaison_review": liaison_context,
    "manager_weekly": weekly_context,
    "webhook_disabled": dict,
}


def subject(kind: str, context: dict[str, Any]) -> str:
    """Return the translated subject line of a kind of e-mail."""
    from crm.templating import fmt_date

    if kind == "follow_up_assigned":
        return _("New follow-up for you: %(title)s", title=context["title"][:120])
    if kind == "referral":
        return _("Company referred to you: %(name)s", name=context["organisation"])
    if kind == "daily_digest":
        return _("Your CRM digest for %(day)s", day=fmt_date(context["day"]))
    if kind == "letter_overdue":
        return _("Letter overdue: %(name)s", name=context.get("organisation", ""))
    if kind == "liaison_review":
        return _("%(n)s members to review", n=context.get("total") or len(context["members"]))
    if kind == "webhook_disabled":
        return _("Webhook disabled after repeated failures: %(url)s", url=context.get("url", "")[:150])
    return _(
        "Weekly summary, %(start)s – %(end)s", start=fmt_date(context["start"]), end=fmt_date(context["end"])
    )


def bound_gettext(translations: Any) -> Callable[..., str]:
    """Return the templates' gettext bound to one catalogue.

    Same behaviour as Jinja's new-style gettext that Flask-Babel installs, without looking the catalogue
    up again on each of the dozens of calls an e-mail makes.
    """

    @pass_context
    def gettext(context: Any, string: str, **variables: Any) -> str:
        """Translate, mark safe when autoescaping, and fill in the variables."""
        text = translations.ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - catalogue text is trusted, as in Jinja's own gettext
        return text % variables

    return gettext


def language_context() -> dict[str, Any]:
    """Return what the page context processor gives templates about the language (es, es-PE)."""
    found = get_locale()
    return {"current_locale": found.language, "current_lang_tag": str(found).replace("_", "-")}


def render_mail_template(name: str, context: dict[str, Any]) -> str:
    """Render one e-mail template with exactly the given context.

    Not Flask's render_template: its context processors serve pages (the signed-in user's sections,
    each asking permissions of the anonymous user a worker has), twice per e-mail, for nothing.
    """
    return current_app.jinja_env.get_template(name).render(context)


def render(message: OutboxMessage, user: User) -> Rendered:
    """Render the e-mail in the recipient's language with absolute links."""
    locale = user.locale if user.locale in LOCALES else LOCALES[0]
    with force_locale(format_locale(locale)):
        context = CONTEXTS[message.kind](message.payload or {})
        context.update(user=user, link=absolute_url, preferences_url=preferences_url(), kind=message.kind)
        context.update(language_context(), gettext=bound_gettext(get_translations()))
        context["subject"] = one_line(subject(message.kind, context))[:300]
        text = render_mail_template(f"mail/{message.kind}.txt", context)
        html = render_mail_template(f"mail/{message.kind}.html", context)
    return Rendered(context["subject"], text, html)
