"""The organisation list: search, filters, sort, pagination, scoping and bad arguments."""

from __future__ import annotations

import re

from crm.ruc import make_ruc


def names_in(response) -> list[str]:
    """Return the organisation names linked from the list, in page order."""
    html = response.get_data(as_text=True)
    return re.findall(r'<a href="/organisations/\d+">([^<]+)</a>', html)


def test_search_by_name_ignores_accents_and_case(client, staff, make_org):
    make_org("Fundición Callao SAC")
    make_org("Textiles Lima SA")
    for term in ("Fundicion", "FUNDICIÓN", "callao"):
        response = client.get("/organisations/", query_string={"q": term})
        assert response.status_code == 200
        assert names_in(response) == ["Fundición Callao SAC"], term
        assert "1 organisation found" in response.get_data(as_text=True)


def test_search_by_trade_name(client, staff, make_org):
    make_org("Corporación Aceros del Perú SAC", trade_name="AcerPerú")
    make_org("Textiles Lima SA")
    response = client.get("/organisations/", query_string={"q": "acerperu"})
    assert names_in(response) == ["Corporación Aceros del Perú SAC"]


def test_search_by_ruc_whole_partial_and_typed_with_dashes(client, staff, make_org):
    ruc = make_ruc("20", "10012345")
    make_org("Fundición Callao SAC", ruc=ruc)
    make_org("Textiles Lima SA", ruc=make_ruc("20", "55555555"))
    typed = f"{ruc[:2]}-{ruc[2:10]}-{ruc[10]}"
    for term in (ruc, ruc[:6], typed, f" {ruc} "):
        response = client.get("/organisations/", query_string={"q": term})
        assert names_in(response) == ["Fundición Callao SAC"], term


def test_like_wildcards_are_searched_literally(client, staff, make_org):
    make_org("Reciclaje 100% SAC")
    make_org("Textiles Lima SA")
    assert names_in(client.get("/organisations/?q=%25")) == ["Reciclaje 100% SAC"]
    assert names_in(client.get("/organisations/?q=_")) == []


def test_filters_by_kind_sector_district_and_owner(client, make_user, login, make_org, ref):
    owner = make_user("staff", name="Olga Owner")
    login(make_user("manager", locale="en"))
    make_org("Alpha Foundry", sector_id=ref.division.id, district_id=ref.district.id, owner_id=owner.id)
    make_org("Beta Section Co", sector_id=ref.section.id, district_id=ref.district2.id)
    make_org("Gamma Other Co", sector_id=ref.other.id)
    make_org("Delta Association", kind="association")
    get = lambda **args: names_in(client.get("/organisations/", query_string=args))  # noqa: E731
    assert get(kind="association") == ["Delta Association"]
    # a section includes its divisions
    assert get(sector=ref.section.id) == ["Alpha Foundry", "Beta Section Co"]
    assert get(sector=ref.division.id) == ["Alpha Foundry"]
    assert get(district=ref.district2.id) == ["Beta Section Co"]
    assert get(owner=owner.id) == ["Alpha Foundry"]
    assert get(kind="company", sector=ref.section.id, district=ref.district.id) == ["Alpha Foundry"]


def test_bad_filter_values_are_ignored(client, staff, make_org):
    make_org("Alpha SA")
    make_org("Beta SA")
    odd = {"kind": "bogus", "sector": "abc", "district": "-1", "owner": "ñ", "sort": "drop", "page": "x"}
    response = client.get("/organisations/", query_string=odd)
    assert response.status_code == 200
    assert names_in(response) == ["Alpha SA", "Beta SA"]
    huge = client.get("/organisations/", query_string={"sector": "9" * 40, "page": "9" * 5000})
    assert huge.status_code == 200
    assert names_in(huge) == ["Alpha SA", "Beta SA"]


def test_unknown_ids_in_filters_show_no_results(client, staff, make_org):
    make_org("Alpha SA")
    response = client.get("/organisations/", query_string={"owner": "999999"})
    assert response.status_code == 200
    assert names_in(response) == []
    assert "No organisation matches your search" in response.get_data(as_text=True)


def test_sort_by_each_column_and_direction(client, make_user, login, make_org, ref):
    login(make_user("admin", locale="en"))
    ana, zoe = make_user("staff", name="Ana Staff"), make_user("staff", name="Zoe Staff")
    make_org(
        "beta sac", kind="company", sector_id=ref.division.id, district_id=ref.district2.id, owner_id=ana.id
    )
    make_org("Alpha SA", kind="ngo", sector_id=ref.other.id, district_id=ref.district.id, owner_id=zoe.id)
    make_org("Gamma SA", kind="bank")
    get = lambda sort: names_in(client.get("/organisations/", query_string={"sort": sort}))  # noqa: E731
    assert get("name") == ["Alpha SA", "beta sac", "Gamma SA"]  # case-insensitive
    assert get("-name") == ["Gamma SA", "beta sac", "Alpha SA"]
    assert get("kind") == ["Gamma SA", "beta sac", "Alpha SA"]  # bank, company, ngo
    assert get("sector") == ["Alpha SA", "beta sac", "Gamma SA"]  # Z8, Z91, none last
    assert get("-sector") == ["beta sac", "Alpha SA", "Gamma SA"]
    assert get("district") == ["Alpha SA", "beta sac", "Gamma SA"]
    assert get("owner") == ["beta sac", "Alpha SA", "Gamma SA"]
    assert get("-owner") == ["Alpha SA", "beta sac", "Gamma SA"]
    assert get("-updated") == ["Gamma SA", "Alpha SA", "beta sac"]
    assert get("nonsense") == get("name")


def test_pagination_shows_the_count_and_pages(app, client, staff, make_org, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    for name in ("Org A", "Org B", "Org C", "Org D", "Org E"):
        make_org(name)
    first = client.get("/organisations/")
    text = first.get_data(as_text=True)
    assert names_in(first) == ["Org A", "Org B"]
    assert "5 organisations found" in text
    assert "page 1 of 3" in text
    assert names_in(client.get("/organisations/?page=3")) == ["Org E"]
    filtered = client.get("/organisations/?q=org+e")
    assert "1 organisation found" in filtered.get_data(as_text=True)


def test_empty_list_has_a_friendly_message(client, staff):
    response = client.get("/organisations/")
    assert response.status_code == 200
    assert "There are no organisations yet." in response.get_data(as_text=True)


def test_new_button_only_for_editors(client, make_user, login):
    login(make_user("staff", locale="en"))
    assert 'href="/organisations/new"' in client.get("/organisations/").get_data(as_text=True)
    client.post("/auth/logout")
    login(make_user("viewer", locale="en"))
    response = client.get("/organisations/")
    assert response.status_code == 200
    assert 'href="/organisations/new"' not in response.get_data(as_text=True)


def test_liaison_lists_only_their_association_and_its_members(
    client, login, make_org, make_membership, make_liaison
):
    mine, other = (
        make_org("Asociación Mía", kind="association"),
        make_org("Asociación Otra", kind="association"),
    )
    member, outsider = make_org("Member Co"), make_org("Outsider Co")
    make_membership(member, mine)
    make_membership(outsider, other)
    make_org("Unrelated Co")
    login(make_liaison(mine))
    assert names_in(client.get("/organisations/")) == ["Asociación Mía", "Member Co"]
    assert names_in(client.get("/organisations/?q=co")) == ["Member Co"]


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/organisations/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
