"""The board: counts per stage in SQL, a page of cards per column, filters, scope, fixed query count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.test_query_counts import counted


def column(page: str, key: str) -> str:
    """Return the HTML of one column of the board."""
    match = re.search(rf'<details class="column[^"]*" id="col-{key}".*?</details>', page, re.S)
    assert match, key
    return match.group(0)


def total(page: str, key: str) -> int:
    """Return the count shown in a column's heading (or an exit's zone)."""
    match = re.search(rf'data-count="{key}">(\d+)<', page)
    assert match, key
    return int(match.group(1))


def cards(page: str, key: str) -> list[str]:
    """Return the company names on a column's cards, in order."""
    return re.findall(r'class="deal-name" href="[^"]+">([^<]+)<', column(page, key))


def board(client, **args) -> str:
    """GET the board and return its HTML."""
    response = client.get("/pipeline/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_columns_show_counts_cards_and_card_details(client, staff, make_org, make_engagement, today):
    owned = make_org("Fundición Callao SAC", owner_id=staff.id)
    make_engagement(owned, stage="meeting_held", since=today - timedelta(days=12))
    make_engagement(stage="meeting_held")
    make_engagement(stage="contacted")
    make_engagement(stage="declined")
    make_engagement(stage="on_hold")
    make_engagement(stage="on_hold")
    page = board(client)
    assert [total(page, key) for key in ("identified", "contacted", "meeting_held", "adopting")] == [
        0,
        1,
        2,
        0,
    ]
    assert (
        total(page, "exits"),
        total(page, "declined"),
        total(page, "on_hold"),
        total(page, "withdrawn"),
    ) == (3, 1, 2, 0)
    meeting = column(page, "meeting_held")
    assert f'href="/organisations/{owned.id}">Fundición Callao SAC<' in meeting
    assert "Sofía Staff" in meeting and "12 days" in meeting
    # Each card links to its move page; the board holds ONE stage menu, in the shared move dialog.
    assert 'href="/pipeline/engagements/' in meeting and "data-move" in meeting
    assert 'name="to_stage"' not in meeting and page.count('name="to_stage"') == 1
    assert len(cards(page, "exits")) == 3
    assert "data-can-move" in page and 'name="csrf-token"' in page
    assert "/static/js/board.js" in page and "/static/css/pipeline.css" in page


def test_each_column_is_paginated_on_its_own(app, client, staff, make_org, make_engagement, today):
    app.config["BOARD_PAGE_SIZE"] = 2
    try:
        for i in range(5):
            make_engagement(
                make_org(f"Contactada {i}"), stage="contacted", since=today - timedelta(days=10 - i)
            )
        for i in range(3):
            make_engagement(
                make_org(f"Reunida {i}"), stage="meeting_held", since=today - timedelta(days=5 - i)
            )
        page = board(client)
        assert cards(page, "contacted") == ["Contactada 0", "Contactada 1"]  # longest in the stage first
        assert cards(page, "meeting_held") == ["Reunida 0", "Reunida 1"]
        assert "p_contacted=2" in column(page, "contacted")
        page = board(client, p_contacted="3")
        assert cards(page, "contacted") == ["Contactada 4"]
        assert cards(page, "meeting_held") == ["Reunida 0", "Reunida 1"]
        assert total(page, "contacted") == 5
        page = board(client, p_contacted="2", p_meeting_held="2")
        assert cards(page, "contacted") == ["Contactada 2", "Contactada 3"]
        assert cards(page, "meeting_held") == ["Reunida 2"]
        assert cards(board(client, p_contacted="zz"), "contacted") == ["Contactada 0", "Contactada 1"]
    finally:
        app.config["BOARD_PAGE_SIZE"] = 20


def test_programme_filter_defaults_to_first_active(client, staff, make_org, make_engagement, zis, pei):
    make_engagement(make_org("En ZIS"), stage="contacted", programme=zis)
    make_engagement(make_org("En PEI"), stage="contacted", programme=pei)
    assert cards(board(client), "contacted") == ["En ZIS"]
    assert cards(board(client, programme=str(pei.id)), "contacted") == ["En PEI"]
    assert cards(board(client, programme="999999"), "contacted") == ["En ZIS"]


def test_default_programme_skips_inactive(client, staff, make_org, make_engagement, zis, pei):
    from crm.extensions import db

    zis.active = False
    db.session.commit()
    make_engagement(make_org("En PEI"), stage="contacted", programme=pei)
    page = board(client)
    assert cards(page, "contacted") == ["En PEI"]
    assert "(inactive)" in page


@pytest.mark.parametrize("kind", ["sector_section", "sector_division", "district", "owner", "association"])
def test_filters(client, staff, make_org, make_engagement, make_membership, en_user, ref, kind):
    other_owner = en_user("staff", name="Otro Dueño")
    assoc = make_org("Gremio Metal", kind="association")
    inside = make_org(
        "Adentro SAC", sector_id=ref.division.id, district_id=ref.district.id, owner_id=staff.id
    )
    outside = make_org(
        "Afuera SAC", sector_id=ref.other.id, district_id=ref.district2.id, owner_id=other_owner.id
    )
    make_membership(inside, assoc)
    make_membership(outside, assoc, status="left")  # a company that left is no longer a member
    make_engagement(inside, stage="assessed")
    make_engagement(outside, stage="assessed")
    args = {
        "sector_section": {"sector": ref.section.id},  # a section includes its divisions
        "sector_division": {"sector": ref.division.id},
        "district": {"district": ref.district.id},
        "owner": {"owner": staff.id},
        "association": {"association": assoc.id},
    }[kind]
    page = board(client, **args)
    assert cards(page, "assessed") == ["Adentro SAC"]
    assert total(page, "assessed") == 1
    assert sorted(cards(board(client), "assessed")) == ["Adentro SAC", "Afuera SAC"]


def test_viewer_sees_the_board_without_move_controls(client, en_user, login, make_engagement):
    make_engagement(stage="contacted")
    login(en_user("viewer"))
    page = board(client)
    assert total(page, "contacted") == 1
    assert "data-can-move" not in page and "draggable" not in page and 'name="to_stage"' not in page


def test_liaison_and_anonymous_get_no_board(client, login, liaison_world):
    assert client.get("/pipeline/").status_code in (302, 404)
    login(liaison_world.liaison)
    assert client.get("/pipeline/").status_code == 404


def test_admin_sees_links_to_reference_pages(client, second_client, en_user, login, login_other):
    login(en_user("admin"))
    page = board(client)
    assert 'href="/pipeline/admin/programmes"' in page and 'href="/pipeline/admin/barriers"' in page
    login_other(en_user("staff"))
    assert "/pipeline/admin/" not in board(second_client)


def test_odd_arguments_are_ignored(client, staff, make_engagement):
    make_engagement(stage="contacted")
    page = board(
        client, programme="ñ", sector="x", district="-1", owner="9" * 20, association="'", p_exits="0"
    )
    assert total(page, "contacted") == 1


def board_queries(client) -> int:
    """Return how many statements one GET of the board sends."""
    with counted() as statements:
        board(client)
    return len(statements)


def test_board_query_count_does_not_grow_with_cards(
    client, staff, make_org, make_engagement, make_membership
):
    assoc = make_org("Gremio", kind="association")

    def populate(n: int, start: int) -> None:
        """Add n member companies spread over two stages and an exit."""
        for i in range(start, start + n):
            org = make_org(f"Empresa {i:03}", owner_id=staff.id)
            make_membership(org, assoc)
            make_engagement(org, stage=("contacted", "assessed", "declined")[i % 3])

    populate(3, 0)
    board_queries(client)  # the first request also fills the per-process reference lists
    few = board_queries(client)
    populate(30, 3)
    many = board_queries(client)
    assert many == few
    assert many <= 15
