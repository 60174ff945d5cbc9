"""Gunicorn's settings for the CRM (read from the working directory: `gunicorn wsgi:app`)."""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Move what loading the app built out of the garbage collector's full passes.

    The app, its models, templates and catalogs live as long as the worker; a full collection walks them
    all, a 100-200 ms pause every few hundred requests that set the reports' p95 (bench/README.md).
    """
    gc.collect()
    gc.freeze()
