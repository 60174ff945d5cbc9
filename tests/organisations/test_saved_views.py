"""Saved views of the organisation list: saved, shared, deleted, and used to invite people to an event."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from crm.clock import today
from crm.events import invite
from crm.extensions import db
from crm.models import Engagement, Event, Invitation, Programme, SavedView, SavedViewDefault


def views() -> list[tuple[str, str, bool]]:
    """Return (name, query, shared) of every saved view."""
    rows = db.session.execute(
        select(SavedView.name, SavedView.query, SavedView.shared).order_by(SavedView.id)
    )
    return [tuple(row) for row in rows]


def test_a_view_keeps_only_the_list_filters_and_reopens_the_list(client, login, en_user, make_org):
    make_org("Fundición Callao SAC")
    make_org("Textil Lima SAC")
    login(en_user("staff"))
    form = {"name": " Fundiciones ", "q": "fundicion", "kind": "company", "evil": "<script>", "shared": "y"}
    assert client.post("/organisations/views", data=form).status_code == 302
    assert views() == [("Fundiciones", "q=fundicion&kind=company", True)]
    page = client.get("/organisations/").get_data(as_text=True)
    assert 'href="/organisations/?q=fundicion&amp;kind=company"' in page and "<script>" not in page
    filtered = client.get("/organisations/?q=fundicion&kind=company").get_data(as_text=True)
    assert "Fundición Callao SAC" in filtered and "Textil Lima SAC" not in filtered
    client.post("/organisations/views", data={"name": "Fundiciones", "q": "textil"})
    assert views() == [("Fundiciones", "q=textil", False)]  # the same name replaces the view


def test_a_view_needs_a_name_and_some_filters(client, login, en_user):
    login(en_user("staff"))
    assert (
        b"Give the view a name"
        in client.post("/organisations/views", data={"q": "x"}, follow_redirects=True).data
    )
    empty = client.post("/organisations/views", data={"name": "Todo"}, follow_redirects=True)
    assert b"Choose some filters first" in empty.data and views() == []


def test_shared_views_reach_the_team_and_only_their_author_deletes_them(client, login, en_user, make_user):
    author, colleague = en_user("staff"), en_user("staff")
    login(author)
    client.post("/organisations/views", data={"name": "Privada", "q": "a"})
    client.post("/organisations/views", data={"name": "Del equipo", "q": "b", "shared": "y"})
    client.post("/auth/logout")
    login(colleague)
    page = client.get("/organisations/").get_data(as_text=True)
    chips = page[page.index('aria-label="Saved views"') :].split("</nav>")[0]
    assert "Del equipo" in chips and "Privada" not in chips
    shared_id = db.session.scalar(select(SavedView.id).where(SavedView.name == "Del equipo"))
    refused = client.post(f"/organisations/views/{shared_id}/delete", follow_redirects=True)
    assert b"not yours" in refused.data and len(views()) == 2
    client.post("/auth/logout")
    login(make_user("admin"))
    client.post(f"/organisations/views/{shared_id}/delete")
    assert [name for name, *_ in views()] == ["Privada"]


def test_a_liaison_saves_views_for_themselves_only(client, login, make_org, make_liaison):
    liaison = make_liaison(make_org("Sociedad Nacional de Industrias", kind="association"))
    login(liaison)
    client.post("/organisations/views", data={"name": "Mis socios", "q": "a", "shared": "y"})
    assert views() == [("Mis socios", "q=a", False)]


def test_invitations_can_start_from_a_saved_view(client, login, en_user, make_org, make_contact):
    staff, other = en_user("staff"), en_user("staff")
    foundry, mill = make_org("Fundición Callao SAC"), make_org("Textil Lima SAC")
    make_contact(foundry, "Ana", "Quispe", email="ana@fundicion.pe", email_consent=True)
    make_contact(mill, "Luis", "Huamán", email="luis@textil.pe", email_consent=True)
    event = Event(title="Charla", type="awareness", held_on=today() + timedelta(days=9), place="Callao")
    db.session.add_all(
        [event, SavedView(user_id=other.id, page="organisations", name="Ajena", query="q=textil")]
    )
    db.session.commit()
    login(staff)
    client.post("/organisations/views", data={"name": "Fundiciones", "q": "fundicion"})
    mine = db.session.scalar(select(SavedView.id).where(SavedView.name == "Fundiciones"))
    foreign = db.session.scalar(select(SavedView.id).where(SavedView.name == "Ajena"))

    def who(view_id: int) -> set[str]:
        query = invite.recipient_query(staff, event, invite.parse_filters({"view": str(view_id)}))
        return {c.first_name for c in db.session.scalars(query)}

    assert who(mine) == {"Ana"}
    assert who(foreign) == set()  # another person's private view names nobody
    page = client.get(f"/events/{event.id}/invite?view={mine}").get_data(as_text=True)
    assert "1 people will be invited" in page and "Fundiciones" in page
    client.post(f"/events/{event.id}/invite", data={"view": str(mine), "language": "es"})
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1


def test_nonsense_view_ids_are_nobodys_view(client, login, en_user):
    login(en_user("staff"))
    for ident in (2**40, 0):
        response = client.post(f"/organisations/views/{ident}/delete", follow_redirects=True)
        assert response.status_code == 200 and b"not yours" in response.data


def test_a_default_view_opens_the_list_until_unmarked_or_deleted(client, login, en_user, make_org):
    make_org("Fundición Callao SAC")
    make_org("Textil Lima SAC")
    login(en_user("staff"))
    client.post("/organisations/views", data={"name": "Fundiciones", "q": "fundicion"})
    view_id = db.session.scalar(select(SavedView.id))
    client.post(f"/organisations/views/{view_id}/default")
    opened = client.get("/organisations/")
    assert opened.status_code == 302 and opened.location.endswith("/organisations/?q=fundicion")
    page = client.get("/organisations/?q=fundicion").get_data(as_text=True)
    assert "(opens by default)" in page and 'aria-pressed="true"' in page
    unfiltered = client.get("/organisations/?view=none").get_data(as_text=True)
    assert "Textil Lima SAC" in unfiltered and 'href="/organisations/?view=none" aria-current' in unfiltered
    client.post("/organisations/views/default/clear")
    assert client.get("/organisations/").status_code == 200
    client.post(f"/organisations/views/{view_id}/default")
    client.post(f"/organisations/views/{view_id}/delete")
    assert client.get("/organisations/").status_code == 200  # deleting the view cleared the default
    assert db.session.scalar(select(func.count()).select_from(SavedViewDefault)) == 0


def test_only_a_view_offered_to_the_user_can_be_their_default(client, login, en_user):
    author, colleague = en_user("staff"), en_user("staff")
    login(author)
    client.post("/organisations/views", data={"name": "Privada", "q": "a"})
    client.post("/organisations/views", data={"name": "Del equipo", "q": "b", "shared": "y"})
    private, shared = db.session.scalars(select(SavedView.id).order_by(SavedView.id))
    client.post("/auth/logout")
    login(colleague)
    for ident in (private, 2**40):
        refused = client.post(f"/organisations/views/{ident}/default", follow_redirects=True)
        assert b"not offered to you" in refused.data
    client.post(f"/organisations/views/{shared}/default")
    assert client.get("/organisations/").location.endswith("?q=b")


def test_chosen_columns_are_kept_in_a_view_and_junk_is_ignored(client, login, en_user, make_org):
    make_org("Fundición Callao SAC", ruc="20100070970")
    login(en_user("staff"))
    ticked = client.get("/organisations/?q=&cols=none&cols=owner&cols=ruc&cols=evil")
    assert ticked.location.endswith("/organisations/?q=&cols=ruc,owner")
    page = client.get("/organisations/?cols=ruc,owner").get_data(as_text=True)
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert "RUC" in header and "Owner" in header and "District" not in header and "Kind" not in header
    bare = client.get("/organisations/?cols=none").get_data(as_text=True)
    assert "20100070970" not in bare and "Fundición Callao SAC" in bare
    assert client.get("/organisations/?cols=%00,<x>").location.endswith("/organisations/")  # all columns
    client.post("/organisations/views", data={"name": "Compacta", "cols": "owner,ruc"})
    assert views() == [("Compacta", "cols=ruc,owner", False)]


def test_the_stage_sort_puts_the_furthest_companies_first_and_the_unengaged_last(
    client, login, en_user, make_org
):
    programmes = db.session.scalars(select(Programme).order_by(Programme.id)).all()
    made = {name: make_org(name) for name in ("A sin etapa", "B contactada", "C evaluada", "D retirada")}
    for name, stages in {
        "B contactada": ["contacted"],
        "C evaluada": ["identified", "assessed"],
        "D retirada": ["withdrawn"],
    }.items():
        for programme, stage in zip(programmes, stages, strict=False):
            db.session.add(
                Engagement(
                    organisation_id=made[name].id, programme_id=programme.id, stage=stage, stage_since=today()
                )
            )
    db.session.commit()
    login(en_user("staff"))
    header = client.get("/organisations/").get_data(as_text=True)
    assert 'href="/organisations/?sort=stage"' in header

    def order(sort: str) -> list[str]:
        page = client.get(f"/organisations/?sort={sort}").get_data(as_text=True)
        return sorted(made, key=page.index)

    assert order("stage") == ["B contactada", "C evaluada", "A sin etapa", "D retirada"]
    assert order("-stage") == ["C evaluada", "B contactada", "D retirada", "A sin etapa"]
