"""A hung Redis (accepts connections, answers nothing, like one stopped with SIGSTOP) slows nothing down.

Pages that need no Redis answer at once, writes commit (their e-mail waits in the outbox and goes out once
Redis answers again), sign-in stays throttled per address and per account on the in-memory fallback, and the
System page says that Redis does not answer. Each request is timed; the figures are printed with -s.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from redis import Redis
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import select

from config import Config
from crm import create_app
from crm.clock import today
from crm.extensions import db, limiter
from crm.mail.jobs import dispatch_outbox
from crm.models import FollowUp, Organisation, OutboxMessage
from crm.redis_conn import RedisUnavailableError, get_redis, make_pool
from tests.common_support import totp_code, user_id_of
from workers.worker import run_worker

# Every request must answer within this, hung Redis or not (the Redis timeout is 0.5 s by default). The
# margin is for CI, where both databases' suites share two cores (one sign-in measured 1.52 s there).
FAST = 2.5
# The server gives up after this long so that a regression fails the test instead of hanging it.
GIVE_UP_SECONDS = 8
PASSWORD = "Test-password-1"  # the make_user fixture's


class HungRedis:
    """A TCP server that accepts connections and never answers a byte."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self) -> None:
        """Accept and hold every connection; close each after GIVE_UP_SECONDS."""
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            self.held.append(conn)
            threading.Timer(GIVE_UP_SECONDS, conn.close).start()

    def close(self) -> None:
        """Stop listening and drop the held connections."""
        self.server.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def hung() -> Iterator[HungRedis]:
    """Start a hung 'Redis' on a free port."""
    server = HungRedis()
    yield server
    server.close()


@pytest.fixture
def hung_app(app: Flask, hung: HungRedis) -> Iterator[Flask]:
    """The app on the test database, pointed at the hung Redis, with a low sign-in limit."""
    saved = dict(limiter.__dict__)  # one Limiter serves every app of the process: restore the suite's own
    saved["_storage_options"] = dict(limiter._storage_options)
    broken = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=f"redis://127.0.0.1:{hung.port}/0",
        LOGIN_RATE_LIMIT="3 per minute",
        REDIS_TIMEOUT_SECONDS=Config.REDIS_TIMEOUT_SECONDS,  # the shipped default, not the suite's
    )
    try:
        yield broken
    finally:
        limiter.__dict__.clear()
        limiter.__dict__.update(saved)
        with broken.app_context():
            db.engine.dispose()


def timed(label: str, call, *args, **kwargs):
    """Run one request, record how long it took and check that it was fast."""
    started = time.perf_counter()
    response = call(*args, **kwargs)
    elapsed = time.perf_counter() - started
    print(f"hung Redis: {label}: {elapsed:.3f} s")
    assert elapsed < FAST, f"{label} took {elapsed:.2f} s with Redis hung"
    return response


def sign_in(client, email: str, password: str = PASSWORD):
    """Post the sign-in forms, the password and then the code (each timed)."""
    credentials = {"email": email, "password": password}
    response = timed(f"sign-in {email}", client.post, "/auth/login", data=credentials)
    if response.status_code == 302 and response.headers["Location"] == "/auth/two-factor":
        code = {"code": totp_code(user_id_of(email))}
        response = timed(f"code of {email}", client.post, "/auth/two-factor", data=code)
    return response


def test_pages_and_writes_stay_fast_and_commit(hung_app, make_user, make_org):
    staff = make_user("staff", email="sofia@pmu.pe")
    org = make_org("Fundición Callao SAC")
    client = hung_app.test_client()
    assert timed("login page", client.get, "/auth/login").status_code == 200
    assert sign_in(client, staff.email).status_code == 302
    assert timed("organisation list", client.get, "/organisations/").status_code == 200
    assert timed("organisation list again", client.get, "/organisations/").status_code == 200
    data = {"kind": "company", "legal_name": "Fundición Callao SAA", "version": "1"}
    data.update(dict.fromkeys(("trade_name", "ruc", "sector_id", "size", "district_id", "website"), ""))
    data.update(owner_id="", notes="")
    edited = timed("organisation edit", client.post, f"/organisations/{org.id}/edit", data=data)
    assert edited.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).legal_name == "Fundición Callao SAA"


def test_an_e_mail_written_while_redis_hangs_goes_out_once_it_answers(app, hung_app, make_user, make_org):
    sofia, carlos = make_user("staff", email="sofia@pmu.pe"), make_user("staff", email="carlos@pmu.pe")
    org = make_org("Fundición Callao SAC")
    client = hung_app.test_client()
    assert sign_in(client, sofia.email).status_code == 302
    data = {
        "kind": "call",
        "occurred_on": today().isoformat(),
        "staff_id": sofia.id,
        "summary": "Llamada de seguimiento",
        "follow_up_due": (today() + timedelta(days=3)).isoformat(),
        "follow_up_assignee": carlos.id,
        "follow_up_description": "Enviar la oferta de evaluación",
    }
    url = f"/interactions/new?organisation_id={org.id}"
    assert timed("interaction with a follow-up", client.post, url, data=data).status_code == 302
    [row] = db.session.scalars(select(OutboxMessage)).all()
    assert row.status == "pending" and row.recipient_id == carlos.id  # committed, waiting for a worker
    assert db.session.scalar(select(FollowUp.assignee_id)) == carlos.id
    # Redis answers again: the periodic dispatcher hands the row to a worker, which sends it.
    dispatch_outbox.enqueue(connection=get_redis(app))
    run_worker(app, get_redis(app), ["periodic", "mail"], burst=True)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, row.id).status == "sent"


def test_sign_in_is_throttled_per_address_and_per_account(hung_app, make_user):
    ana, beto = make_user("staff", email="ana@pmu.pe"), make_user("staff", email="beto@pmu.pe")
    office = hung_app.test_client()
    office.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    for _ in range(3):
        assert sign_in(office, ana.email, "wrong-password-1").status_code == 200
    assert sign_in(office, ana.email).status_code == 429  # the account's and the address's limit
    assert sign_in(office, beto.email).status_code == 429  # the address's limit, another account
    home = hung_app.test_client()
    home.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    assert sign_in(home, ana.email).status_code == 429  # the account's limit, another address
    assert sign_in(home, beto.email).status_code == 302  # neither limit reached


def test_system_page_says_redis_does_not_answer(hung_app, hung, make_user):
    admin = make_user("admin", email="root@pmu.pe")
    client = hung_app.test_client()
    assert sign_in(client, admin.email).status_code == 302
    response = timed("System page", client.get, "/system/")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Redis no responde" in text
    reached = hung.connections
    again = timed("System page again", client.get, "/system/").get_data(as_text=True)
    assert "Redis no responde" in again
    assert hung.connections == reached  # the breaker is open: nobody waited on Redis a second time


def test_a_server_that_timed_out_is_skipped_for_the_breaker_window(hung):
    settings = {"REDIS_TIMEOUT_SECONDS": 0.3, "REDIS_BREAKER_SECONDS": 1.0}
    client = Redis(connection_pool=make_pool(f"redis://127.0.0.1:{hung.port}/0", settings))
    started = time.perf_counter()
    with pytest.raises(RedisTimeoutError):
        client.ping()
    assert 0.25 < time.perf_counter() - started < 1.0  # one timeout, no retry
    reached, started = hung.connections, time.perf_counter()
    with pytest.raises(RedisUnavailableError):
        client.set("k", "v")
    assert time.perf_counter() - started < 0.1 and hung.connections == reached  # not even a connection
    time.sleep(1.1)
    with pytest.raises(RedisTimeoutError):
        client.ping()  # the window is over: Redis is asked again
    assert hung.connections == reached + 1
