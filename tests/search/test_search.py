"""Global search: accent- and case-blind, grouped by kind, in the user's scope, never an error."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.extensions import db
from crm.models import Event, Interaction, Letter


def page(client, q: str) -> str:
    """Return the search page's text for a query."""
    response = client.get("/search/", query_string={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(html: str, kind: str) -> str:
    """Return one group of the results page ('' when absent)."""
    start = html.find(f'id="{kind}"')
    return "" if start < 0 else html[start : html.find("</section>", start)]


def test_organisations_are_found_without_accents_or_capitals_and_by_ruc(client, en_user, login, make_org):
    make_org("Fundición Callao SAC", ruc="20100047218", trade_name="FunCallao")
    make_org("Textiles Lurín SA")
    login(en_user("staff"))
    for q in ("fundicion", "FUNDICIÓN callao", "funcall", "20100047"):
        found = section(page(client, q), "organisations")
        assert "Fundición Callao SAC" in found or "FunCallao" in found, q
        assert "Textiles" not in found
    assert "Textiles Lurín SA" in section(page(client, "lurin"), "organisations")


def test_contacts_by_name_email_and_phone(client, en_user, login, make_org, make_contact):
    org = make_org("Fundición Callao SAC")
    make_contact(org, "José", "Núñez", email="jnunez@fundicion.pe", phone="+51 999 888 777")
    make_contact(org, "Ana", "Pérez")
    login(en_user("staff"))
    for q in ("jose nunez", "jnunez", "999 888"):
        found = section(page(client, q), "contacts")
        assert "José Núñez" in found and "Ana Pérez" not in found, q


def test_interactions_letters_and_events_are_grouped_by_kind(client, en_user, login, make_org):
    staff = en_user("staff")
    org = make_org("Fundición Callao SAC")
    db.session.add(
        Interaction(
            organisation_id=org.id,
            kind="meeting",
            occurred_on=date(2026, 3, 2),
            staff_id=staff.id,
            summary="Visita a la caldera",
            outcome="Piden diagnóstico",
        )
    )
    db.session.add(
        Letter(kind="interest", organisation_id=org.id, status="signed", signed_on=date(2026, 3, 9))
    )
    db.session.add(Event(title="Taller de eficiencia energética", type="workshop", held_on=date(2026, 4, 1)))
    db.session.commit()
    login(staff)
    assert "Visita a la caldera" in section(page(client, "CALDERA"), "interactions")
    assert "Fundición Callao SAC" in section(page(client, "diagnostico"), "interactions")
    html = page(client, "fundicion")
    assert section(html, "organisations") and "Letter of interest" in section(html, "letters")
    assert html.index('id="organisations"') < html.index('id="letters"')
    assert "Taller de eficiencia" in section(page(client, "energetica taller"), "events")


def test_a_liaison_finds_only_their_scope_and_no_interactions(client, login, liaison_world, en_user):
    db.session.add(
        Interaction(
            organisation_id=liaison_world.member.id,
            kind="call",
            occurred_on=date(2026, 3, 2),
            staff_id=en_user("staff").id,
            summary="Llamada a Miembro",
        )
    )
    db.session.commit()
    login(liaison_world.liaison)
    html = page(client, "SAC")
    assert "Fundición Miembro SAC" in html and "Textil Ajena SAC" not in html
    assert "Oscar" not in page(client, "ajeno") and "Marta Miembro" in page(client, "miembro")
    assert section(page(client, "miembro"), "interactions") == ""


def test_more_matches_than_shown_offer_the_list(client, en_user, login, make_org):
    for n in range(10):
        make_org(f"Fundición Número {n}")
    login(en_user("viewer"))
    found = section(page(client, "fundicion"), "organisations")
    assert found.count("<li>") == 8 and "/organisations/?q=fundicion" in found


def test_letters_come_latest_dated_first_and_the_ranked_set_is_bounded(
    client, en_user, login, make_org, monkeypatch
):
    from crm.search import services

    older, newer = make_org("Fundición Antigua SAC"), make_org("Fundición Nueva SAC")
    db.session.add(
        Letter(kind="interest", organisation_id=newer.id, status="signed", signed_on=date(2026, 5, 1))
    )
    db.session.add(
        Letter(kind="interest", organisation_id=older.id, status="signed", signed_on=date(2024, 5, 1))
    )
    db.session.commit()
    login(en_user("staff"))
    found = section(page(client, "fundicion"), "letters")
    assert found.index("Fundición Nueva") < found.index("Fundición Antigua")  # by date, not by id
    monkeypatch.setattr(services, "CANDIDATES", 1)  # only the first matches read are ranked
    assert section(page(client, "fundicion"), "organisations").count("<li>") == 1


def test_the_typeahead_answers_json(client, en_user, login, make_org):
    org = make_org("Fundición Callao SAC")
    login(en_user("staff"))
    items = client.get("/search/suggest?q=fundi").get_json()["items"]
    assert items == [
        {
            "kind": "organisations",
            "group": "Organisations",
            "label": org.display_name,
            "url": f"/organisations/{org.id}",
        }
    ]
    assert client.get("/search/suggest?q=f").get_json()["items"] == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=40) | st.sampled_from(['"', "*", "%_", "a OR b", "NEAR(a b)", "^x", "-", "'"]))
def test_any_query_answers_a_page_never_an_error(client, en_user, login, make_org, q):
    if not getattr(test_any_query_answers_a_page_never_an_error, "signed_in", False):
        make_org("Fundición Callao SAC")
        login(en_user("staff"))
        test_any_query_answers_a_page_never_an_error.signed_in = True
    assert client.get("/search/", query_string={"q": q}).status_code == 200
    assert client.get("/search/suggest", query_string={"q": q}).status_code == 200
