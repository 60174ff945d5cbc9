"""The consent-withdrawal page needs no sign-in, so each address may open it only so often."""

from __future__ import annotations

from crm import create_app
from tests.conftest import FreshContextClient


def test_guessing_withdrawal_links_is_throttled(app):
    strict = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        PUBLIC_LINK_RATE_LIMIT="3 per minute",
    )
    strict.test_client_class = FreshContextClient
    client = strict.test_client()
    guesses = [client.get(f"/baja/guess{n}", environ_base={"REMOTE_ADDR": "10.9.9.9"}) for n in range(4)]
    assert [r.status_code for r in guesses] == [404, 404, 404, 429]
    elsewhere = client.get("/baja/guess9", environ_base={"REMOTE_ADDR": "10.9.9.8"})
    assert elsewhere.status_code == 404  # another address is not affected
