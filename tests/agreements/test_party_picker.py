"""Choosing an agreement's party by searching (no select of every organisation), in the user's scope."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from crm.errors import UserError
from crm.extensions import db
from crm.models import Agreement, AgreementParty
from crm.organisations import picker
from crm.ruc import make_ruc


def offered(page: str) -> list[int]:
    """Return the organisation ids the page offers as radio buttons."""
    return [
        int(n)
        for n in re.findall(
            r'type="radio" id="organisation_id-\d+" name="organisation_id" value="(\d+)"', page
        )
    ]


@pytest.fixture
def apl(make_org):
    """An agreement and a few organisations to choose among."""
    agreement = Agreement(kind="apl", title="APL de fundición")
    db.session.add(agreement)
    db.session.commit()
    orgs = {
        "callao": make_org("Fundición Callao SAC", ruc=make_ruc("20", "10004721")),
        "lurin": make_org("Fundición Lurín SAC"),
        "textil": make_org("Textil Lima SAC"),
        "produce": make_org("Ministerio de la Producción", kind="government"),
    }
    return agreement, orgs


def parties() -> list[tuple[int, str]]:
    """Return the recorded parties as (organisation id, role)."""
    return list(db.session.execute(select(AgreementParty.organisation_id, AgreementParty.role)).tuples())


def test_staff_searches_then_adds_the_chosen_match(client, login, en_user, apl):
    agreement, orgs = apl
    login(en_user("staff"))
    url = f"/agreements/{agreement.id}"
    before = client.get(url).get_data(as_text=True)
    assert 'name="party_q"' in before and offered(before) == []  # a search, no list of every organisation
    page = client.get(f"{url}?party_q=fundicion").get_data(as_text=True)
    assert sorted(offered(page)) == sorted([orgs["callao"].id, orgs["lurin"].id])
    by_ruc = client.get(f"{url}?party_q={orgs['callao'].ruc}").get_data(as_text=True)
    assert offered(by_ruc) == [orgs["callao"].id] and "checked" in by_ruc  # one match: already chosen
    sent = {"organisation_id": orgs["lurin"].id, "role": "adherent", "party_q": "fundicion"}
    response = client.post(f"{url}/parties", data=sent)
    assert response.status_code == 302 and response.location.endswith(f"/agreements/{agreement.id}#parties")
    assert parties() == [(orgs["lurin"].id, "adherent")]
    shown = client.get(response.location).get_data(as_text=True)
    assert "Fundición Lurín SAC is now a party to the agreement." in shown
    none = client.get(f"{url}?party_q=zzzz").get_data(as_text=True)
    assert "No organisation matches. Try other words." in none and offered(none) == []


def test_an_unknown_id_is_refused_with_a_message_in_the_users_language(client, login, make_user, apl):
    agreement, orgs = apl
    login(make_user("staff", locale="es"))
    for sent in ("999999", "abc", "", "-3"):
        response = client.post(
            f"/agreements/{agreement.id}/parties",
            data={"organisation_id": sent, "role": "signatory", "party_q": "textil"},
        )
        assert response.status_code == 302 and "party_q=textil" in response.location
        page = client.get(response.location).get_data(as_text=True)
        assert "Elija entre los resultados de la búsqueda" in page, sent
    assert parties() == []
    twice = {"organisation_id": orgs["textil"].id, "role": "signatory"}
    client.post(f"/agreements/{agreement.id}/parties", data=twice)
    client.post(f"/agreements/{agreement.id}/parties", data=twice)
    assert parties() == [(orgs["textil"].id, "signatory")]


def test_a_liaison_is_offered_and_may_choose_only_organisations_they_see(liaison_world):
    w = liaison_world
    assert [o.id for o in picker.matches(w.liaison, "miembro").found] == [w.member.id]
    assert picker.matches(w.liaison, "textil ajena").found == []  # someone else's company is not offered
    assert picker.chosen(w.liaison, str(w.member.id)) == w.member
    with pytest.raises(UserError) as refused:
        picker.chosen(w.liaison, str(w.outsider.id))
    assert refused.value.field == "organisation_id"
    with pytest.raises(UserError):
        picker.chosen(w.liaison, "999999")


def test_liaisons_and_viewers_cannot_add_parties(client, login, en_user, liaison_world, apl):
    agreement, orgs = apl
    for role in ("viewer", "liaison"):
        login(en_user(role))
        data = {"organisation_id": orgs["callao"].id, "role": "signatory"}
        assert client.post(f"/agreements/{agreement.id}/parties", data=data).status_code == 404
        client.post("/auth/logout")
    assert parties() == []


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(term=st.text(alphabet="fundiconágetxlmASC0123 -%_'\"", max_size=12))
def test_matches_stay_in_scope_and_of_the_kinds_asked(liaison_world, term):
    w = liaison_world
    visible = {w.assoc.id, w.member.id}
    found = picker.matches(w.liaison, term)
    assert {o.id for o in found.found} <= visible and len(found.found) <= picker.LIMIT
    companies = picker.matches(w.liaison, term, ("company",))
    assert all(o.kind == "company" for o in companies.found)
    total = db.session.scalar(select(func.count(AgreementParty.id)))
    assert total == 0  # searching never writes
