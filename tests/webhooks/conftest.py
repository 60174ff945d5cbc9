"""Fixtures for the webhook tests: a real HTTP receiver on a free loopback port, burst workers."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from crm.jobs import QUEUES, dispatch_job_outbox
from crm.redis_conn import get_redis
from tests.workers.conftest import mail_config, worker_process  # noqa: F401  (real worker processes)
from workers.worker import run_worker

WEBHOOK_KEYS = ("WEBHOOK_ALLOWED_HOSTS", "WEBHOOK_RETRY_INTERVALS", "WEBHOOK_MAX_FAILURES")


@pytest.fixture
def receiver():
    """Run an HTTP server that records every POST; .fail_first answers 500 to that many requests."""
    state = SimpleNamespace(
        requests=[], fail_first=0, hang_first=0, release=threading.Event(), lock=threading.Lock()
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with state.lock:
                failing = state.fail_first > 0
                state.fail_first -= 1 if failing else 0
                hanging = state.hang_first > 0  # .hang_first: keep that many requests waiting for .release
                state.hang_first -= 1 if hanging else 0
                state.requests.append(
                    {"headers": dict(self.headers), "body": body, "failed": failing or hanging}
                )
            if hanging:
                state.release.wait(30)
            self.send_response(500 if failing else 204)
            self.end_headers()

        def log_message(self, *_args):
            """Keep the test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"

    def delivered() -> list[dict]:
        """Return the accepted requests, their JSON bodies decoded."""
        return [{**r, "json": json.loads(r["body"])} for r in state.requests if not r["failed"]]

    state.delivered = delivered
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook_config(app):
    """Allow the loopback receiver and retry at once (no waiting in tests)."""
    saved = {key: app.config[key] for key in WEBHOOK_KEYS}
    app.config.update(WEBHOOK_ALLOWED_HOSTS=("127.0.0.1",), WEBHOOK_RETRY_INTERVALS=(0, 0, 0))
    yield app.config
    app.config.update(saved)


@pytest.fixture
def work(app, webhook_config):
    """Hand the job outbox to Redis and run a real RQ worker in burst mode."""

    def run() -> None:
        dispatch_job_outbox()
        run_worker(app, get_redis(app), QUEUES, burst=True)

    return run
