"""Starting an import while the job queue does not answer: the batch is queued durably and starts once the
queue answers again; dispatching it twice never runs it twice."""

from __future__ import annotations

from imports_support import counts, ruc, text
from redis import Redis
from rq.job import Job
from sqlalchemy import func, select

from crm.extensions import db
from crm.imports.jobs import run_import
from crm.jobs import dispatch_job_outbox, queue
from crm.models import ImportBatch, JobOutbox
from crm.redis_conn import get_redis, make_pool

FILE = f"Razón social;RUC\nOtra Empresa SAC;{ruc(3)}\n"


def waiting_jobs() -> int:
    """Count the jobs still in the job outbox."""
    return db.session.scalar(select(func.count()).select_from(JobOutbox))


def start_while_down(app, client, monkeypatch, ident: int):
    """Post the start while Redis refuses connections; return the page and the live connection."""
    live = get_redis(app)
    closed_port = Redis(connection_pool=make_pool("redis://127.0.0.1:1/0", app.config))
    monkeypatch.setitem(app.extensions, "redis", closed_port)
    page = client.post(f"/imports/{ident}/commit", follow_redirects=True)
    return page, live


def test_an_import_started_while_the_queue_is_down_is_queued_and_starts_once_it_answers(
    app, client, staff, previewed, work, monkeypatch
):
    ident, _page = previewed(FILE)
    page, live = start_while_down(app, client, monkeypatch, ident)
    assert page.status_code == 200
    assert "The import is queued and starts as soon as the queue answers again" in text(page)
    assert "The import has started" not in text(page)
    assert client.get(f"/imports/{ident}/progress").json["status"] == "queued"  # no 500 while Redis is down
    db.session.expire_all()
    assert (db.session.get(ImportBatch, ident).status, waiting_jobs()) == ("queued", 1)

    monkeypatch.setitem(app.extensions, "redis", live)  # the queue answers again
    assert "stopped before it finished" not in text(client.get(f"/imports/{ident}"))  # waiting, not lost
    work()
    assert db.session.get(ImportBatch, ident).status == "queued"  # nothing reached the queue by itself
    assert dispatch_job_outbox() == 1  # the periodic dispatcher hands it over
    work()
    assert db.session.get(ImportBatch, ident).status == "done"
    left = db.session.scalars(select(JobOutbox.job_id)).all()
    assert (counts().orgs, left) == (1, [f"crm-fold-import-{ident}"])  # only the fold the import started


def test_two_dispatches_never_run_one_batch_twice(app, client, staff, previewed, work, monkeypatch):
    ident, _page = previewed(FILE)
    _page, live = start_while_down(app, client, monkeypatch, ident)
    assert dispatch_job_outbox() == 0  # Redis still down: the job stays in the outbox
    monkeypatch.setitem(app.extensions, "redis", live)
    assert (dispatch_job_outbox(), dispatch_job_outbox()) == (1, 0)
    assert queue(live, "default").job_ids == [f"crm-import-{ident}"]
    run_import.enqueue(ident, job_id="a-second-job-for-the-same-batch")  # a duplicate slips through anyway
    work()
    assert db.session.get(ImportBatch, ident).status == "done" and counts().orgs == 1
    finished = queue(live, "default").finished_job_registry.get_job_ids()
    assert sorted(Job.fetch(i, connection=live).return_value() for i in finished) == ["done", "skipped"]


def test_a_started_import_reaches_the_queue_with_the_request(app, client, staff, previewed, work):
    ident, _page = previewed(FILE)
    page = client.post(f"/imports/{ident}/commit", follow_redirects=True)
    assert "The import has started" in text(page)
    assert waiting_jobs() == 0 and queue(get_redis(app), "default").job_ids == [f"crm-import-{ident}"]
    work()
    assert db.session.get(ImportBatch, ident).status == "done"
