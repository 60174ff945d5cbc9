"""Crawl every endpoint with unknown ids, odd query strings and empty forms: never a 500."""

from __future__ import annotations

import pytest

ODD_QUERY = {
    "page": "abc",
    "sort": "-nonsense",
    "q": "%_'\"<script>",
    "kind": "bogus",
    "sector": "x",
    "district": "-1",
    "owner": "ñ",
    "organisation_id": "999999",
}
OK_STATUSES = {200, 302, 400, 404, 405}


def allowed(url: str) -> set[int]:
    """Return the acceptable statuses: the API also answers 401, since a session cookie never opens it."""
    return OK_STATUSES | {401} if url.startswith("/api/") else OK_STATUSES


def urls(app, method: str) -> list[str]:
    """Build URLs for every endpoint answering the method, with ids that cannot exist."""
    built = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or method not in (rule.methods or ()):
            continue
        for ident in (999999, 2**40):  # the second overflows a PostgreSQL integer
            built.append(rule.build({arg: ident for arg in rule.arguments}, append_unknown=False)[1])
    return sorted(set(built))


@pytest.mark.parametrize("role", ["admin", "staff", "liaison", "viewer"])
def test_get_with_unknown_ids_and_odd_arguments(app, client, make_user, login, role):
    login(make_user(role))
    for url in urls(app, "GET"):
        response = client.get(url, query_string=ODD_QUERY)
        assert response.status_code in allowed(url), (url, response.status_code)


@pytest.mark.parametrize("role", ["admin", "liaison"])
def test_post_empty_forms_to_every_endpoint(app, client, make_user, login, role):
    login(make_user(role))
    for url in urls(app, "POST"):
        if url == "/auth/logout":
            continue
        response = client.post(url, data={"name": "x" * 5000, "email": "not-an-email"})
        assert response.status_code in allowed(url), (url, response.status_code)
