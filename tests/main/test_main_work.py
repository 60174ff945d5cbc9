"""'My work', the staff start page: follow-ups, companies by stage, quiet companies, letters not back."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from crm.main import services


def section(page: str, ident: str) -> str:
    """Return the HTML of one section of the page."""
    return page[page.index(f'id="{ident}"') :].split("</section>")[0]


def home(client) -> str:
    """Return the start page as text."""
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# Hand-computed: quiet days vs the stage's threshold (stale when strictly more days than allowed).
#   Nunca Contactada (meeting_held, 30): never contacted          -> stale, listed first
#   Identificada Vieja (identified, 60): 61 days                   -> stale
#   Dos Programas (identified 60 + contacted 21 -> strictest 21): 40 days -> stale
#   Evaluada (assessed, default 30): 31 days                       -> stale
#   Sin Compromiso (no engagement, default 30): 31 days            -> stale
#   Contactada (contacted, 21): 22 days                            -> stale
#   Identificada Reciente 60/60, Contactada Reciente 21/21, Evaluada Reciente 30/30 -> not yet
#   Retirada (withdrawn only) is not chased; associations and other owners' companies are not mine.
EXPECTED_STALE = [
    ("Nunca Contactada SAC", None, 30),
    ("Identificada Vieja SAC", 61, 60),
    ("Dos Programas SAC", 40, 21),
    ("Evaluada SAC", 31, 30),
    ("Sin Compromiso SAC", 31, 30),
    ("Contactada SAC", 22, 21),
]


def stale_rows(user, day, by_stage=None, default=30, per_page=50, number=1):
    """Return (name, days since, threshold) of the service's quiet companies (default: the pinned ones)."""
    by_stage = by_stage or {"identified": 60, "contacted": 21, "meeting_held": 30, "loi_signed": 30}
    page = services.stale_companies(user, day, by_stage, default, number, per_page)
    return [(c.name, c.days_since, c.threshold) for c in page.items], page.total


def test_quiet_companies_follow_each_stage_threshold(portfolio, thresholds):
    assert thresholds == ({"identified": 60, "contacted": 21, "meeting_held": 30, "loi_signed": 30}, 30)
    rows, total = stale_rows(portfolio.me, portfolio.day, *thresholds)
    assert rows == EXPECTED_STALE and total == 6


def test_other_thresholds_give_other_companies(portfolio):
    # identified 50, contacted 45, everything else 25: hand-computed from the same portfolio.
    rows, total = stale_rows(portfolio.me, portfolio.day, {"identified": 50, "contacted": 45}, default=25)
    assert rows == [
        ("Nunca Contactada SAC", None, 25),
        ("Identificada Vieja SAC", 61, 50),
        ("Identificada Reciente SAC", 60, 50),
        ("Evaluada SAC", 31, 25),
        ("Sin Compromiso SAC", 31, 25),
        ("Evaluada Reciente SAC", 30, 25),
    ]
    assert total == 6


def test_only_the_latest_interaction_counts(portfolio):
    from crm.extensions import db
    from crm.models import Interaction

    db.session.add(
        Interaction(
            organisation_id=portfolio.contacted.id,
            kind="meeting",
            occurred_on=portfolio.day,
            staff_id=portfolio.colleague.id,
            summary="Reunión de hoy",
        )
    )
    db.session.commit()
    rows, _ = stale_rows(portfolio.me, portfolio.day)
    assert "Contactada SAC" not in [name for name, _, _ in rows]


def test_quiet_companies_are_paginated(portfolio):
    first, total = stale_rows(portfolio.me, portfolio.day, per_page=4)
    second, _ = stale_rows(portfolio.me, portfolio.day, per_page=4, number=2)
    assert total == 6 and first + second == EXPECTED_STALE


def test_page_shows_quiet_companies_with_days(client, login, portfolio, app, monkeypatch):
    login(portfolio.me)
    block = section(home(client), "quiet")
    names = re.findall(r'<a href="/organisations/\d+">([^<]+)</a>', block)
    assert names == [name for name, _, _ in EXPECTED_STALE]
    assert "Never" in block and "<td>61</td>" in block and "21 days" in block
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    page2 = section(client.get("/?spage=2").get_data(as_text=True), "quiet")
    assert re.findall(r'<a href="/organisations/\d+">([^<]+)</a>', page2) == [
        "Sin Compromiso SAC",
        "Contactada SAC",
    ]


def test_companies_by_stage_count_my_engagements(client, login, portfolio):
    counts = {(r.programme.code, r.stage): r.count for r in services.stages_of_my_companies(portfolio.me)}
    assert counts == {
        ("ZIS-CALLAO", "identified"): 3,
        ("ZIS-CALLAO", "contacted"): 2,
        ("ZIS-CALLAO", "meeting_held"): 1,
        ("ZIS-CALLAO", "assessed"): 2,
        ("ZIS-CALLAO", "withdrawn"): 1,
        ("PEI", "contacted"): 1,
    }
    login(portfolio.me)
    block = section(home(client), "stages")
    assert f"/pipeline/?programme={portfolio.zis.id}&amp;owner={portfolio.me.id}#col-identified" in block
    assert f"owner={portfolio.me.id}#col-exits" in block  # withdrawn sits in the board's exits column
    assert "Identified: <strong>3</strong>" in block and "Withdrawn: <strong>1</strong>" in block
    assert block.index("Identified:") < block.index("Contacted:") < block.index("Withdrawn:")


def test_letters_not_back_oldest_first(client, login, portfolio, add_letter):
    me, other = portfolio.me, portfolio.colleague
    add_letter(portfolio.contacted, me, days_ago=5)
    add_letter(portfolio.old_identified, me, days_ago=40, kind="cofinance")
    add_letter(portfolio.never, me, days_ago=None)
    add_letter(portfolio.assessed, me, days_ago=90, status="received")
    add_letter(portfolio.two, other, days_ago=100)
    capped = services.letters_not_back(me, portfolio.day)
    assert [(letter.organisation.legal_name, days) for letter, days in capped.items] == [
        ("Identificada Vieja SAC", 40),
        ("Contactada SAC", 5),
        ("Nunca Contactada SAC", None),
    ]
    assert capped.more is False
    login(me)
    block = section(home(client), "letters")
    assert (
        block.index("Identificada Vieja SAC")
        < block.index("Contactada SAC")
        < block.index("Nunca Contactada")
    )
    assert "Co-finance letter" in block and "<td>40</td>" in block
    assert "Evaluada SAC" not in block and "Dos Programas SAC" not in block


def test_letters_list_is_capped_with_a_more_link(client, login, portfolio, add_letter):
    for days in range(services.LIST_LIMIT + 1):
        add_letter(portfolio.contacted, portfolio.me, days_ago=days)
    login(portfolio.me)
    block = section(home(client), "letters")
    assert block.count("<tr>") == services.LIST_LIMIT + 1  # header + capped rows
    assert "/letters/?status=requested" in block


def test_overdue_and_upcoming_follow_ups(client, login, portfolio, add_task):
    me, org = portfolio.me, portfolio.contacted
    add_task(org, me, -3, "Tarea atrasada")
    add_task(org, me, -1, "Atrasada cerrada", done=True)
    add_task(org, me, 0, "Tarea de hoy")
    add_task(org, me, 7, "Tarea en siete días")
    add_task(org, me, 8, "Tarea lejana")
    add_task(org, portfolio.colleague, -3, "Tarea ajena")
    login(me)
    page = home(client)
    overdue, upcoming = section(page, "overdue"), section(page, "upcoming")
    assert "Tarea atrasada" in overdue and "Tarea de hoy" not in overdue and "Atrasada cerrada" not in overdue
    assert "Tarea de hoy" in upcoming and "Tarea en siete días" in upcoming
    assert "Tarea lejana" not in page and "Tarea ajena" not in page


def test_many_overdue_follow_ups_are_capped(client, login, portfolio, add_task):
    for i in range(services.LIST_LIMIT + 1):
        add_task(portfolio.contacted, portfolio.me, -1 - i, f"Atrasada {i:02}")
    login(portfolio.me)
    block = section(home(client), "overdue")
    assert block.count("Atrasada ") == services.LIST_LIMIT
    assert "/interactions/follow-ups?status=overdue" in block


def test_empty_start_page_for_a_new_staff_member(client, login, en_user):
    login(en_user("manager"))
    page = client.get("/work").get_data(as_text=True)  # a manager's start page is the dashboard
    assert "Nothing overdue. Well done." in page and "No letters waiting." in page
    assert "All your companies were contacted recently." in page


@pytest.mark.parametrize("spage", ["abc", "0", "-1", "999999", "9" * 12])
def test_odd_page_arguments_do_not_fail(client, login, portfolio, spage):
    login(portfolio.me)
    assert client.get(f"/?spage={spage}").status_code == 200


def test_viewers_land_on_the_dashboard_and_liaisons_on_their_portal(client, login, en_user, liaison_world):
    login(en_user("viewer"))
    page = home(client)
    assert 'id="funnel"' in page and 'id="quiet"' not in page and 'href="/work"' not in page
    client.post("/auth/logout")
    login(liaison_world.liaison)
    response = client.get("/", follow_redirects=True)  # the association portal, wherever it lives
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Sociedad Nacional de Industrias" in page
    assert 'id="quiet"' not in page and 'id="letters"' not in page


def test_upcoming_window_is_seven_days(portfolio, add_task):
    add_task(portfolio.contacted, portfolio.me, 7, "Límite")
    add_task(portfolio.contacted, portfolio.me, 8, "Fuera")
    items = services.upcoming_follow_ups(portfolio.me, portfolio.day).items
    assert [t.description for t in items] == ["Límite"]
    assert all(t.due_on <= portfolio.day + timedelta(days=7) for t in items)
