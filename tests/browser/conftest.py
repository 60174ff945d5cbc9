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

import pytest
from flask import Flask

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


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    """Poll the URL until the server answers, failing early if it died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"live server exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} never answered")


def server_env(app: Flask, port: int, smtp_port: int) -> dict[str, str]:
    """Environment for the server and worker: the test's database and Redis, the test SMTP server."""
    env = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_URL", "CRM_ENV"}}
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        BASE_URL=f"http://127.0.0.1:{port}",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        SMTP_STARTTLS="0",
        LOGIN_RATE_LIMIT="1000 per minute",
        SECRET_KEY="browser-journeys-secret",
    )
    return env


@pytest.fixture(scope="session")
def session_smtp() -> Iterator[SimpleNamespace]:
    """One real SMTP server for the live server's whole session."""
    from aiosmtpd.controller import Controller

    from tests.conftest import MailSink

    port = free_port()
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield SimpleNamespace(host="127.0.0.1", port=port, messages=sink.messages)
    controller.stop()


@pytest.fixture(scope="session")
def live_server(app: Flask, session_smtp: SimpleNamespace) -> Iterator[SimpleNamespace]:
    """Run the app (flask run) and one RQ worker against the test database and Redis."""
    port = free_port()
    env = server_env(app, port, session_smtp.port)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    web = subprocess.Popen(  # noqa: S603
        [*flask, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    worker = subprocess.Popen([*flask, "crm", "worker"], env=env, cwd=ROOT)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/auth/login", web)
    yield SimpleNamespace(url=url, smtp=session_smtp)
    for proc in (web, worker):
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Launch Debian's chromium headless through Playwright."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome so the page fixture knows whether the test failed."""
    outcome = yield
    setattr(item, f"rep_{call.when}", outcome.get_result())


@pytest.fixture
def page(browser, live_server, request) -> Iterator[object]:
    """A fresh browser page in Spanish; its last screen is kept in test-artifacts/ on failure."""
    context = browser.new_context(locale="es-PE", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the login form."""
    page.goto("/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
