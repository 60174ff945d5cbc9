"""Every page each role can open fits the window at 1366×768 and at 390×844: nothing wider than the screen,
and no English text of the catalog shows on the Spanish pages.

The walk covers every GET route of the app: those without arguments, and those with ids filled with one real
record of each kind from the demo data (seeded into the test database), as that role sees it. A page the
role may not open (404), a download or a JSON answer is left out; a server error fails the test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from babel.messages.pofile import read_po
from flask import Flask, url_for
from sqlalchemy import select

from crm.consultants.services import visible_consultants
from crm.demo.services import seed_demo
from crm.extensions import db
from crm.models import (
    Agreement,
    Barrier,
    Consultant,
    Contact,
    Engagement,
    Event,
    FollowUp,
    ImportBatch,
    Indicator,
    Interaction,
    Letter,
    Organisation,
    OutboxMessage,
    Programme,
    TrainingModule,
    User,
    utcnow,
)
from crm.permissions import portal_associations, visible_contacts, visible_organisations
from tests.browser.conftest import ARTIFACTS, ROOT, sign_in

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
DEMO_PASSWORDS = {
    "admin": "Demo-admin-2026",
    "manager": "Demo-manager-2026",
    "staff": "Demo-staff-2026",
    "liaison": "Demo-liaison-2026",
    "viewer": "Demo-viewer-2026",
}
DOWNLOAD = re.compile(r"\.[a-z0-9]{2,5}$")
WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"
# The main menu's entries: how many rows they take and where the last ends; where the user menu starts.
MENU = """() => {
  const entries = document.querySelectorAll('.mainnav > a, .mainnav > details > summary');
  const links = [...entries].map(a => a.getBoundingClientRect());
  const user = document.querySelector('.usermenu > summary').getBoundingClientRect();
  return [new Set(links.map(l => Math.round(l.top))).size, Math.max(...links.map(l => l.right)), user.left];
}"""


# Pages that show English on purpose: the API's reference for developers, the reference lists kept in both
# languages, and the sources of the emission factors (citations).
BILINGUAL = (
    "/api/v1/docs",
    "/pipeline/admin/barriers",
    "/results/admin/factors",
    "/training/admin/modules",
)
BILINGUAL_PAGES = re.compile(r"^/events/\d+/invite$")  # the invitation's preview in Spanish and in English


def english_pattern() -> re.Pattern:
    """Match, as whole phrases, the catalog's English strings whose Spanish differs (no placeholders)."""
    with (ROOT / "crm/translations/es/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    phrases = set()
    for message in catalog:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        spanish = [message.string] if isinstance(message.string, str) else list(message.string)
        phrases |= {
            i for i in ids if len(i) >= 4 and "%(" not in i and i not in spanish and re.search("[a-z]{3}", i)
        }
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)({alternatives})(?!\w)")


def english_on(page, path: str, role: str, pattern: re.Pattern) -> list[str]:
    """Return the catalog's English phrases the page shows (a Spanish user's page must show none)."""
    if path.startswith(BILINGUAL) or BILINGUAL_PAGES.match(path) or DOWNLOAD.search(path):
        return []
    text = re.sub(r"\S*/\S*", " ", page.inner_text("body"))  # paths (/organisations/1) are not prose
    return [f"{role} {path}: English “{found}”" for found in sorted(set(pattern.findall(text)))]


def first(query) -> int | None:
    """Return the first id a query selects, or None."""
    return db.session.scalar(query.limit(1))


def first_of(model) -> Callable[[User], int | None]:
    """Resolve an argument to the first record of a model."""
    return lambda user: first(select(model.id).order_by(model.id))


def company_of(user: User) -> int | None:
    """Resolve org_id to a company the user sees, one with an engagement when there is one."""
    visible = visible_organisations(user).with_only_columns(Organisation.id)
    engaged = visible.where(Organisation.id.in_(select(Engagement.organisation_id)))
    return first(engaged.order_by(Organisation.id)) or first(visible.order_by(Organisation.id))


def association_of(user: User) -> int | None:
    """Resolve assoc_id to an association the user works for (liaisons) or any association."""
    mine = first(portal_associations(user).with_only_columns(Organisation.id))
    any_association = (
        select(Organisation.id).where(Organisation.kind == "association").order_by(Organisation.id)
    )
    return mine or first(any_association)


def contact_of(user: User) -> int | None:
    """Resolve contact_id to a contact the user sees."""
    return first(visible_contacts(user).with_only_columns(Contact.id).order_by(Contact.id))


ARGUMENTS: dict[str, Callable[[User], int | None]] = {
    "org_id": company_of,
    "organisation_id": company_of,
    "assoc_id": association_of,
    "contact_id": lambda user: first(
        visible_contacts(user).with_only_columns(Contact.id).order_by(Contact.id)
    ),
    "event_id": first_of(Event),
    "letter_id": first_of(Letter),
    "interaction_id": first_of(Interaction),
    "follow_up_id": first_of(FollowUp),
    "batch_id": first_of(ImportBatch),
    "user_id": first_of(User),
    "barrier_id": first_of(Barrier),
    "programme_id": first_of(Programme),
    "indicator_id": first_of(Indicator),
    "message_id": first_of(OutboxMessage),
    "engagement_id": first_of(Engagement),
    "module_id": first_of(TrainingModule),
    "agreement_id": first_of(Agreement),
    "consultant_id": lambda user: first(
        visible_consultants(user).with_only_columns(Consultant.id).order_by(Consultant.id)
    ),
}


def page_paths(app: Flask, user: User) -> list[str]:
    """Return the path of every GET page, ids filled as the user would reach them."""
    paths = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            values = {name: ARGUMENTS[name](user) if name in ARGUMENTS else None for name in rule.arguments}
            if all(value is not None for value in values.values()):
                paths.append(url_for(rule.endpoint, **values))
    return paths


def too_wide(page, path: str, role: str) -> list[str]:
    """Open a page and return how it overflows at each size (empty when it fits or is not a page)."""
    page.set_viewport_size(SIZES["desktop"])
    if DOWNLOAD.search(path):
        return []  # a file (.ics, .csv, .xlsx...), not a page
    response = page.goto(path)
    if response.status in (403, 404, 405) or "text/html" not in response.headers.get("content-type", ""):
        return []
    assert response.status < 500, f"{role} {path}: {response.status}"
    assert "/auth/" not in page.url or path.startswith("/auth/"), f"{role} {path}: signed out ({page.url})"
    found = []
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        scroll, window = page.evaluate(WIDTH)
        if scroll > window:
            name = f"layout-{role}-{size}-{path.strip('/').replace('/', '_') or 'home'}.png"
            page.screenshot(path=str(ARTIFACTS / name), full_page=False)
            found.append(f"{role} {size} {path}: {scroll} px in {window} px")
    return found


@pytest.fixture
def demo_users(app: Flask) -> dict[str, Any]:
    """Seed the demo data (committed, for the live server); return its user per role, each enrolled in
    two-step sign-in as the roles that require it must be (sign_in types the code)."""
    seed_demo()
    users = {
        role: db.session.scalar(select(User).where(User.email == f"{role}@demo.pe"))
        for role in DEMO_PASSWORDS
    }
    for user in users.values():
        user.totp_secret, user.totp_enabled_at = pyotp.random_base32(), utcnow()
    db.session.commit()
    return users


def test_every_page_fits_the_window_and_speaks_spanish_for_every_role(app, browser, live_server, demo_users):
    ARTIFACTS.mkdir(exist_ok=True)
    failures, visited, english = [], 0, english_pattern()
    for role, user in demo_users.items():
        context = browser.new_context(locale="es-PE", base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(20_000)
        sign_in(page, user.email, DEMO_PASSWORDS[role])
        page.set_viewport_size(SIZES["desktop"])
        rows, menu_end, user_menu = page.evaluate(MENU)
        assert rows == 1 and menu_end <= user_menu, f"{role}: the main menu does not fit one line at 1366 px"
        for path in page_paths(app, user):
            failures += too_wide(page, path, role)
            failures += english_on(page, path, role, english)
            visited += 1
        context.close()
    assert visited > 150, visited
    assert not failures, "\n".join(failures)
