"""Every letters endpoint, with real and unknown ids, odd arguments and junk forms: never a 500."""

from __future__ import annotations

import io

import pytest
from letters_support import count

from crm.clock import today
from crm.models import Letter, Materialisation

ODD_QUERY = {
    "page": "abc",
    "sort": "-nonsense",
    "q": "%_'\"<script>",
    "kind": "bogus",
    "status": "ñ",
    "programme": "99999999999",
    "organisation": "-1",
    "overdue": "maybe",
    "organisation_id": "999999",
}
JUNK_FORM = {
    "kind": "cofinance",
    "status": "signed",
    "signed_on": "31/12/2024",
    "amount": "1e309",
    "currency": "€",
    "exchange_rate": "Infinity",
    "component": "99999999999999",
    "programme_id": str(2**40),
    "signatory_id": "1 OR 1=1",
    "version": "-1",
    "occurred_on": "ayer",
    "note": "x" * 5000,
}
OK = {200, 302, 400, 404, 405, 409}


def letter_urls(app, ids: dict[str, int]) -> list[str]:
    """Build every letters URL with the given ids."""
    built = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("letters."):
            built.append(rule.build(ids, append_unknown=False)[1])
    return sorted(set(built))


@pytest.fixture
def cofinance_letter(world, make_letter):
    """A signed co-finance letter with one materialisation entry."""
    from crm.extensions import db

    letter = make_letter(world.company, "cofinance", "signed", signed_on=today())
    db.session.add(Materialisation(letter=letter, occurred_on=today(), amount=1, amount_usd=1))
    db.session.commit()
    return letter


@pytest.mark.parametrize("role", ["admin", "staff", "viewer", "liaison"])
def test_odd_requests_never_fail(app, client, login, en_user, world, cofinance_letter, role):
    login(en_user(role))
    entry_id = cofinance_letter.materialisations[0].id
    id_sets = [
        {"letter_id": cofinance_letter.id, "entry_id": entry_id, "view_id": 1},
        {"letter_id": 999999, "entry_id": 999999, "view_id": 999999},
        {"letter_id": 2**40, "entry_id": 2**40, "view_id": 2**40},
    ]
    for ids in id_sets:
        for url in letter_urls(app, ids):
            assert client.get(url, query_string=ODD_QUERY).status_code in OK, url
            data = {**JUNK_FORM, "document": (io.BytesIO(b"\x00\x01junk"), "../../etc/passwd.pdf")}
            response = client.post(url, data=data, content_type="multipart/form-data")
            assert response.status_code in OK, (url, response.status_code)
    # only users with letter.edit got through to the delete button
    assert count(Letter) == (0 if role in ("admin", "staff") else 1)
