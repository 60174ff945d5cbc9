"""The portal is scoped in the query layer: foreign ids in URLs or forms answer 404 and are logged."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import ChangeLog, Engagement, Membership, OutboxMessage, Programme


def denied(caplog, response, path_part: str) -> bool:
    """Return whether the request answered 404 and deny() logged it for the liaison."""
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    return response.status_code == 404 and any(
        "access denied" in m and "liaison" in m and path_part in m for m in logged
    )


def snapshot() -> tuple:
    """Return what a refused request must leave unchanged."""
    statuses = tuple(db.session.scalars(select(Membership.status).order_by(Membership.id)))
    reviewed = tuple(db.session.scalars(select(Membership.last_reviewed_at).order_by(Membership.id)))
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Engagement, OutboxMessage)]
    return statuses, reviewed, tuple(counts), db.session.scalar(select(func.count(ChangeLog.id)))


def test_liaison_home_is_the_portal_of_their_association(client, world, as_liaison):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/")
    response = client.get("/portal/")
    assert response.headers["Location"].endswith(f"/portal/{world.assoc.id}")
    html = client.get(f"/portal/{world.assoc.id}").get_data(as_text=True)
    assert "Sociedad Nacional de Industrias" in html
    for name in ("Fundición Miembro SAC", "Textiles Andinos SAC", "Plásticos Ambos SAC"):
        assert name in html
    assert "Química Ajena SAC" not in html  # the other association's member
    assert "Cámara de Comercio de Lima" not in html


def test_several_associations_show_as_tabs(client, world, make_liaison, login):
    liaison = login(make_liaison(world.assoc, world.other_assoc))
    html = client.get(f"/portal/{world.other_assoc.id}").get_data(as_text=True)
    assert f'href="/portal/{world.assoc.id}"' in html
    assert f'href="/portal/{world.other_assoc.id}" aria-current="page"' in html
    assert "Química Ajena SAC" in html and "Fundición Miembro SAC" not in html
    assert liaison.role == "liaison"


def test_liaison_without_association_is_told_so(client, make_liaison, login):
    login(make_liaison())
    html = client.get("/portal/").get_data(as_text=True)
    assert "No association is linked to your account yet" in html


def test_other_association_pages_answer_404_and_are_logged(client, world, as_liaison, caplog):
    caplog.set_level(logging.WARNING)
    for path in ("", "/add", "/referrals"):
        url = f"/portal/{world.other_assoc.id}{path}"
        assert denied(caplog, client.get(url), url), url
    url = f"/portal/{world.member.id}"  # a company id is not an association of theirs either
    assert denied(caplog, client.get(url), url)
    assert client.get(f"/portal/{2**40}").status_code == 404


def test_foreign_membership_ids_in_forms_answer_404_and_change_nothing(
    client, world, as_liaison, caplog, programmes
):
    caplog.set_level(logging.WARNING)
    before = snapshot()
    url = f"/portal/members/{world.m_other.id}"
    assert denied(caplog, client.post(url, data={"status": "left", "note": "x"}), url)
    # the same company's membership in another association is foreign too
    url = f"/portal/members/{world.m_both_other.id}"
    assert denied(caplog, client.post(url, data={"status": "left"}), url)
    url = f"/portal/members/{world.m_other.id}/refer"
    assert denied(caplog, client.post(url, data={"programme_id": programmes.zis.id}), url)
    url = f"/portal/{world.other_assoc.id}/confirm"
    assert denied(caplog, client.post(url), url)
    assert snapshot() == before


@pytest.mark.parametrize("value", ["assoc", "other_assoc", "abc", "", "-1", str(2**40)])
def test_add_member_refuses_ids_that_are_not_companies(client, world, as_liaison, caplog, value):
    caplog.set_level(logging.WARNING)
    before = snapshot()
    ident = str(getattr(world, value).id) if hasattr(world, value) else value
    url = f"/portal/{world.assoc.id}/add"
    assert denied(caplog, client.post(url, data={"organisation_id": ident, "status": "active"}), url)
    assert snapshot() == before


def test_add_member_to_another_association_is_refused(client, world, as_liaison, caplog):
    caplog.set_level(logging.WARNING)
    url = f"/portal/{world.other_assoc.id}/add"
    response = client.post(url, data={"organisation_id": world.member.id, "status": "active"})
    assert denied(caplog, response, url)
    url = f"/portal/{world.other_assoc.id}/new-company"
    assert denied(caplog, client.post(url, data={"legal_name": "Nueva SAC", "status": "active"}), url)
    assert db.session.scalar(select(func.count(Membership.id))) == 5


def test_unknown_or_inactive_programme_answers_404(client, world, as_liaison, programmes, caplog):
    caplog.set_level(logging.WARNING)
    db.session.get(Programme, programmes.pei.id).active = False
    db.session.commit()
    url = f"/portal/members/{world.m_member.id}/refer"
    for value in (programmes.pei.id, 999999, 2**40):
        assert denied(caplog, client.post(url, data={"programme_id": value}), url), value
    assert db.session.scalar(select(func.count(Engagement.id))) == 0


@pytest.mark.parametrize("role", ["viewer", "staff", "manager", "admin"])
def test_other_roles_cannot_use_the_portal(client, world, en_user, login, role):
    login(en_user(role))
    assert client.get("/portal/").status_code == 404
    assert client.get(f"/portal/{world.assoc.id}").status_code == 404
    response = client.post(f"/portal/members/{world.m_member.id}", data={"status": "left"})
    assert response.status_code == 404
    assert db.session.get(Membership, world.m_member.id).status == "active"


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(f"/portal/{world.assoc.id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_portal_pages_show_nothing_confidential(client, world, as_liaison, secrets, make_engagement):
    path = ("identified", "contacted", "meeting_held")
    engagement = make_engagement(world.member, path, source_association_id=world.assoc.id)
    engagement.transitions[-1].note = "Nota de etapa reservada"
    db.session.commit()
    pages = [f"/portal/{world.assoc.id}", f"/portal/{world.assoc.id}/referrals"]
    pages.append(f"/portal/{world.assoc.id}/add?q=fundicion")
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert "Fundición Miembro SAC" in html, url
        hidden = (secrets.summary, "Nota de etapa reservada", "Meeting held", "4321", "4,321", "MWh")
        hidden += ("u-POPs", "Nota interna secreta", "Olga Owner", "20100070970", "Fumisa")
        for secret in hidden:
            assert secret not in html, (url, secret)
