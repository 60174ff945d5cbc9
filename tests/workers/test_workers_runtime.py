"""A real RQ worker runs jobs in the app context; the scheduler enqueues the periodic list."""

from __future__ import annotations

import pytest

from crm.jobs import QUEUES
from crm.redis_conn import get_redis
from crm.system.jobs import HEARTBEAT_KEY, record_heartbeat
from workers.periodic import PERIODIC_JOBS
from workers.worker import build_scheduler, run_worker


def test_worker_runs_a_job_inside_the_app_context(app):
    redis = get_redis(app)
    job = record_heartbeat.enqueue(connection=redis)
    run_worker(app, redis, ["periodic"], burst=True)
    job.refresh()
    assert job.is_finished, job.latest_result()
    assert redis.get(HEARTBEAT_KEY).decode() == job.return_value()


def test_enqueue_refuses_unknown_queues(app):
    with pytest.raises(ValueError):
        record_heartbeat.enqueue(connection=get_redis(app), queue_name="nope")


def test_scheduler_registers_every_periodic_job_and_enqueues_them(app):
    redis = get_redis(app)
    scheduler = build_scheduler(redis)
    names = {f"{j.func.__module__}.{j.func.__name__}" for j in scheduler.get_jobs()}
    assert names == {f"{entry['job'].__module__}.{entry['job'].__name__}" for entry in PERIODIC_JOBS}
    assert all(entry["job"].queue_name in QUEUES for entry in PERIODIC_JOBS)
    scheduler.enqueue_jobs()
    run_worker(app, redis, ["periodic"], burst=True)
    assert redis.get(HEARTBEAT_KEY) is not None
