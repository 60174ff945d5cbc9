"""crm.jobs: a job is enqueued by reference and runs as one transaction in a real worker."""

from __future__ import annotations

from jobs_support import mute_digest
from rq.job import Job

from crm.extensions import db
from crm.jobs import path_of, queue
from crm.mail.jobs import send_outbox_batch
from crm.models import MailOptOut
from crm.redis_conn import get_redis
from workers.worker import run_worker


def muted(user_id: int) -> bool:
    """Return whether the user's digest is switched off (as committed)."""
    db.session.expire_all()
    return db.session.get(MailOptOut, (user_id, "daily_digest")) is not None


def test_a_job_enqueued_by_reference_commits_once_at_its_end(app, make_user):
    user_id = make_user("staff").id
    job = mute_digest.enqueue(user_id)
    assert job.func_name == path_of(mute_digest) == "jobs_support.mute_digest"
    assert job.func is mute_digest and job.origin == "default" and job.timeout == 30  # the wrapper itself
    run_worker(app, get_redis(app), ["default"], burst=True)
    job.refresh()
    assert job.is_finished and job.return_value() == "muted"
    assert muted(user_id)


def test_a_failing_job_leaves_nothing_written(app, make_user):
    user_id = make_user("staff").id
    job = mute_digest.enqueue(user_id, True)
    run_worker(app, get_redis(app), ["default"], burst=True)
    assert Job.fetch(job.id, connection=get_redis(app)).is_failed
    assert not muted(user_id)


def test_a_job_called_directly_has_the_same_boundary(app, make_user):
    user_id = make_user("staff").id
    assert mute_digest(user_id) == "muted" and muted(user_id)


def test_declared_options_come_from_the_config_when_enqueued(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_JOB_TIMEOUT", 77)
    monkeypatch.setitem(app.config, "MAIL_RETRY_INTERVALS", [5, 10])
    job = send_outbox_batch.enqueue([1], job_id="mail-options")
    assert (job.origin, job.timeout, job.retries_left, job.retry_intervals) == ("mail", 77, 2, [5, 10])
    monkeypatch.setitem(app.config, "MAIL_RETRY_INTERVALS", [])
    again = send_outbox_batch.enqueue([1], job_id="mail-no-retry", at_front=True)
    assert again.retries_left is None and queue(get_redis(app), "mail").job_ids[0] == "mail-no-retry"
