"""The read trail: every page that shows a confidential value records who read it, from where, once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import AccessLog, EmissionProfile
from crm.privacy.trail import reading_as
from tests.test_access_matrix import TABLE, send, sign_in, url_of

# The world's member company has 98765.43 MWh/year: however a page formats it, this finds it.
SECRET = re.compile(r"98[.,\s\u202f\xa0]?765[.,]43")


def reads(org_id: int | None = None, what: str | None = "emission_profile") -> list[AccessLog]:
    """Return the recorded reads (of profiles unless told otherwise), oldest first, of one company."""
    query = select(AccessLog).order_by(AccessLog.id)
    if what is not None:
        query = query.where(AccessLog.what == what)
    if org_id is not None:
        query = query.where(AccessLog.organisation_id == org_id)
    db.session.expire_all()
    return list(db.session.scalars(query))


def pages_showing_the_secret(app, client, world) -> set[str]:
    """Request every GET row of the access matrix; return the endpoints whose answer shows the secret."""
    showing = set()
    for entry in TABLE:
        if entry.method != "GET":
            continue
        response = send(client, url_of(app, world, entry), "GET", {})
        if SECRET.search(response.get_data().decode("utf-8", "replace")):
            showing.add(entry.endpoint)
    return showing


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_every_page_that_shows_a_confidential_value_records_the_read(app, client, world, role):
    sign_in(client, world.users[role])
    showing = pages_showing_the_secret(app, client, world)
    # The profile page, its edit form and the list export show it (the test must not pass vacuously).
    assert {"organisations.detail", "organisations.edit", "exports.organisations"} <= showing
    # The world's result line holds the same number: a results page records its own kind of read.
    recorded = {r.endpoint for r in reads(world.member, what=None) if r.user_id == world.users[role].id}
    assert showing <= recorded, f"shown without a read-trail row: {sorted(showing - recorded)}"


@pytest.mark.parametrize("role", ["viewer", "liaison"])
def test_roles_that_may_not_see_the_profile_leave_no_read(app, client, world, role):
    sign_in(client, world.users[role])
    assert pages_showing_the_secret(app, client, world) == set()
    assert reads(what=None) == []


def test_one_row_per_request_and_company_with_who_what_and_where(app, client, world):
    sign_in(client, world.users["staff"])
    assert client.get(f"/organisations/{world.member}?hpage=1").status_code == 200
    # the profile and its history rows were loaded: one read (the member's measured results are another)
    (row,) = [r for r in reads(world.member) if r.what == "emission_profile"]
    assert row.user_id == world.users["staff"].id and row.what == "emission_profile"
    assert row.endpoint == "organisations.detail"
    assert row.path == f"/organisations/{world.member}?hpage=1" and row.ip == "127.0.0.1"
    assert set(row.fields.split(",")) == {
        "electricity_mwh_year", "natural_gas_m3_year", "emits_upops", "reduction_potential_tco2e"
    }  # fmt: skip


def test_the_edit_form_records_the_read_even_when_it_is_refused(app, client, world):
    sign_in(client, world.users["staff"])
    assert client.get(f"/organisations/{world.member}/edit").status_code == 200
    response = client.post(f"/organisations/{world.member}/edit", data={"legal_name": ""})
    assert response.status_code == 400 and SECRET.search(response.get_data(as_text=True))
    assert [r.endpoint for r in reads(world.member)] == ["organisations.edit"] * 2


def test_a_job_reads_as_the_recipient_and_system_work_is_not_a_read(app, world):
    db.session.get(EmissionProfile, world.member)  # no request, no reader: system work
    db.session.expire_all()
    with reading_as(world.users["manager"].id, "mail:digest"):
        db.session.get(EmissionProfile, world.member)
        db.session.expire_all()
        db.session.get(EmissionProfile, world.member)  # the same reader again: still one read
    db.session.commit()
    (row,) = reads(world.member)
    assert (row.user_id, row.endpoint, row.path) == (world.users["manager"].id, "mail:digest", None)
