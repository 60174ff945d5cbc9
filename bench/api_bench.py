"""Time the JSON API's lists on a generated data set: p50/p95 per request, in-process, with a bearer token.

    .venv/bin/python bench/api_bench.py --database-url postgresql://postgres@127.0.0.1/crm_bench_100k

A manager's and a staff member's read-only tokens are created for the run and revoked at the end. Cases:
the first page of organisations, contacts, interactions and engagements (50 rows), a page deep in the
organisations (by cursor), a sorted list, and an incremental sync (updated_since a day ago).
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import clock, p  # noqa: E402
from sqlalchemy import select  # noqa: E402

from crm import create_app  # noqa: E402
from crm.api.tokens import create_token, revoke_token  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.models import User, utcnow  # noqa: E402


def deep_cursor(client, headers: dict[str, str], pages: int) -> str:
    """Follow the organisations' cursor some pages deep; return the cursor reached."""
    cursor = ""
    for _ in range(pages):
        body = client.get(f"/api/v1/organisations?limit=200&cursor={cursor}", headers=headers).get_json()
        cursor = body["next_cursor"] or cursor
    return cursor


def paths(client, headers: dict[str, str]) -> dict[str, str]:
    """Return the timed requests."""
    since = (utcnow() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    return {
        "organisations, first page": "/api/v1/organisations",
        "organisations, 20 pages deep": f"/api/v1/organisations?cursor={deep_cursor(client, headers, 20)}",
        "organisations, sorted by name": "/api/v1/organisations?sort=name",
        "organisations, updated_since": f"/api/v1/organisations?updated_since={since}",
        "contacts, first page": "/api/v1/contacts",
        "interactions, first page": "/api/v1/interactions",
        "engagements, first page": "/api/v1/engagements",
    }


def main() -> None:
    """Run the timings and print one line per case and role."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = args.database_url.replace("postgresql://", "postgresql+psycopg://")
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)
    client = app.test_client()
    with app.app_context():
        users = {
            role: db.session.scalars(select(User).where(User.role == role).order_by(User.id)).first()
            for role in ("admin", "manager", "staff")
        }
        made = {role: create_token(user, "bench", 1, True) for role, user in users.items() if user}
        db.session.commit()
        for role, (_token, secret) in made.items():
            headers = {"Authorization": f"Bearer {secret}"}
            for name, path in paths(client, headers).items():
                response = client.get(path, headers=headers)
                assert response.status_code == 200, (path, response.status_code, response.data[:300])
                times = [
                    clock(lambda path=path, headers=headers: client.get(path, headers=headers))[0]
                    for _ in range(args.runs)
                ]
                print(
                    f"{role:8} {name:32} p50 {p(times, 0.5):7.1f} ms  p95 {p(times, 0.95):7.1f} ms",
                    flush=True,
                )
        for role, (token, _secret) in made.items():
            revoke_token(users[role], token.id)
        db.session.commit()


if __name__ == "__main__":
    main()
