"""The managers' dashboard: the start page of managers, administrators and viewers; staff keep My work."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from crm.clock import today
from crm.extensions import db
from crm.models import Engagement, Letter, Materialisation, StageTransition
from crm.reports.services import period_bounds, period_of
from tests.main.conftest import programme


def section(page: str, anchor: str) -> str:
    """Return the HTML of the dashboard tile with this id."""
    found = re.search(rf'<section class="card" id="{anchor}">(.*?)</section>', page, re.S)
    assert found, anchor
    return found.group(1)


def rows(html: str) -> list[list[str]]:
    """Return the texts of a tile's table body rows, cell by cell, tags stripped and spaces collapsed."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    found = [
        re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in row] for row in found]


def engage(org, path: list[tuple[str, object]]) -> Engagement:
    """Create an engagement that went through (stage, day) steps, with its transitions."""
    engagement = Engagement(
        organisation_id=org.id,
        programme_id=programme("ZIS-CALLAO").id,
        stage=path[-1][0],
        stage_since=path[-1][1],
    )
    previous = None
    for stage, day in path:
        engagement.transitions.append(StageTransition(from_stage=previous, to_stage=stage, occurred_on=day))
        previous = stage
    if any(stage == "loi_signed" for stage, _day in path):
        db.session.add(
            Letter(kind="interest", status="signed", organisation_id=org.id, signed_on=path[-1][1])
        )
    db.session.add(engagement)
    db.session.commit()
    return engagement


def test_manager_lands_on_the_funnel_of_this_half_year_against_the_last(client, login, en_user, make_org):
    this_start, _end = period_bounds(period_of(today()))
    last_start, _last_end = period_bounds(period_of(this_start - timedelta(days=1)))
    for n in range(3):
        engage(make_org(f"Ahora {n} SAC"), [("contacted", this_start)])
    engage(make_org("Firma Ahora SAC"), [("contacted", this_start), ("loi_signed", this_start)])
    for n in range(2):
        engage(make_org(f"Antes {n} SAC"), [("contacted", last_start)])
    login(en_user("manager"))
    page = client.get("/").get_data(as_text=True)
    contacted, letters, conversion = rows(section(page, "funnel"))
    assert contacted == ["Contacted", "4 ▲ 2", "2"]
    assert letters == ["Letter of interest signed", "1 ▲ 1", "0"]
    assert conversion == ["Conversion", "25 % 1/4", "0 % 0/2"]
    assert f'href="/reports/funnel?from={this_start.isoformat()}' in section(page, "funnel")


def test_cofinance_tile_shows_committed_materialised_and_pending(client, login, en_user, make_org):
    org = make_org("Cofinanciadora SAC")
    letter = Letter(
        kind="cofinance",
        status="signed",
        organisation_id=org.id,
        signed_on=today(),
        amount_usd=Decimal("1500"),
    )
    db.session.add(letter)
    db.session.flush()
    db.session.add(
        Materialisation(
            letter=letter, occurred_on=today(), amount=Decimal("500.25"), amount_usd=Decimal("500.25")
        )
    )
    db.session.commit()
    login(en_user("viewer"))
    tile = re.sub(r"\s+", " ", section(client.get("/").get_data(as_text=True), "cofinance"))
    assert "1,500.00" in tile and "500.25" in tile and "999.75" in tile


def test_overdue_letters_and_stalled_companies_link_to_their_records(client, login, en_user, make_org, app):
    day, days = today(), app.config["LETTER_OVERDUE_DAYS"]
    late, recent = make_org("Carta Atrasada SAC"), make_org("Carta Reciente SAC")
    for org, ago in ((late, days + 5), (recent, days - 5)):
        db.session.add(
            Letter(
                kind="interest",
                status="requested",
                organisation_id=org.id,
                requested_on=day - timedelta(days=ago),
            )
        )
    db.session.commit()
    for n in range(4):  # four finished stays of ten days in "contacted" set its 75th percentile
        start = day - timedelta(days=100 + n)
        engage(
            make_org(f"Rápida {n} SAC"), [("contacted", start), ("meeting_held", start + timedelta(days=10))]
        )
    stuck = make_org("Estancada SAC")
    engage(stuck, [("contacted", day - timedelta(days=60))])
    login(en_user("manager"))
    page = client.get("/").get_data(as_text=True)
    letters, stalled = section(page, "overdue-letters"), section(page, "stalled")
    assert "Carta Atrasada SAC" in letters and "Carta Reciente SAC" not in letters
    assert '<span class="badge err">1</span>' in letters
    assert f'href="/organisations/{stuck.id}"' in stalled and "60 days" in stalled
    assert "Rápida 0 SAC" not in stalled


def test_staff_keep_my_work_as_their_start_page(client, login, en_user):
    login(en_user("staff"))
    page = client.get("/").get_data(as_text=True)
    assert 'id="funnel"' not in page and "Overdue follow-ups" in page
    assert "Overdue follow-ups" in client.get("/work").get_data(as_text=True)


def test_managers_reach_my_work_from_the_dashboard(client, login, en_user):
    login(en_user("manager"))
    page = client.get("/").get_data(as_text=True)
    assert 'id="indicators"' in page and 'href="/work"' in page
    assert "Overdue follow-ups" in client.get("/work").get_data(as_text=True)
