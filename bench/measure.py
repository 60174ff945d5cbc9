"""Timing helpers for bench/run.py: percentiles, the two ways of asking pages, and the raw-SQL floors."""

from __future__ import annotations

import http.cookiejar
import math
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def p(values: list[float], q: float) -> float:
    """Return the q-quantile (nearest rank) of the values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def csrf_token(html: str) -> str:
    """Return the CSRF token of the first form on the page."""
    match = CSRF.search(html)
    return next(g for g in match.groups() if g) if match else ""


@dataclass
class Timings:
    """Durations in milliseconds of one case, and what else was seen while timing it."""

    ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    failures: int = 0

    def p50(self) -> float:
        """Return the median."""
        return p(self.ms, 0.5) if self.ms else math.nan

    def p95(self) -> float:
        """Return the 95th percentile."""
        return p(self.ms, 0.95) if self.ms else math.nan


def clock(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run fn; return (milliseconds, its result)."""
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


# Roles that see confidential data sign in with a second factor (issue 18): the bench's users get this secret.
# The SECRET_KEY of every bench app and server: the second-factor secrets are encrypted with a key derived
# from it, so an account enrolled in-process must sign in over HTTP with the same key.
BENCH_SECRET = "bench-not-secret"  # noqa: S105 - benchmark databases only
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code() -> str:
    """Return the current one-time code of the bench users."""
    import pyotp

    return pyotp.TOTP(BENCH_TOTP_SECRET).now()


def enrol_second_factor(db: Any, emails: list[str]) -> None:
    """Give the bench users a confirmed second factor with the known secret (when the schema has one)."""
    from sqlalchemy import text

    from crm.crypto import encrypt

    columns = db.session.execute(text("SELECT * FROM users LIMIT 0")).keys()
    column = next((c for c in ("totp_secret_encrypted", "totp_secret") if c in columns), None)
    if column is None:
        return
    secret = encrypt(BENCH_TOTP_SECRET) if column.endswith("_encrypted") else BENCH_TOTP_SECRET
    enrol = f"UPDATE users SET {column} = :s, totp_enabled_at = now(), totp_last_step = NULL WHERE email = :e"
    for email in emails:
        db.session.execute(text(enrol), {"s": secret, "e": email})
    db.session.commit()


class AppClient:
    """The Flask test client, signed in, counting the SQL statements each request runs."""

    def __init__(self, app: Any, email: str, password: str) -> None:
        from sqlalchemy import event

        from crm.extensions import db

        self.app, self.client, self.statements = app, app.test_client(), 0
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self.count)
        page = self.client.get("/auth/login").get_data(as_text=True)
        data = {"email": email, "password": password, "csrf_token": csrf_token(page)}
        answer = self.client.post("/auth/login", data=data)
        if "/auth/two-factor" in answer.headers.get("Location", ""):
            page = self.client.get("/auth/two-factor").get_data(as_text=True)
            code = {"code": totp_code(), "csrf_token": csrf_token(page)}
            answer = self.client.post("/auth/two-factor", data=code)
        if answer.status_code != 302:
            raise SystemExit(f"sign-in as {email} failed on the test client ({answer.status_code})")

    def count(self, *_args: Any) -> None:
        """Count one SQL statement."""
        self.statements += 1

    def get(self, path: str) -> tuple[int, int]:
        """Ask for a page; return (status, SQL statements run)."""
        before = self.statements
        answer = self.client.get(path)
        answer.get_data()
        return answer.status_code, self.statements - before


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Leave redirects unfollowed, so that a form's 302 (its acknowledgement) is seen as such."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        """Follow nothing."""
        return None


class HttpClient:
    """A signed-in browser stand-in over HTTP (urllib with a cookie jar), second factor included."""

    def __init__(self, base: str, email: str, password: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.poster = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
        token = csrf_token(self.read("/auth/login")[1])
        form = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
        with self.opener.open(f"{base}/auth/login", data=form, timeout=60) as answer:
            landed = answer.url.rstrip("/")
        if landed.endswith("/auth/two-factor"):
            token = csrf_token(self.read("/auth/two-factor")[1])
            form = urllib.parse.urlencode({"code": totp_code(), "csrf_token": token}).encode()
            with self.opener.open(f"{base}/auth/two-factor", data=form, timeout=60) as answer:
                landed = answer.url.rstrip("/")
        if landed.endswith(("/auth/login", "/auth/two-factor")):
            raise SystemExit(f"sign-in as {email} failed over HTTP")

    def post(self, path: str, fields: dict[str, str]) -> int:
        """Send a form without following its redirect; return the status (0: no answer at all)."""
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.poster.open(f"{self.base}{path}", data=data, timeout=60) as answer:
                return answer.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    def read(self, path: str) -> tuple[int, str]:
        """Ask for a page; return (status, body)."""
        try:
            with self.opener.open(f"{self.base}{path}", timeout=60) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, ""

    def get(self, path: str) -> tuple[int, int]:
        """Ask for a page; return (status, 0): statements are not visible from outside."""
        return self.read(path)[0], 0


def run_case(
    ask: Callable[[str], tuple[int, int]],
    paths: list[str],
    warmup: int,
    runs: int,
    floor: Callable[[], Any] | None = None,
) -> tuple[Timings, Timings | None]:
    """Warm up, then time runs requests cycling through the paths, each followed by the floor if any.

    Alternating page and floor makes drifting machine load hit both alike.
    """
    for n in range(warmup):
        ask(paths[n % len(paths)])
        if floor:
            floor()
    found, base = Timings(), (Timings() if floor else None)
    for n in range(runs):
        ms, (status, statements) = clock(lambda n=n: ask(paths[n % len(paths)]))
        found.ms.append(ms)
        found.queries.append(statements)
        found.failures += status != 200
        if floor and base:
            base.ms.append(clock(floor)[0])
    return found, base


def floor_runner(app: Any, statements: list[str]) -> Callable[[], Any]:
    """Return a function running a report's floor: its aggregates as hand-written SQL, on one connection."""
    from sqlalchemy import text

    from crm.extensions import db

    with app.app_context():
        conn = db.engine.connect()
    compiled = [text(s) for s in statements]

    def run() -> Any:
        result = [conn.execute(s).all() for s in compiled]
        conn.rollback()
        return result

    return run
