"""The metrics page shows the latest snapshot; managers compute it on demand and follow the job."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from crm.clock import today
from crm.extensions import db
from crm.jobs import queue
from crm.metrics.services import compute_snapshots
from crm.models import MetricSnapshot
from crm.redis_conn import get_redis
from workers.worker import run_worker


def snapshot_rows() -> int:
    """Count the stored snapshot rows."""
    return db.session.scalar(select(func.count()).select_from(MetricSnapshot))


def test_page_shows_rates_with_numerators_and_denominators(client, login, en_user, dataset):
    compute_snapshots(today())
    db.session.commit()
    login(en_user("viewer"))
    page = client.get(f"/metrics/?programme={dataset.p1.id}&dimension=sector").get_data(as_text=True)
    assert "Z9 – Test section" in page  # the section's name in the reader's language
    assert "2 / 3" in page and "66.7 %" in page  # Z9: 2 letters of interest out of 3 contacted
    assert "Not recorded" in page
    assert "Compute now" not in page  # viewers read, managers compute
    steps = client.get(f"/metrics/?programme={dataset.p1.id}&dimension=total").get_data(as_text=True)
    assert re.search(r"Contacted</td><td>Meeting held</td>\s*<td class=\"num\">3 / 4</td>", steps)


def test_page_without_snapshot_says_so(client, login, en_user):
    login(en_user("staff"))
    page = client.get("/metrics/?dimension=nonsense&programme=x").get_data(as_text=True)
    assert "No snapshot has been computed yet." in page


def test_manager_computes_now_and_follows_the_progress(app, client, login, en_user, dataset):
    login(en_user("manager"))
    assert "Compute now" in client.get("/metrics/").get_data(as_text=True)
    response = client.post("/metrics/run")
    job_url = f"/metrics/jobs/metrics-{today().isoformat()}"
    assert response.status_code == 302 and response.headers["Location"].endswith(job_url)
    assert "waiting for a worker" in client.get(job_url).get_data(as_text=True)
    client.post("/metrics/run")  # a second click shares the waiting job
    assert queue(get_redis(), "reports").count == 1

    run_worker(app, get_redis(app), ["reports"], burst=True)

    assert snapshot_rows() == 18
    page = client.get(job_url).get_data(as_text=True)
    assert "done" in page and "18 groups stored." in page and 'data-status-url="' in page
    fragment = client.get(job_url + "/status").get_data(as_text=True)
    assert "data-done" in fragment and "<html" not in fragment


@pytest.mark.parametrize("role", ["staff", "viewer", "liaison"])
def test_only_managers_and_admins_may_compute(client, login, make_user, role):
    login(make_user(role))
    assert client.post("/metrics/run").status_code == 404
    assert client.get(f"/metrics/jobs/metrics-{today().isoformat()}").status_code == 404
    assert snapshot_rows() == 0 and queue(get_redis(), "reports").count == 0


def test_liaisons_do_not_see_the_metrics(client, login, liaison_world):
    login(liaison_world.liaison)
    assert client.get("/metrics/").status_code == 404


def test_unknown_jobs_answer_404(client, login, en_user):
    login(en_user("manager"))
    assert client.get("/metrics/jobs/metrics-1999-01-01").status_code == 404
    assert client.get("/metrics/jobs/not-a-job/status").status_code == 404
