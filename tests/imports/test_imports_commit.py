"""Committing runs as an RQ job, all-or-nothing, with progress; one import per user and kind at a time."""

from __future__ import annotations

from decimal import Decimal

import pytest
from imports_support import counts, ruc, text
from sqlalchemy import func, select
from sqlalchemy import text as text_sql

from crm.extensions import db
from crm.imports.jobs import run_import
from crm.jobs import dispatch_job_outbox
from crm.models import (
    ChangeLog,
    Contact,
    District,
    EmissionProfile,
    Engagement,
    ImportBatch,
    JobOutbox,
    Membership,
    Organisation,
    ReachTally,
    Sector,
    StayTally,
)
from crm.pipeline import tallies
from crm.redis_conn import get_redis
from crm.text import fold
from tests.pipeline.test_stage_reach import tallies_maintained, tallies_recomputed
from workers.worker import run_worker

FILE = (
    "Razón social;RUC;Sector;Distrito;Tamaño;Contacto;Correo;Gremio;Etapa;Fecha de etapa;"
    "Electricidad MWh/año\n"
    f"Fundición Callao S.A.C.;{ruc(1)};24;Callao;Mediana;Ana María Pérez Gómez;ana@fundicion.pe;SNI;"
    "Contactada;03/05/2024;1.234,5\n"
    f"Textiles Lurín SRL;{ruc(2)};C;Lurín;pequeña;;;;;;\n"
)


def org_named(name: str) -> Organisation:
    """Return the organisation with this legal name."""
    return db.session.scalars(select(Organisation).where(Organisation.legal_name == name)).one()


def test_commit_runs_as_a_job_and_writes_every_part_of_the_rows(staff, make_org, imported):
    sni = make_org("Sociedad Nacional de Industrias", kind="association", trade_name="SNI")
    batch = imported(FILE)
    assert batch.status == "done", batch.error
    assert (batch.counts["create"], batch.done_rows, batch.user_id) == (2, 2, staff.id)
    org = org_named("Fundición Callao S.A.C.")
    sector = db.session.scalars(select(Sector).where(Sector.code == "24")).one()
    callao = db.session.scalars(select(District).where(District.ubigeo == "070101")).one()
    assert (org.ruc, org.sector_id, org.district_id, org.size, org.kind) == (
        ruc(1),
        sector.id,
        callao.id,
        "medium",
        "company",
    )
    assert db.session.get(EmissionProfile, org.id).electricity_mwh_year == Decimal("1234.50")
    contact = db.session.scalars(select(Contact).where(Contact.organisation_id == org.id)).one()
    assert (contact.first_name, contact.last_name, contact.email) == (
        "Ana María",
        "Pérez Gómez",
        "ana@fundicion.pe",
    )
    membership = db.session.scalars(select(Membership).where(Membership.company_id == org.id)).one()
    assert (membership.association_id, membership.status) == (sni.id, "active")
    engagement = db.session.scalars(select(Engagement).where(Engagement.organisation_id == org.id)).one()
    assert (engagement.stage, engagement.stage_since.isoformat()) == ("contacted", "2024-05-03")
    assert org_named("Textiles Lurín SRL").size == "small"
    tagged = db.session.scalars(select(ChangeLog.entity_type).where(ChangeLog.batch_id == batch.id)).all()
    assert sorted(set(tagged)) == ["contact", "emissionprofile", "engagement", "membership", "organisation"]


def test_the_batch_page_shows_progress_and_the_result(client, staff, imported):
    batch = imported(FILE.replace(";SNI;", ";;"))
    page = client.get(f"/imports/{batch.id}")
    assert page.status_code == 200 and "Done" in text(page)
    progress = client.get(f"/imports/{batch.id}/progress").get_json()
    assert progress == {"status": "done", "done": 2, "total": 2, "label": "Done"}


def test_a_queued_import_shows_a_progress_bar_that_works_without_javascript(client, staff, previewed):
    ident, _page = previewed(FILE.replace(";SNI;", ";;"))
    client.post(f"/imports/{ident}/commit")
    page = text(client.get(f"/imports/{ident}"))
    assert '<progress id="import-progress" max="2" value="0">' in page
    assert "js/imports.js" in page and "Refresh" in page and "<script>" not in page


@pytest.fixture
def failing_insert():
    """Make the database refuse one organisation's insert (a real failure in the middle of the job)."""
    name = "Empresa 1200 SAC"
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text_sql(
                    "CREATE FUNCTION crm_test_refuse() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.legal_name = '{name}' THEN RAISE EXCEPTION 'refused'; END IF; "
                    "RETURN NEW; END $$ "
                    "LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text_sql(
                    "CREATE TRIGGER crm_test_refuse BEFORE INSERT ON organisations "
                    "FOR EACH ROW EXECUTE FUNCTION crm_test_refuse()"
                )
            )
        else:
            conn.execute(
                text_sql(
                    f"CREATE TRIGGER crm_test_refuse BEFORE INSERT ON organisations "
                    f"WHEN NEW.legal_name = '{name}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
    yield
    db.session.rollback()  # the test's transaction holds a lock on organisations that DROP TRIGGER waits for
    with db.engine.begin() as conn:
        conn.execute(
            text_sql(
                "DROP TRIGGER IF EXISTS crm_test_refuse"
                + (" ON organisations" if conn.dialect.name == "postgresql" else "")
            )
        )
        if conn.dialect.name == "postgresql":
            conn.execute(text_sql("DROP FUNCTION IF EXISTS crm_test_refuse()"))


def test_a_failure_midway_writes_nothing_and_marks_the_batch_failed(
    client, staff, failing_insert, previewed, work
):
    rows = "".join(f"Empresa {n} SAC;{ruc(n)};24;Callao;;;;;;;\n" for n in range(10, 1300))
    ident, _page = previewed(FILE.split("\n")[0] + "\n" + rows)
    before = counts()
    client.post(f"/imports/{ident}/commit")
    work()
    batch = db.session.get(ImportBatch, ident)
    assert batch.status == "failed"
    assert "Nothing was written" in batch.error
    assert counts() == before
    assert db.session.scalars(select(ChangeLog).where(ChangeLog.batch_id == ident)).first() is None
    assert "Failed, nothing written" in text(client.get(f"/imports/{ident}"))


def test_data_changed_since_the_preview_fails_the_whole_import(client, staff, make_org, previewed, work):
    sni = make_org("Sociedad Nacional de Industrias", kind="association", trade_name="SNI")
    ident, _page = previewed(FILE)
    sni.kind = "ngo"  # the association row 2 names is no longer an association
    db.session.commit()
    before = counts()
    client.post(f"/imports/{ident}/commit")
    work()
    batch = db.session.get(ImportBatch, ident)
    assert batch.status == "failed" and "Look at the preview again" in batch.error
    assert counts() == before


def test_a_second_import_of_the_same_kind_is_refused_while_the_first_runs(client, staff, previewed, work):
    first, _page = previewed(FILE.replace(";SNI;", ";;"))
    second, _page = previewed(f"Razón social;RUC\nOtra Empresa SAC;{ruc(3)}\n")
    assert client.post(f"/imports/{first}/commit").status_code == 302
    refused = client.post(f"/imports/{second}/commit", follow_redirects=True)
    assert "still running" in text(refused)
    assert db.session.get(ImportBatch, second).status == "previewed"
    work()
    assert client.post(f"/imports/{second}/commit").status_code == 302
    work()
    assert db.session.get(ImportBatch, second).status == "done"
    assert counts().orgs == 3


def test_the_job_is_safe_to_run_twice(staff, imported):
    batch = imported(FILE.replace(";SNI;", ";;"))
    before = counts()
    assert run_import(batch.id) == "skipped"
    db.session.expire_all()
    assert counts() == before and db.session.get(ImportBatch, batch.id).status == "done"


def test_commit_needs_the_errors_accepted_and_a_preview(client, staff, previewed, work):
    ident, _page = previewed(FILE.replace(";SNI;", ";;").replace(ruc(2), "20100047219"))
    refused = client.post(f"/imports/{ident}/commit", follow_redirects=True)
    assert "rows have errors" in text(refused)
    assert db.session.get(ImportBatch, ident).status == "previewed"
    client.post(f"/imports/{ident}/commit", data={"skip_errors": "y"})
    work()
    batch = db.session.get(ImportBatch, ident)
    assert batch.status == "done", batch.error
    assert (batch.counts["create"], batch.counts["error"]) == (1, 1)
    assert db.session.scalars(select(Organisation.legal_name)).all() == ["Fundición Callao S.A.C."]


def test_a_job_lost_by_the_queue_is_reported_as_failed_with_nothing_written(app, client, staff, previewed):
    from crm.redis_conn import get_redis

    ident, _page = previewed(FILE.replace(";SNI;", ";;"))
    client.post(f"/imports/{ident}/commit")
    get_redis(app).flushdb()  # the queue lost the job (Redis restarted without persistence)
    page = text(client.get(f"/imports/{ident}"))
    assert "The import stopped before it finished. Nothing was written" in page
    assert db.session.get(ImportBatch, ident).status == "failed" and counts().orgs == 0


def test_bulk_created_records_have_the_history_and_search_text_the_orm_gives(
    client, staff, imported, make_org
):
    batch = imported(
        f"Razón social;RUC;Distrito;Electricidad MWh/año\nFundición Ñaña S.A.C.;{ruc(5)};Callao;12,5\n"
    )
    imported_org = org_named("Fundición Ñaña S.A.C.")
    twin = Organisation(kind="company", legal_name="Fundición Ñaña S.A.C. bis", ruc=ruc(6),
                        district_id=imported_org.district_id)  # fmt: skip
    twin.profile = EmissionProfile(electricity_mwh_year=Decimal("12.50"), emits_upops=False)
    db.session.add(twin)
    db.session.commit()

    def create_row(entity: str, ident: int) -> ChangeLog:
        """Return the creation row of a record."""
        query = select(ChangeLog).where(ChangeLog.action == "create", ChangeLog.entity_type == entity)
        return db.session.scalars(query.where(ChangeLog.entity_id == ident)).one()

    for entity in ("organisation", "emissionprofile"):
        bulk_row, orm_row = create_row(entity, imported_org.id), create_row(entity, twin.id)
        assert bulk_row.changes.keys() == orm_row.changes.keys(), entity
        assert (bulk_row.batch_id, orm_row.batch_id, bulk_row.user_id) == (batch.id, None, staff.id)
        assert (bulk_row.entity_version, bulk_row.organisation_id) == (
            orm_row.entity_version and 1,
            imported_org.id,
        )
    assert (
        imported_org.search_text
        == fold(f"Fundición Ñaña S.A.C. {ruc(5)}")
        == "fundicion nana s.a.c. " + ruc(5)
    )
    assert imported_org.version_id == 1 and imported_org.name_key == "fundicionnana"  # as the save hook
    page = text(client.get("/organisations/?q=fundicion nana"))
    assert "Fundición Ñaña S.A.C." in page
    history = text(client.get(f"/organisations/{imported_org.id}"))
    assert "Creation" in history and "Electricity use (MWh/year)</span>: — → 12.5" in history


def test_an_import_and_its_undo_fold_the_report_ledgers_once_they_commit(
    app, admin, make_org, imported, undone
):
    make_org("Sociedad Nacional de Industrias", kind="association", trade_name="SNI")
    batch = imported(FILE)
    for step in ("import", "undo"):
        ident = f"crm-fold-{step}-{batch.id}"
        started = db.session.scalars(select(JobOutbox).where(JobOutbox.job_id == ident)).one()
        assert started.job == "crm.pipeline.jobs.compact_reach_tallies"
        dispatch_job_outbox()  # the periodic dispatcher hands it to Redis, a worker of its queue runs it
        run_worker(app, get_redis(app), ["periodic"], burst=True)
        db.session.expire_all()
        for model, key in ((ReachTally, tallies.KEY), (StayTally, tallies.STAY_KEY)):
            columns = [getattr(model, name) for name in key]
            per_key = select(*columns).group_by(*columns).having(func.count() > 1).subquery()
            assert db.session.scalar(select(func.count()).select_from(per_key)) == 0, (step, model)
        assert tallies_maintained() == tallies_recomputed(), step
        if step == "import":
            assert tallies_maintained() != {}  # the imported company reached "contacted"
            assert undone(batch.id).status_code == 200
            assert db.session.get(ImportBatch, batch.id).status == "undone"
    assert tallies_maintained() == {}
