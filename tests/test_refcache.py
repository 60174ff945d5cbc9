"""Reference lists kept per process: reused, dropped when any process changes them, off without Redis."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from flask import current_app
from redis import Redis
from sqlalchemy import delete, event, insert

from crm import refcache
from crm.extensions import db
from crm.models import District, Sector
from crm.organisations import listing
from crm.redis_conn import get_redis
from crm.reports import filters


@contextmanager
def counted():
    """Count the SQL statements run inside the block."""
    seen: list[str] = []

    def note(*args):
        seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def district_names() -> set[str]:
    """Return the district names the selects offer now, as one request would."""
    with current_app.app_context(), current_app.test_request_context():  # a request's own context and g
        return {d.name for d in listing.districts()}


@contextmanager
def district_behind_the_orm(name: str):
    """Insert a district by a bulk statement, unseen by flush hooks; remove it after (it outlives wipes)."""
    ubigeo = uuid.uuid4().hex[:6]
    db.session.execute(insert(District).values(name=name, province="Lima", region="Lima", ubigeo=ubigeo))
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        db.session.execute(delete(District).where(District.ubigeo == ubigeo))
        db.session.commit()


def test_a_list_is_read_once_and_then_reused(app):
    with counted() as building, app.test_request_context():
        first, report_options = listing.sector_groups(), filters.options("es")
    with counted() as reusing, app.test_request_context():
        assert listing.sector_groups() == first and filters.options("es") == report_options
    assert len(building) >= 5 and reusing == []


def test_a_change_saved_through_the_app_is_seen_at_once(app):
    before = {s.code for s, _ in listing.sector_groups()}
    db.session.add(Sector(code="Z", name_es="Sección de prueba", name_en="Test section"))
    db.session.commit()
    after = {s.code for s, _ in listing.sector_groups()}
    assert after - before == {"Z"}


def test_another_process_change_is_seen_through_the_shared_token(app):
    assert "Distrito Nuevo" not in district_names()
    with district_behind_the_orm("Distrito Nuevo"):
        assert "Distrito Nuevo" not in district_names()  # kept: nothing told this process
        get_redis().set(refcache.VERSION_KEY, uuid.uuid4().hex)  # what another process's commit does
        assert "Distrito Nuevo" in district_names()


def test_renaming_an_association_changes_the_options_and_a_company_does_not(app, make_org):
    association, company = make_org("Asociación Uno", kind="association"), make_org("Empresa Uno")
    assert ("Asociación Uno" in dict(filters.options("es")["association"]).values())
    token = get_redis().get(refcache.VERSION_KEY)
    company.legal_name = "Empresa Renombrada"
    db.session.commit()
    assert get_redis().get(refcache.VERSION_KEY) == token
    association.legal_name = "Asociación Dos"
    db.session.commit()
    assert dict(filters.options("es")["association"])[association.id] == "Asociación Dos"


def test_without_redis_nothing_is_kept_and_lists_stay_right(app):
    district_names()
    working = app.extensions["redis"]
    app.extensions["redis"] = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)  # nothing listens
    try:
        with district_behind_the_orm("Distrito Sin Redis"):
            assert "Distrito Sin Redis" in district_names()
    finally:
        app.extensions["redis"] = working


def test_switched_off_every_request_reads_the_lists(app):
    app.config["REFERENCE_CACHE"] = False
    try:
        listing.districts()
        with counted() as statements:
            listing.districts()
        assert len(statements) == 1
    finally:
        app.config["REFERENCE_CACHE"] = True
