"""Start the app's own commands as real processes and read their output while they run."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_flask(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, list[str], threading.Thread]:
    """Start `flask --app wsgi <args>` in its own process group; its lines are appended as they come."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    return proc, lines, reader
