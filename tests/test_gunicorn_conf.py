"""The served processes keep what startup built out of the collector's full passes."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_each_gunicorn_worker_freezes_what_loading_the_app_built():
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    try:
        hooks["post_worker_init"](None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
