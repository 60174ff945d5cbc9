"""Reading the trail: administrators see every read, a company's owner sees their company's, filtered."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from crm.extensions import db
from crm.models import AccessLog

FIELDS = "electricity_mwh_year,emits_upops"


def read(user, org, day: int, path: str = "/organisations/1") -> None:
    """Record a read of the company's profile by the user on a day of March 2026 (noon UTC)."""
    at = datetime(2026, 3, day, 17, tzinfo=UTC)
    db.session.add(
        AccessLog(user_id=user.id, organisation_id=org.id, what="emission_profile", fields=FIELDS,
                  endpoint="organisations.detail", path=path, ip="10.0.0.9", at=at)
    )  # fmt: skip


def world(en_user, make_org):
    """Two readers, two companies (the first owned by the staff reader), six reads."""
    admin, staff = en_user("admin", name="Ada Admin"), en_user("staff", name="Sara Staff")
    manager = en_user("manager", name="Mario Manager")
    owned, other = make_org("Fundición Propia SAC", owner_id=staff.id), make_org("Textil Ajena SAC")
    for day in (1, 2, 3):
        read(staff, owned, day)
    read(manager, owned, 10)
    read(manager, other, 10)
    read(staff, other, 20)
    db.session.commit()
    return admin, staff, manager, owned, other


def test_the_administrator_reads_filters_and_counts_the_trail(client, login, en_user, make_org):
    admin, staff, manager, owned, other = world(en_user, make_org)
    login(admin)
    html = client.get("/privacy/trail").get_data(as_text=True)
    assert "Read trail of confidential data" in html and "6 results" in html
    assert "Sara Staff" in html and "Mario Manager" in html and "Textil Ajena SAC" in html
    assert "Electricity use (MWh/year), Emits u-POPs" in html and "10.0.0.9" in html
    by_user = client.get(f"/privacy/trail?user={manager.id}").get_data(as_text=True)
    assert "2 results" in by_user
    ranged = client.get(f"/privacy/trail?start=2026-03-02&end=2026-03-10&org={owned.id}").get_data(
        as_text=True
    )
    assert "3 results" in ranged and "Company: Fundición Propia SAC" in ranged  # days 2, 3 and 10


def test_odd_filters_are_ignored_not_an_error(client, login, en_user, make_org):
    admin, *_ = world(en_user, make_org)
    login(admin)
    response = client.get("/privacy/trail?start=yesterday&end=2026-13-45&user=x&page=-1")
    assert response.status_code == 200 and "6 results" in response.get_data(as_text=True)


def test_the_trail_is_paginated(app, client, login, en_user, make_org, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    admin, *_ = world(en_user, make_org)
    login(admin)
    html = client.get("/privacy/trail?page=2").get_data(as_text=True)
    assert "page 2 of 2" in html


def test_the_export_follows_the_filters(client, login, en_user, make_org):
    admin, staff, manager, owned, other = world(en_user, make_org)
    login(admin)
    response = client.get(f"/privacy/trail.csv?org={other.id}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["When", "User", "User id", "Company"]
    assert sorted(r[1] for r in rows[1:]) == ["Mario Manager", "Sara Staff"]
    assert rows[1][0].startswith("2026-03-20")  # newest first, in Lima time
    assert client.get("/privacy/trail.xlsx").headers["Content-Type"].startswith("application/vnd.openxml")
    assert client.get("/privacy/trail.pdf").status_code == 404


def test_the_owner_reads_their_company_and_its_statement_but_not_another(client, login, en_user, make_org):
    admin, staff, manager, owned, other = world(en_user, make_org)
    login(staff)
    page = client.get(f"/privacy/trail/company/{owned.id}").get_data(as_text=True)
    assert "Who saw the data of Fundición Propia SAC" in page and "4 results" in page
    statement = client.get(f"/privacy/trail/company/{owned.id}/statement").get_data(as_text=True)
    assert "Who saw your data" in statement and "Mario Manager" in statement and "Sara Staff" in statement
    assert "Textil" not in statement
    assert client.get(f"/privacy/trail/company/{other.id}").status_code == 404
    assert client.get(f"/privacy/trail/company/{other.id}/statement").status_code == 404
    assert client.get("/privacy/trail").status_code == 404


def test_the_company_page_links_its_trail_for_the_owner_only(client, login, en_user, make_org):
    admin, staff, manager, owned, other = world(en_user, make_org)
    login(staff)
    html = client.get(f"/organisations/{owned.id}").get_data(as_text=True)
    assert "shown 4 times" in html and f"/privacy/trail/company/{owned.id}" in html
    assert "/privacy/trail/company/" not in client.get(f"/organisations/{other.id}").get_data(as_text=True)


def test_the_statement_in_spanish_prints_without_navigation(client, login, make_user, make_org):
    admin = make_user("admin", name="Ada Admin")
    org = make_org("Fundición Propia SAC")
    read(admin, org, 5)
    db.session.commit()
    login(admin)
    html = client.get(f"/privacy/trail/company/{org.id}/statement?start=2026-03-01").get_data(as_text=True)
    assert "Quién vio sus datos" in html and "css/privacy.css" in html and "Ada Admin" in html
