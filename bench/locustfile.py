"""Locust scenario: signed-in PMU staff mixing reads (lists, search, pages, reports) and writes.

Run through bench/load.py, which prepares users, starts gunicorn and reads the results. The three
report pages are tagged "reports" (bench/load.py --exclude-tags reports leaves them out). MixStaff is
issue 17's closed-loop mix (bench/load.py --mix issue17).
"""

from __future__ import annotations

import os
import random
import re
from datetime import date, timedelta

from locust import HttpUser, between, constant, tag, task

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
USERS = int(os.environ.get("BENCH_USERS", "50"))
ORG_MIN = int(os.environ.get("BENCH_ORG_MIN", "1"))
ORG_MAX = int(os.environ.get("BENCH_ORG_MAX", "1000"))
PASSWORD = os.environ.get("BENCH_PASSWORD", "Bench-password-1")
SELECTED_ID = re.compile(r'<option selected value="(\d+)"')
WORDS = ("fundicion", "textil", "plast", "quimica", "callao", "metal", "alimentos", "papel")
counter = iter(range(10**9))


def csrf_token(html: str) -> str:
    """Return the CSRF token of the first form on the page."""
    match = CSRF.search(html)
    return next(g for g in match.groups() if g) if match else ""


class PmuStaff(HttpUser):
    """One outreach staff member clicking around at human speed."""

    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        """Sign in with one of the prepared bench accounts."""
        email = f"bench-staff-{next(counter) % USERS}@bench.pe"
        page = self.client.get("/auth/login", name="login form")
        with self.client.post(
            "/auth/login",
            data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
            name="sign in",
            catch_response=True,
        ) as answer:
            if answer.url.rstrip("/").endswith("/auth/login"):  # the form again: not signed in
                answer.failure(f"sign-in refused for {email}")

    def org_id(self) -> int:
        """Pick an organisation at random."""
        return random.randint(ORG_MIN, ORG_MAX)

    @task(5)
    def organisation_list(self) -> None:
        """Open the organisation list on some page."""
        self.client.get(f"/organisations/?page={random.randint(1, 20)}", name="organisation list")

    @task(3)
    def search_by_name(self) -> None:
        """Search organisations by a word of their name."""
        self.client.get(f"/organisations/?q={random.choice(WORDS)}", name="search by name")

    @task(2)
    def search_by_ruc(self) -> None:
        """Search organisations by the start of a RUC."""
        self.client.get(f"/organisations/?q=20{random.randint(100, 999)}", name="search by RUC")

    @task(4)
    def organisation_detail(self) -> None:
        """Open an organisation's page."""
        self.client.get(f"/organisations/{self.org_id()}", name="organisation detail")

    @task(3)
    def my_work(self) -> None:
        """Open the start page."""
        self.client.get("/", name="my work")

    @task(2)
    def board(self) -> None:
        """Open the pipeline board."""
        self.client.get("/pipeline/", name="board")

    @tag("reports")
    @task(1)
    def reports(self) -> None:
        """Open the funnel, the conversion by sector and the co-finance annex."""
        self.client.get("/reports/funnel", name="report funnel")
        self.client.get("/reports/conversion?by=sector", name="report conversion by sector")
        self.client.get("/reports/cofinance", name="report co-finance")

    @task(1)
    def log_interaction(self) -> None:
        """Log a call with an organisation (a write), half the time with a follow-up for oneself."""
        org = self.org_id()
        form = self.client.get(f"/interactions/new?organisation_id={org}", name="interaction form")
        me = (SELECTED_ID.findall(form.text) or ["0"])[0]  # the staff select preselects the signed-in user
        data = {
            "csrf_token": csrf_token(form.text),
            "kind": "call",
            "occurred_on": date.today().isoformat(),
            "staff_id": me,
            "summary": "Llamada de seguimiento (carga de prueba)",
        }
        if random.random() < 0.5:
            due = (date.today() + timedelta(days=random.randint(1, 14))).isoformat()
            data.update(follow_up_due=due, follow_up_assignee=me, follow_up_description="Volver a llamar")
        with self.client.post(
            f"/interactions/new?organisation_id={org}", data=data, name="log interaction", catch_response=True
        ) as answer:
            if f"/organisations/{org}" not in answer.url:  # saved interactions redirect to the company
                answer.failure("interaction not saved")


def funnel(user: HttpUser) -> None:
    """Open the recruitment funnel report."""
    user.client.get("/reports/funnel", name="report funnel")


class MixStaff(HttpUser):
    """Issue 17's throughput mix: list, detail, board and funnel in equal parts, with no pause between them.

    Each Locust user is then one open connection asking again as soon as it is answered, so --users 50 is
    50 concurrent connections (bench/load.py --mix issue17).
    """

    wait_time = constant(0)
    on_start = PmuStaff.on_start
    org_id = PmuStaff.org_id
    tasks = [PmuStaff.organisation_list, PmuStaff.organisation_detail, PmuStaff.board, funnel]
