"""Keep the garbage collector's full passes short: freeze what a process's first requests built.

gunicorn.conf.py freezes what loading the app built when a worker starts. What the first requests build
and keep for the process's life (compiled templates and SQL, the reference lists, each language's
catalogs) still lands in the oldest generation, and every full collection walks it: at 100,000 companies
about 240,000 objects, a 90-110 ms pause in about one request in twelve on the board (bench/README.md).
After the request counts in GC_FREEZE_AFTER, the process collects once and moves what survives out of the
full passes, so later full collections walk only what later requests left.
"""

from __future__ import annotations

import gc
import itertools

from flask import Flask


def init_app(app: Flask) -> None:
    """Count this process's finished requests and freeze after each configured count (none: never)."""
    marks = frozenset(app.config.get("GC_FREEZE_AFTER", ()))
    if not marks:
        return
    served = itertools.count(1)  # next() is atomic: threads of one worker never share a number

    @app.teardown_request
    def freeze_at_marks(_error: BaseException | None = None) -> None:
        """Freeze when this request brings the count to a mark."""
        if next(served) in marks:
            freeze()


def freeze() -> None:
    """Collect the garbage once, then move every object left out of the collector's passes."""
    gc.collect()
    gc.freeze()

