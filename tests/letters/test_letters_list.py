"""The letters list: filters (overdue, kind, status, programme, organisation), counts, sort, pagination."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.clock import today
from crm.extensions import db
from crm.models import Programme


def names(page: str) -> list[str]:
    """Return the organisation names of the list's rows, in order."""
    return re.findall(r'<td><a href="/letters/\d+">([^<]+)</a></td>', page)


@pytest.fixture
def letters(world, make_org, make_letter):
    """Letters of five organisations in different states; the configured overdue limit is 30 days."""
    ago = lambda n: today() - timedelta(days=n)  # noqa: E731
    programme = db.session.scalars(select(Programme).order_by(Programme.code)).first()
    orgs = {
        name: make_org(name) for name in ("Alfa SAC", "Beta SAC", "Gamma SAC", "Delta SAC", "Épsilon SAC")
    }
    make_letter(orgs["Alfa SAC"], requested_on=ago(45))  # overdue
    make_letter(orgs["Beta SAC"], requested_on=ago(31), programme_id=programme.id)  # overdue
    make_letter(orgs["Gamma SAC"], requested_on=ago(30))  # exactly 30 days: not yet
    make_letter(orgs["Delta SAC"], status="received", requested_on=ago(60), received_on=ago(2))
    make_letter(orgs["Épsilon SAC"], "cofinance", "signed", requested_on=ago(90), signed_on=ago(50))
    return programme


def test_overdue_filter(client, login, world, letters):
    login(world.staff)
    page = client.get("/letters/?overdue=1").get_data(as_text=True)
    assert sorted(names(page)) == ["Alfa SAC", "Beta SAC"]
    assert "2 letters found" in page


def test_counts_per_status_and_overdue(client, login, world, letters):
    login(world.viewer)
    page = client.get("/letters/").get_data(as_text=True)
    assert "5 letters found" in page
    counts = dict(re.findall(r'>(\w+) <span class="badge(?: warn)?">(\d+)</span>', page))
    assert counts == {
        "Requested": "3",
        "Received": "1",
        "Signed": "1",
        "Expired": "0",
        "Withdrawn": "0",
        "Overdue": "2",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=cofinance", ["Épsilon SAC"]),
        ("status=received", ["Delta SAC"]),
        ("status=requested&sort=organisation", ["Alfa SAC", "Beta SAC", "Gamma SAC"]),
        ("q=EPSILON", ["Épsilon SAC"]),
        ("q=%25", []),
        ("sort=organisation", ["Alfa SAC", "Beta SAC", "Delta SAC", "Épsilon SAC", "Gamma SAC"]),
        ("sort=-requested", ["Gamma SAC", "Beta SAC", "Alfa SAC", "Delta SAC", "Épsilon SAC"]),
        ("sort=requested", ["Épsilon SAC", "Delta SAC", "Alfa SAC", "Beta SAC", "Gamma SAC"]),
        ("kind=bogus&status=x&programme=abc&sort=-nonsense&page=zz", None),
    ],
)
def test_filters_and_sorting(client, login, world, letters, query, expected):
    login(world.staff)
    response = client.get(f"/letters/?{query}")
    assert response.status_code == 200
    if expected is not None:
        found = names(response.get_data(as_text=True))
        assert found == expected if "sort" in query else sorted(found) == sorted(expected)
    else:
        assert len(names(response.get_data(as_text=True))) == 5


def test_programme_filter(client, login, world, letters):
    login(world.staff)
    page = client.get(f"/letters/?programme={letters.id}").get_data(as_text=True)
    assert names(page) == ["Beta SAC"]


def test_pagination(app, client, login, world, make_letter, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    for _ in range(5):
        make_letter(world.company)
    login(world.staff)
    first = client.get("/letters/").get_data(as_text=True)
    third = client.get("/letters/?page=3").get_data(as_text=True)
    assert len(names(first)) == 2 and len(names(third)) == 1
    assert "page 1 of 3" in first


def test_liaison_gets_404(client, login, liaison_world, make_letter):
    make_letter(liaison_world.member)
    login(liaison_world.liaison)
    assert client.get("/letters/").status_code == 404
    assert client.get("/letters/new").status_code == 404
