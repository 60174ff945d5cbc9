"""The main menu and the administration area's links, in one list each.

A feature adds its page with one line: `NavLink(endpoint, label, permission, icon)`. base.html renders
`MAIN_LINKS` (entries with `more=True` go under the "More" menu so the bar stays on one line at 1366 px);
the administration page (crm/admin) renders `ADMIN_LINKS`. An entry whose endpoint is not registered (a
feature switched off) or whose permission the user lacks is left out. Icons are ids in
crm/static/icons.svg.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from crm.permissions import can


@dataclass(frozen=True)
class NavLink:
    """One menu entry: where it goes, what it says, who sees it."""

    endpoint: str
    label: str
    permission: str | None  # None: every signed-in user
    icon: str
    more: bool = False  # under "More" in the main menu
    more_if: str | None = None  # under "More" for users with this permission (a second start page)
    description: str = ""  # one line on the administration page
    when: Callable[[], bool] | None = None  # a further condition (e.g. the page has something to show)


def registry_shown() -> bool:
    """Return whether the consultants registry has something for the user (its public part once published)."""
    from crm.consultants.services import anything_published, sees_everything

    return sees_everything(current_user) or anything_published()


MAIN_LINKS: list[NavLink] = [
    NavLink("main.index", _l("Dashboard"), "dashboard.view", "gauge"),
    NavLink("main.work", _l("My work"), "work.view", "home", more_if="dashboard.view"),
    NavLink("liaison.home", _l("Portal"), "portal.use", "handshake"),
    NavLink("organisations.index", _l("Organisations"), "org.view", "building"),
    NavLink("contacts.index", _l("Contacts"), "contact.view", "users"),
    NavLink("pipeline.board", _l("Board"), "pipeline.view", "columns"),
    NavLink("interactions.follow_up_list", _l("Follow-ups"), "interaction.view", "check"),
    NavLink("letters.index", _l("Letters"), "letter.view", "file"),
    NavLink("events.index", _l("Events"), "event.view", "calendar"),
    NavLink("reports.index", _l("Reports"), "report.view", "chart"),
    NavLink(
        "consultants.index", _l("Consultants"), "consultant.public", "users", more=True, when=registry_shown
    ),
    NavLink("agreements.index", _l("Agreements"), "agreement.view", "file", more=True),
    NavLink("results.gap_page", _l("Gap to target"), "result.gap", "target", more=True),
    NavLink("metrics.index", _l("Metrics"), "metrics.view", "gauge", more=True),
    NavLink("mailcapture.review", _l("E-mails to review"), "email.review", "mail", more=True),
    NavLink("admin.index", _l("Administration"), "admin.view", "settings", more=True),
]

ADMIN_LINKS: list[NavLink] = [
    NavLink(
        "users.index",
        _l("Users"),
        "user.admin",
        "user",
        description=_l("Accounts, roles and passwords."),
    ),
    NavLink(
        "pipeline.admin_programmes",
        _l("Programmes"),
        "reference.admin",
        "layers",
        description=_l("Programmes and their pipelines."),
    ),
    NavLink(
        "pipeline.admin_barriers",
        _l("Barriers"),
        "reference.admin",
        "tag",
        description=_l("The reference list of barriers companies report."),
    ),
    NavLink(
        "reports.indicators",
        _l("Indicators"),
        "report.view",
        "target",
        description=_l("Results framework indicators, targets and frozen periods."),
    ),
    NavLink(
        "reports.indicator_admin_list",
        _l("Indicator definitions"),
        "indicator.enter",
        "target",
        description=_l("Add computed or hand-entered indicators; enter their values per period."),
    ),
    NavLink(
        "training.admin_modules",
        _l("Training modules"),
        "reference.admin",
        "layers",
        description=_l("The modules trainings deliver, with their theme."),
    ),
    NavLink(
        "results.admin_factors",
        _l("Emission factors"),
        "reference.admin",
        "layers",
        description=_l("Grid and fuel factors with their source and year, versioned."),
    ),
    NavLink(
        "results.admin_measures",
        _l("Measures"),
        "reference.admin",
        "tag",
        description=_l("The measures companies adopt (furnace replacement, boiler tuning...)."),
    ),
    NavLink(
        "imports.index",
        _l("Imports"),
        "import.run",
        "upload",
        description=_l("Load spreadsheets, undo imports."),
    ),
    NavLink(
        "merge.duplicate_organisations",
        _l("Duplicate organisations"),
        "record.merge",
        "merge",
        description=_l("Find and merge organisations entered twice."),
    ),
    NavLink(
        "merge.duplicate_contacts",
        _l("Duplicate contacts"),
        "record.merge",
        "merge",
        description=_l("Find and merge contacts entered twice."),
    ),
    NavLink(
        "privacy.trail",
        _l("Read trail"),
        "privacy.trail_view",
        "search",
        description=_l("Who was shown which company's confidential data, when and from where."),
    ),
    NavLink(
        "system.index",
        _l("System"),
        "system.view",
        "server",
        description=_l("Workers, queues, mail and health."),
    ),
    NavLink(
        "mailcapture.mailboxes",
        _l("Mailboxes"),
        "mailbox.admin",
        "mail",
        description=_l("The IMAP mailboxes the CRM reads, and how each one is doing."),
    ),
    NavLink(
        "webhooks.index",
        _l("Webhooks"),
        "webhook.subscribe",
        "arrow-right",
        description=_l("Signed notifications of CRM events sent to other systems, and their delivery log."),
    ),
]


def shown(links: list[NavLink]) -> list[NavLink]:
    """Return the entries the signed-in user may open, in order."""
    views = current_app.view_functions
    return [
        placed(link)
        for link in links
        if link.endpoint in views
        and (link.permission is None or can(current_user, link.permission))
        and (link.when is None or link.when())
    ]


def placed(link: NavLink) -> NavLink:
    """Return the entry, moved under "More" when the user's start page already leads there."""
    return replace(link, more=True) if link.more_if and can(current_user, link.more_if) else link


def is_active(link: NavLink) -> bool:
    """Return whether the current page belongs to the entry's section."""
    endpoint = request.endpoint or ""
    if endpoint == link.endpoint:
        return True
    if any(endpoint == other.endpoint for other in MAIN_LINKS):  # a page with its own entry
        return False
    section = link.endpoint.partition(".")[0]
    return link.endpoint.endswith(".index") and endpoint.partition(".")[0] == section


def has_endpoint(endpoint: str) -> bool:
    """Return whether a page is registered (a feature may be switched off)."""
    return endpoint in current_app.view_functions


def icon(name: str, title: str | None = None) -> Markup:
    """Return an icon from the sprite: hidden from screen readers unless it carries its own name."""
    href = f"{url_for('static', filename='icons.svg')}#{escape(name)}"
    if title is None:
        return Markup('<svg class="icon" aria-hidden="true"><use href="{}"></use></svg>').format(href)
    return Markup('<svg class="icon" role="img" aria-label="{}"><use href="{}"></use></svg>').format(
        title, href
    )


def template_globals() -> dict[str, object]:
    """Return the helpers base.html uses to draw the menu."""
    return {
        "main_links": lambda: shown(MAIN_LINKS),
        "admin_links": lambda: shown(ADMIN_LINKS),
        "nav_active": is_active,
        "has_endpoint": has_endpoint,
        "icon": icon,
    }
