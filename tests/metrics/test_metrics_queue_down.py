"""A snapshot asked for while the job queue does not answer is computed once it answers again."""

from __future__ import annotations

from redis import Redis
from sqlalchemy import func, select

from crm.clock import today
from crm.extensions import db
from crm.jobs import dispatch_job_outbox, queue
from crm.models import JobOutbox, MetricSnapshot
from crm.redis_conn import get_redis, make_pool
from workers.worker import run_worker


def count(model) -> int:
    """Count the rows of a table."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_snapshot_asked_for_while_the_queue_is_down_is_computed_once_it_answers(
    app, client, login, en_user, dataset, monkeypatch
):
    login(en_user("manager"))
    live = get_redis(app)
    monkeypatch.setitem(
        app.extensions, "redis", Redis(connection_pool=make_pool("redis://127.0.0.1:1/0", app.config))
    )
    response = client.post("/metrics/run")
    job_url = f"/metrics/jobs/metrics-{today().isoformat()}"
    assert response.status_code == 302 and response.headers["Location"].endswith(job_url)
    assert "The job queue is unreachable" in client.get(job_url).get_data(as_text=True)
    assert count(JobOutbox) == 1

    monkeypatch.setitem(app.extensions, "redis", live)
    assert "waiting for a worker" in client.get(job_url).get_data(
        as_text=True
    )  # known, though not on a queue
    client.post("/metrics/run")  # a second click shares the waiting start
    assert count(JobOutbox) == 1 and queue(live, "reports").count == 0
    assert dispatch_job_outbox() == 1
    run_worker(app, live, ["reports"], burst=True)
    assert count(MetricSnapshot) == 18 and count(JobOutbox) == 0
    assert "18 groups stored." in client.get(job_url).get_data(as_text=True)
