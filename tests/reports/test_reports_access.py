"""Who may open the reports (liaisons never), odd filter values, the nav link and the CLI."""

from __future__ import annotations

import pytest

from crm.reports.registry import REPORTS

PAGES = ["/reports/", *[f"/reports/{name}" for name in REPORTS]]
EXPORTS = ["/reports/export/funnel/funnel.csv", "/reports/export/cofinance/annex.xlsx"]
ODD = [
    {"programme": "abc", "from": "2026-13-45", "to": "yesterday", "sector": "-1", "owner": "ñ"},
    {"programme": "99999999999999", "district": str(2**40), "association": "0", "sort": "';--"},
    {"from": "2026-12-31", "to": "2026-01-01", "by": "<script>", "page": "-4", "period": "9999-S9"},
    {"sort": "-conversion", "by": "membership", "from": "0001-01-01", "to": "9999-12-31"},
]


def test_liaison_gets_404_on_every_report_url(client, world, make_liaison, login):
    login(make_liaison(world.sni))
    for url in [*PAGES, *EXPORTS]:
        assert client.get(url).status_code == 404, url
    assert client.post("/reports/indicators/freeze", data={"period": "2025-S1"}).status_code == 404
    page = client.get("/").get_data(as_text=True)
    assert 'href="/reports/"' not in page


@pytest.mark.parametrize("role", ["admin", "manager", "staff", "viewer"])
def test_readers_open_every_report(client, world, make_user, login, role):
    login(make_user(role))
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert 'href="/reports/"' in client.get("/reports/").get_data(as_text=True)


def test_anonymous_users_are_sent_to_sign_in(client):
    assert client.get("/reports/funnel").status_code in (302, 404)


@pytest.mark.parametrize("args", ODD)
def test_odd_filter_values_never_break_a_report(client, world, make_user, login, args):
    login(make_user("manager"))
    for url in [*PAGES, *EXPORTS]:
        response = client.get(url, query_string=args)
        assert response.status_code == 200, (url, args, response.status_code)


def test_a_bad_date_is_reported_in_the_users_language(client, world, make_user, login):
    login(make_user("manager"))  # Spanish
    html = client.get("/reports/funnel", query_string={"from": "ayer"}).get_data(as_text=True)
    assert "ayer" in html and "AAAA-MM-DD" in html  # the Spanish message, in Spanish


def run(app, *args: str):
    """Invoke a CLI command the way `flask` does."""
    return app.test_cli_runner().invoke(args=list(args))


def test_cli_prints_the_same_figures(app, world):
    result = run(app, "crm", "report", "funnel", "--format", "csv", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Contacted,Letter of interest signed,Conversion (%),One in N contacted signs" in result.output
    assert "\n6,3,50.0,2.0\n" in result.output.replace("\r\n", "\n")
    sector = run(
        app, "crm", "report", "sector", "--format", "table", "--programme", "zis-callao", "--lang", "en"
    )
    assert sector.exit_code == 0, sector.output
    # ZIS only, most contacted first: Y9 = C1 C2 C3 C6 (4 contacted, 2 letters); Y8 = C4 (1, 1)
    # … each rate with its Wilson 95 % interval, small samples flagged (2 of 4: 15.0–85.0 %)
    assert [line.split()[-8:] for line in sector.output.splitlines() if line.startswith("Y")] == [
        ["4", "2", "50.0", "15.0–85.0", "%", "(small", "sample)", "2"],
        ["1", "1", "100.0", "20.7–100.0", "%", "(small", "sample)", "0"],
    ]
    assert run(app, "crm", "report", "cofinance").exit_code == 0
    indicators = run(app, "crm", "report", "indicators", "--format", "csv", "--lang", "en")
    assert indicators.exit_code == 0
    # 7 companies identified of a target of 90 → 7.8 %, rating 1
    line = (
        "\n3.1,Companies identified in the industrial zone,companies,90.00,7,7.8,1 – Highly unsatisfactory,"
    )
    assert line in indicators.output
    unknown = run(app, "crm", "report", "funnel", "--programme", "NOPE")
    assert unknown.exit_code != 0 and "NOPE" in unknown.output
