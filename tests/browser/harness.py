"""One live server, SMTP server and browser per test run, however many conftests import the fixtures.

tests/pipeline/conftest.py imports the session fixtures of tests/browser/conftest.py. Pytest loads its own
copy of that conftest under another module name, so each copy would start its own live server, SMTP server
and Playwright (whose sync API refuses to start twice in one process). The registry lives here, in a module
both copies import by the same name, so the first fixture instance to start a resource shares it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
SHARED: dict[str, Any] = {}


def once_per_run(name: str, start: Callable[[], Iterator[T]]) -> Iterator[T]:
    """Yield one shared instance for the whole run.

    Other directories (tests/pipeline) import these session fixtures into their own conftest, which makes
    pytest create a second instance: a second live server, SMTP server or Playwright (and Playwright's sync
    API refuses to start twice). The first instance is shared and stopped by the fixture that started it.
    """
    if name in SHARED:
        yield SHARED[name]
        return
    steps = start()
    SHARED[name] = next(steps)
    try:
        yield SHARED[name]
    finally:
        del SHARED[name]
        next(steps, None)
