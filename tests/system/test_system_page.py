"""The System page: Redis, RQ queues and workers, scheduler heartbeat, schema revision, counts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from rq import Worker

from crm import create_app
from crm.clock import now
from crm.extensions import db
from crm.jobs import QUEUES, queue
from crm.redis_conn import get_redis
from crm.system.jobs import HEARTBEAT_KEY, record_heartbeat
from tests.common_support import sign_in


@pytest.fixture
def admin(make_user, login):
    """Sign an English-speaking administrator in."""
    return login(make_user("admin", email="root@pmu.pe", locale="en"))


def page(client) -> str:
    """Fetch the System page and return its text."""
    response = client.get("/system/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["manager", "staff", "liaison", "viewer"])
def test_only_admins_see_the_system_page(client, make_user, login, role):
    login(make_user(role))
    assert client.get("/system/").status_code == 404


def test_redis_up_shows_queues_workers_and_a_live_heartbeat(app, client, admin, make_user):
    conn = get_redis(app)
    record_heartbeat.enqueue(connection=conn, queue_name="mail")
    worker = Worker([queue(conn, "mail")], connection=conn, name="worker-under-test")
    worker.register_birth()
    conn.set(HEARTBEAT_KEY, now().isoformat())
    make_user("viewer", active=False)
    text = page(client)
    assert "reachable" in text and "unreachable" not in text
    assert all(f"<code>{name}</code>" in text for name in QUEUES)
    assert '<td><code>mail</code></td><td class="num">1</td>' in text
    assert "worker-under-test" in text and "No worker is running" not in text
    assert "alive" in text and "No heartbeat for more than" not in text
    assert head_revision() in text and "up to date" in text
    assert "2 (1 active)" in text


def test_missing_or_old_heartbeat_is_flagged(app, client, admin):
    text = page(client)
    assert "no heartbeat" in text and "No worker is running" in text
    get_redis(app).set(HEARTBEAT_KEY, (now() - timedelta(hours=2)).isoformat())
    text = page(client)
    assert "stale" in text and "No heartbeat for more than 5 minutes." in text


def test_redis_down_is_reported_not_a_server_error(app, make_user):
    night = make_user("admin", email="night@pmu.pe", locale="en")
    broken = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    try:
        client = broken.test_client()
        signed_in = sign_in(client, night)
        assert signed_in.status_code == 302
        response = client.get("/system/")
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "unreachable" in text and "Unknown while Redis is unreachable." in text
        assert head_revision() in text and "up to date" in text
    finally:
        with broken.app_context():
            db.engine.dispose()


def head_revision() -> str:
    """Return the newest migration's revision id (files are named NNNN_title.py)."""
    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    return max(path.name[:4] for path in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))
