"""XSS: hostile text typed through the real forms is shown escaped on every page that renders it.

Each hostile value names its field (a tag such as `org-legal`) and carries three payloads at once: a script
element, a break-out of an attribute with an event handler, and a Jinja expression. The test types them
into every free-text field as the users who may fill them, then signs in as each role and crawls every
page reachable from the menus and the records (following links), checking each HTML page with a real
parser: no <script> without src, no on* attribute, no <img src=x>, no javascript: link. The expected
pages must show the escaped text, so a page that stopped showing a field (or showed it twice-escaped)
is noticed too; the Jinja expression must come out literally.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urldefrag, urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import select, update

from crm import clock
from crm.extensions import db
from crm.mail.delivery import deliver
from crm.metrics.jobs import compute_metric_snapshots
from crm.models import (
    Barrier,
    Contact,
    Engagement,
    Event,
    FollowUp,
    ImportBatch,
    Letter,
    Membership,
    Organisation,
    OutboxMessage,
    Programme,
    Sector,
    User,
)
from crm.redis_conn import get_redis
from tests.common_support import sign_in as sign_in_fully
from tests.conftest import PASSWORD
from workers.worker import run_worker

SCRIPT = '<script>alert("x")</script>'
BREAK_OUT = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
SKIPPED = ("/static/", "/auth/logout")
MAX_PAGES = 700
MAX_VARIANTS = 6  # the same path with different query strings (sort, page, filters)


def evil(tag: str) -> str:
    """Return a hostile value that names its field."""
    return f"{tag}{SCRIPT}{BREAK_OUT}{TEMPLATE}"


def shown(tag: str) -> str:
    """Return how the hostile value must appear in HTML: escaped, the template expression literal."""
    return str(escape(evil(tag)))


class Inspector(HTMLParser):
    """Collect the links of a page and anything a browser would run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Check one element's name and attributes."""
        names = {name for name, _value in attrs}
        for name, value in attrs:
            text = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and text.startswith(("javascript:", "vbscript:", "data:text")):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if tag == "img" and name == "src" and value == "x":
                self.problems.append("<img src=x>")
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "a" and (href := dict(attrs).get("href")):
            self.links.append(href)

    handle_startendtag = handle_starttag


def inspect_html(html: str) -> Inspector:
    """Parse a page; return its links and problems."""
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    if "<script>alert" in html:
        inspector.problems.append("raw <script>alert")
    return inspector


# --- the hostile world, typed through the forms ---------------------------------------------------------


def signed_in(app, user: SimpleNamespace):
    """Return a new browser with the user signed in through the login form."""
    browser = app.test_client()
    response = sign_in_fully(browser, user, PASSWORD)
    assert response.status_code == 302, response.data[:300]
    return browser


def submit(browser, url: str, **fields):
    """Submit a form ("@tag" values become the tagged hostile value) and check it was accepted."""
    data = {key.replace("__", "-"): hostile(value) for key, value in fields.items()}
    response = browser.post(url, data=data)
    assert response.status_code == 302, (url, response.status_code, response.get_data(as_text=True)[:3000])
    return response


def hostile(value):
    """Turn "@tag" into the hostile value of that tag; leave anything else."""
    return evil(value[1:]) if isinstance(value, str) and value.startswith("@") else value


def one(model, **filters) -> int:
    """Return the id of the single row matching the filters."""
    return db.session.scalars(select(model.id).filter_by(**filters)).one()


def version(model, ident: int) -> int:
    """Return a row's current version (for the optimistic-locking forms)."""
    db.session.expire_all()
    return db.session.get(model, ident).version_id


def person(user: User) -> SimpleNamespace:
    """Keep what the test needs of a user (ORM rows expire when other app contexts commit)."""
    return SimpleNamespace(id=user.id, email=user.email)


def admin_lists(admin, w: SimpleNamespace) -> None:
    """As an administrator: a programme, a barrier and a user, all with hostile names."""
    programme = {"name_es": "@prog-es", "name_en": "@prog-en", "description": "@prog-desc"}
    submit(admin, "/pipeline/admin/programmes/new", code="XSS", active="y", **programme)
    submit(
        admin,
        "/pipeline/admin/barriers/new",
        code="xss",
        reason_es="@bar-es",
        reason_en="@bar-en",
        active="y",
    )
    password = {"password": "Evil-staff-2026", "confirm": "Evil-staff-2026"}
    submit(admin, "/users/new", email="evil@pmu.pe", name="@user-name", role="staff", locale="en", **password)
    w.programme, w.barrier = one(Programme, code="XSS"), one(Barrier, code="xss")
    w.evil_staff = one(User, email="evil@pmu.pe")


ORG_BLANKS = dict.fromkeys(
    ("ruc", "sector_id", "size", "district_id", "trade_name", "notes", "website", "owner_id"), ""
)


def organisations(staff, w: SimpleNamespace) -> None:
    """As staff: an association and a company (every text field hostile), the membership, a contact."""
    submit(staff, "/organisations/new", **{**ORG_BLANKS, "kind": "association", "legal_name": "@assoc-name"})
    w.assoc = one(Organisation, legal_name=evil("assoc-name"))
    company = {"legal_name": "@org-legal", "trade_name": "@org-trade", "notes": "@org-notes"}
    website = "https://fundicion.example.pe/" + BREAK_OUT  # a valid address that tries to leave the attribute
    owner = {"owner_id": w.evil_staff, "sector_id": w.sector, "website": website}
    submit(staff, "/organisations/new", **{**ORG_BLANKS, "kind": "company", **company, **owner})
    w.org = one(Organisation, legal_name=evil("org-legal"))
    submit(staff, f"/organisations/{w.org}/memberships", association_id=w.assoc, status="active", since="")
    w.membership = one(Membership, company_id=w.org)
    person_ = {"first_name": "@c-first", "last_name": "@c-last", "position": "@c-pos", "gender": "female"}
    phone = {"email": "ana@fundicion.example.pe", "phone": "+51 (1) 234-5678", "organisation_id": w.org}
    submit(staff, f"/contacts/new?organisation_id={w.org}", **person_, **phone)
    w.contact = one(Contact, first_name=evil("c-first"))


def interactions(staff, w: SimpleNamespace) -> None:
    """As staff: a meeting with a follow-up for a colleague, and a follow-up of one's own due today."""
    today = clock.today().isoformat()
    texts = {"summary": "@i-sum", "outcome": "@i-out", "next_step": "@i-next"}
    task = {"follow_up_due": today, "follow_up_assignee": w.evil_staff, "follow_up_description": "@fu-desc"}
    meeting = {"kind": "meeting", "occurred_on": today, "contact_ids": [w.contact], "staff_id": w.staff.id}
    submit(staff, f"/interactions/new?organisation_id={w.org}", **meeting, **texts, **task)
    own = {"organisation_id": w.org, "assignee_id": w.staff.id, "due_on": today}
    submit(staff, "/interactions/follow-ups/new", description="@fu-own", **own)
    w.follow_up = one(FollowUp, description=evil("fu-own"))


LETTER_BLANKS = dict.fromkeys(
    ("programme_id", "requested_on", "received_on", "signed_on", "expires_on", "signatory_id", "amount"), ""
) | dict.fromkeys(("exchange_rate", "cofinance_type", "cofinancier_type", "component"), "")


def letters(staff, w: SimpleNamespace) -> None:
    """As staff: a requested letter of interest and a signed co-finance letter with a materialisation."""
    today, url = clock.today().isoformat(), f"/letters/new?organisation_id={w.org}"
    requested = (clock.today() - timedelta(days=40)).isoformat()
    interest = {"kind": "interest", "status": "requested", "requested_on": requested, "currency": "USD"}
    submit(staff, url, **{**LETTER_BLANKS, **interest, "notes": "@l-notes"})
    signed = {"kind": "cofinance", "status": "signed", "signed_on": today, "signatory_id": w.contact}
    money = {"amount": "150000", "currency": "USD", "cofinance_type": "equity", "cofinancier_type": "private"}
    submit(staff, url, **{**LETTER_BLANKS, **signed, **money, "component": "2", "notes": "@cf-notes"})
    w.cofinance = one(Letter, kind="cofinance")
    submit(
        staff, f"/letters/{w.cofinance}/materialisations", occurred_on=today, amount="1000", note="@mat-note"
    )


def events(staff, w: SimpleNamespace) -> None:
    """As staff: a training with hostile texts and a person quick-added to it."""
    texts = {"title": "@ev-title", "place": "@ev-place", "training_module": "@ev-mod", "notes": "@ev-notes"}
    training = {"type": "training", "held_on": clock.today().isoformat(), "programme_id": w.programme}
    submit(staff, "/events/new", **texts, **training)
    w.event = one(Event, title=evil("ev-title"))
    names = {"first_name": "@qa-first", "last_name": "@qa-last"}
    submit(staff, f"/events/{w.event}/people", **names, organisation_id=w.org, gender="female", email="")


def move(staff, engagement: int, to_stage: str, **fields) -> None:
    """Move an engagement through the move form, with the version just loaded."""
    today = clock.today().isoformat()
    version_id = version(Engagement, engagement)
    url = f"/pipeline/engagements/{engagement}/move"
    submit(staff, url, version=version_id, to_stage=to_stage, occurred_on=today, **fields)


def pipeline(staff, w: SimpleNamespace) -> None:
    """As staff: engage the company (referred by the association) with a note, and move it on."""
    start = {"programme_id": w.programme, "to_stage": "contacted", "occurred_on": clock.today().isoformat()}
    fields = {"source_association_id": w.assoc, "note": "@eng-note", **start}
    submit(staff, f"/pipeline/organisations/{w.org}/engage", **{f"engage__{k}": v for k, v in fields.items()})
    move(staff, one(Engagement, organisation_id=w.org), "meeting_held", note="@mv-note")


def liaison_portal(liaison, w: SimpleNamespace) -> None:
    """As the liaison: a status note and a referred new company (which staff then records as declined)."""
    submit(liaison, f"/portal/members/{w.membership}", status="active", note="@li-note", back="")
    place = {"ruc": "", "sector_id": "", "district_id": ""}
    referral = {"status": "prospective", "programme_id": w.programme}
    submit(liaison, f"/portal/{w.assoc}/new-company", legal_name="@li-new", **place, **referral)
    w.referred = one(Organisation, legal_name=evil("li-new"))
    exiting = one(Engagement, organisation_id=w.referred)
    move(w.staff_client, exiting, "declined", barrier_id=w.barrier, note="@exit-note")


def spreadsheet_import(app, staff, w: SimpleNamespace) -> None:
    """As staff: import organisations from a CSV with a hostile name cell and column header."""
    content = (
        f"Razón social;RUC;Web;{evil('imp-head')}\n"
        f"{evil('imp-name')};;https://importada.example.pe;x\n"
        "Otra Importada SAC;;javascript:alert(1);x\n"
    )
    upload = {"kind": "organisations", "upload": (io.BytesIO(content.encode()), "empresas.csv")}
    response = staff.post("/imports/new", data=upload, content_type="multipart/form-data")
    w.batch = int(re.search(r"/imports/(\d+)", response.headers["Location"]).group(1))
    mapping = staff.get(f"/imports/{w.batch}/mapping").get_data(as_text=True)
    assert shown("imp-head") in mapping and not inspect_html(mapping).problems
    preview = staff.get(f"/imports/{w.batch}").get_data(as_text=True)
    assert shown("imp-name") in preview and not inspect_html(preview).problems
    assert "Otra Importada SAC" in preview  # its javascript: address is an error, not a link
    submit(staff, f"/imports/{w.batch}/commit", skip_errors="y")
    run_worker(app, get_redis(app), ["default"], burst=True)
    db.session.expire_all()
    assert db.session.get(ImportBatch, w.batch).status == "done"
    assert db.session.scalar(select(Organisation.id).filter_by(legal_name="Otra Importada SAC")) is None


def mail_and_metrics() -> None:
    """Render the queued e-mails (stored, no SMTP) and take today's conversion snapshot."""
    ids = list(db.session.scalars(select(OutboxMessage.id)))
    assert ids, "the follow-up and the referral should have queued e-mails"
    deliver(ids)
    db.session.expire_all()
    assert all(m.body_html for m in db.session.scalars(select(OutboxMessage)))
    compute_metric_snapshots(clock.today())


@pytest.fixture
def hostile_sector():
    """Give a reference sector a hostile name for the test (reference rows outlive the test: restored)."""
    query = select(Sector).where(Sector.parent_id.is_not(None)).order_by(Sector.id)
    sector = db.session.scalars(query).first()
    ident, saved = sector.id, {"name_es": sector.name_es, "name_en": sector.name_en}
    sector.name_es, sector.name_en = evil("sector-es"), evil("sector-en")
    db.session.commit()
    yield ident
    db.session.rollback()
    db.session.execute(update(Sector).where(Sector.id == ident).values(**saved))
    db.session.commit()


@pytest.fixture
def world(app, client, en_user, make_liaison, hostile_sector, tmp_path, monkeypatch):
    """Type hostile text into every free-text field, as the roles that fill them."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    w = SimpleNamespace(sector=hostile_sector, staff_client=client)
    w.staff, w.manager, w.admin, w.viewer = (
        person(en_user(r)) for r in ("staff", "manager", "admin", "viewer")
    )
    assert sign_in_fully(client, w.staff, PASSWORD).status_code == 302
    w.admin_client = signed_in(app, w.admin)
    admin_lists(w.admin_client, w)
    for step in (organisations, interactions, letters, events, pipeline):
        step(client, w)
    w.liaison = person(make_liaison(db.session.get(Organisation, w.assoc)))
    w.liaison_client = signed_in(app, w.liaison)
    liaison_portal(w.liaison_client, w)
    spreadsheet_import(app, client, w)
    mail_and_metrics()
    return w


# --- crawling -------------------------------------------------------------------------------------------


def local(href: str) -> str | None:
    """Return a same-site path worth visiting, or None."""
    url = urldefrag(href)[0]
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not url.startswith("/"):
        return None
    if parts.path.startswith(SKIPPED):
        return None
    return url


def crawl(browser, starts: list[str]) -> dict[str, str]:
    """Visit every page reachable from the starts; return {url: body}; fail on unsafe HTML."""
    pages: dict[str, str] = {}
    variants: dict[str, int] = {}
    queue, problems = list(starts), []
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in pages or variants.get(path, 0) >= MAX_VARIANTS:
            continue
        variants[path] = variants.get(path, 0) + 1
        response = browser.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code in (301, 302, 303) and (target := local(response.headers["Location"])):
            queue.append(target)
        if response.mimetype != "text/html":
            check_download(url, response)
            pages[url] = ""
            continue
        body = pages[url] = response.get_data(as_text=True)
        found = inspect_html(body)
        problems += [f"{url}: {problem}" for problem in found.problems]
        queue += [link for link in map(local, found.links) if link and link not in pages]
    assert not problems, "\n".join(problems[:40])
    return pages


def check_download(url: str, response) -> None:
    """Exports and files are attachments the browser will not render as a page."""
    assert (
        response.status_code != 200
        or response.mimetype in ("text/csv", "application/json", "text/calendar")
        or ("spreadsheetml" in response.mimetype)
        or response.mimetype.startswith(("application/pdf", "image/", "text/plain"))
    ), (url, response.mimetype)
    if response.status_code == 200 and response.mimetype != "application/json":
        assert "attachment" in response.headers.get("Content-Disposition", ""), url
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def expect_shown(pages: dict[str, str], url: str, *tags: str) -> None:
    """The page was crawled and shows each tagged hostile value escaped, the template literal."""
    assert url in pages, f"{url} was not reachable by following links"
    missing = [tag for tag in tags if shown(tag) not in pages[url]]
    assert not missing, (url, missing)


def words(text: str) -> list[str]:
    """Split a list written as words (URLs, tags)."""
    return text.split()


STARTS = words(
    "/ /organisations/ /contacts/ /interactions/ /letters/ /events/ /pipeline/ /reports/ /metrics/"
)
STARTS += ["/imports/", "/auth/preferences"]
# The company's page, for the technical team: its fields, contacts, timeline, tasks, pipeline, letters.
ORG_PAGE = "org-legal org-trade org-notes c-first c-last i-sum i-out i-next fu-desc fu-own eng-note mv-note"
ORG_PAGE += " li-note assoc-name prog-en user-name l-notes cf-notes ev-title"
EVENT_PAGE = "ev-title ev-place ev-mod ev-notes qa-first qa-last prog-en"


def test_staff_pages_show_every_hostile_field_escaped(world):
    pages = crawl(world.staff_client, STARTS)
    w = world
    expect_shown(pages, f"/organisations/{w.org}", *words(ORG_PAGE))
    expect_shown(pages, "/organisations/", "org-legal", "org-trade", "assoc-name", "li-new", "imp-name")
    expect_shown(pages, f"/contacts/{w.contact}", "c-first", "c-last", "c-pos", "org-legal")
    expect_shown(pages, "/contacts/", "c-first", "c-last", "c-pos", "qa-first", "qa-last")
    expect_shown(pages, "/", "fu-own", "org-legal")
    expect_shown(pages, f"/interactions/follow-ups/{w.follow_up}", "fu-own", "org-legal")
    expect_shown(pages, f"/letters/{w.cofinance}", "cf-notes", "mat-note", "org-legal", "c-first")
    expect_shown(pages, "/letters/", "org-legal")
    expect_shown(pages, f"/events/{w.event}", *words(EVENT_PAGE))
    expect_shown(pages, "/events/", "ev-title", "ev-place")
    expect_shown(pages, f"/pipeline/?programme={w.programme}", "org-legal", "prog-en")
    detail = pages[f"/organisations/{w.org}"]
    history = detail[detail.index('id="history"') :]
    assert shown("org-trade") in history and shown("org-notes") in history and shown("li-note") in history
    assert 'href="https://fundicion.example.pe/&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in detail


def test_managers_reports_show_labels_escaped(app, world):
    metrics = f"/metrics/?programme={world.programme}&dimension="
    conversion = [f"/reports/conversion?by={by}" for by in ("source", "membership", "division", "owner")]
    pages = crawl(
        signed_in(app, world.manager),
        ["/reports/", metrics + "association", metrics + "member_of"] + conversion,
    )
    expect_shown(pages, "/reports/conversion?by=source", "assoc-name")
    expect_shown(pages, "/reports/conversion?by=membership", "assoc-name")
    expect_shown(pages, "/reports/conversion?by=division", "sector-en")
    expect_shown(pages, "/reports/conversion?by=owner", "user-name")
    expect_shown(pages, "/reports/funnel", "bar-en")
    expect_shown(pages, "/reports/cofinance", "org-legal")
    expect_shown(pages, "/reports/events", "prog-en")
    expect_shown(pages, metrics + "association", "assoc-name", "prog-en")
    expect_shown(pages, metrics + "member_of", "assoc-name")


def test_admin_pages_show_names_and_mail_escaped(world):
    pages = crawl(
        world.admin_client,
        ["/users/", "/pipeline/admin/programmes", "/pipeline/admin/barriers", "/system/", "/system/mail/"],
    )
    expect_shown(pages, "/users/", "user-name")
    expect_shown(pages, f"/users/{world.evil_staff}/edit", "user-name")
    expect_shown(pages, "/pipeline/admin/programmes", "prog-es", "prog-en")
    expect_shown(pages, "/pipeline/admin/barriers", "bar-es", "bar-en")
    mails = db.session.scalars(select(OutboxMessage)).all()
    for message in mails:
        expect_shown(
            pages, f"/system/mail/{message.id}/html", "org-legal" if message.kind != "referral" else "li-new"
        )
        assert pages[f"/system/mail/{message.id}"].count("&lt;script&gt;") >= 1
        frame = world.admin_client.get(f"/system/mail/{message.id}/html")
        assert "sandbox" in frame.headers["Content-Security-Policy"]  # shown in a frame that runs nothing


# Interaction notes, follow-ups, letters and stage notes; the crawl also reaches the member's own page.
LIAISON_NEVER_SEES = words(
    "i-sum i-out i-next fu-desc fu-own l-notes cf-notes mat-note eng-note mv-note exit-note"
)


def test_liaison_portal_shows_names_escaped(world):
    pages = crawl(world.liaison_client, ["/portal/"])
    members = f"/portal/{world.assoc}"
    expect_shown(pages, members, "org-legal", "assoc-name", "li-new")
    expect_shown(pages, f"/portal/{world.assoc}/referrals", "li-new", "prog-en")
    seen = "".join(pages.values())
    for confidential in LIAISON_NEVER_SEES:
        assert confidential not in seen, confidential


def test_viewer_pages_are_safe_too(app, world):
    pages = crawl(signed_in(app, world.viewer), STARTS)
    expect_shown(pages, f"/organisations/{world.org}", "org-legal", "org-notes", "i-sum")


# --- URL fields and refused input -----------------------------------------------------------------------

ORG_FORM = {**ORG_BLANKS, "kind": "company", "legal_name": "Fundición Web SAC"}


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "javascript://%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
    ],
)
def test_website_accepts_only_web_addresses(client, en_user, login, make_org, website):
    login(en_user("staff"))
    response = client.post("/organisations/new", data={**ORG_FORM, "website": website})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter a web address starting with http:// or https://." in page
    assert not inspect_html(page).problems
    assert db.session.scalar(select(Organisation.id)) is None
    org = make_org("Fundición Existente SAC", website="https://fundicion.example.pe")
    data = {**ORG_FORM, "legal_name": org.legal_name, "website": website, "version": org.version_id}
    assert client.post(f"/organisations/{org.id}/edit", data=data).status_code == 400
    assert db.session.get(Organisation, org.id).website == "https://fundicion.example.pe"


def test_a_stored_script_address_is_shown_as_text_never_as_a_link(client, en_user, login, make_org):
    org = make_org("Fundición Antigua SAC", website="javascript:alert(1)")  # e.g. data from before the checks
    login(en_user("staff"))
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "javascript:alert(1)" in page and not inspect_html(page).problems


def test_refused_input_is_echoed_escaped(client, en_user, login, make_org):
    login(en_user("staff"))
    org = make_org("Fundición Contactos SAC")
    names = {"first_name": evil("c-first"), "last_name": "Pérez", "position": "", "email": ""}
    data = {**names, "organisation_id": org.id, "phone": evil("c-phone"), "gender": "female"}
    response = client.post(f"/contacts/new?organisation_id={org.id}", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Use only digits, spaces, +, - and parentheses." in page
    assert shown("c-phone") in page and shown("c-first") in page and not inspect_html(page).problems
    assert db.session.scalar(select(Contact.id)) is None
    response = client.post("/organisations/new", data={**ORG_FORM, "ruc": evil("ruc"), "website": ""})
    assert response.status_code == 400 and not inspect_html(response.get_data(as_text=True)).problems
    assert db.session.scalar(select(Organisation.id).where(Organisation.id != org.id)) is None


# --- reflected input: query arguments echoed into pages --------------------------------------------------

ARGUMENTS = words(
    "q sort page status by programme dimension tab kind year type gender organisation next show"
)
ARGUMENTS += words("stale consultant role hpage overdue owner sector district association from to")


def plain_get_pages(app) -> list[str]:
    """Return every GET page of the app that takes no path argument."""
    rules = app.url_map.iter_rules()
    return sorted(
        {r.rule for r in rules if "GET" in r.methods and not r.arguments and "static" not in r.rule}
    )


@pytest.mark.parametrize("role", ["admin", "liaison", None])
def test_hostile_query_arguments_are_escaped(app, client, en_user, make_org, make_liaison, role):
    if role == "liaison":
        signed = make_liaison(make_org("Sociedad Nacional de Industrias", kind="association"))
    else:
        signed = en_user(role) if role else None
    if signed is not None:
        assert sign_in_fully(client, signed, PASSWORD).status_code == 302
    query, echoed = {name: evil(name) for name in ARGUMENTS}, []
    for url in plain_get_pages(app):
        response = client.get(url, query_string=query)
        assert response.status_code < 500, url
        if response.mimetype == "text/html":
            page = response.get_data(as_text=True)
            assert not inspect_html(page).problems, url
            echoed += [url] if shown("q") in page else []
    assert echoed or role is None  # the search boxes show what was searched for, escaped
