"""Fixtures for the import tests: signed-in users, uploads through the real form, a burst worker."""

from __future__ import annotations

import io

import pytest
from imports_support import batch_id

from crm.extensions import db
from crm.models import ImportBatch
from crm.redis_conn import get_redis
from workers.worker import run_worker


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path, monkeypatch):
    """Keep this test's uploaded files in its own temporary folder."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))


@pytest.fixture
def admin(en_user, login):
    """Sign in an administrator who reads English."""
    return login(en_user("admin"))


@pytest.fixture
def staff(en_user, login):
    """Sign in an outreach staff member who reads English."""
    return login(en_user("staff"))


@pytest.fixture
def upload(client):
    """Upload a file through the form; return the response (follow the redirect to the mapping step)."""

    def send(content: bytes | str, kind: str = "organisations", filename: str = "empresas.csv", event=None):
        """Post the file to the upload form (an attendance sheet names its event)."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        form = {"kind": kind, "upload": (io.BytesIO(data), filename)}
        if event is not None:
            form["event"] = str(event)
        return client.post("/imports/new", data=form, content_type="multipart/form-data")

    return send


@pytest.fixture
def previewed(client, upload):
    """Upload a file and open its preview; return (batch id, preview response)."""

    def run(
        content: bytes | str, kind: str = "organisations", filename: str = "empresas.csv", event=None, **args
    ):
        """Upload, then open the preview with the given query arguments."""
        response = upload(content, kind, filename, event)
        assert response.status_code == 302, response.data[:2000]
        ident = batch_id(response)
        page = client.get(f"/imports/{ident}", query_string=args)
        assert page.status_code == 200, page.data[:2000]
        return ident, page

    return run


@pytest.fixture
def work(app):
    """Run the queued jobs with a real burst worker (the default queue)."""

    def run() -> None:
        """Work off the default queue, then forget what the test session cached."""
        run_worker(app, get_redis(app), ["default"], burst=True)
        db.session.expire_all()

    return run


@pytest.fixture
def imported(client, previewed, work):
    """Upload, preview, commit and run the job; return the batch."""

    def run(content: bytes | str, kind: str = "organisations", skip_errors: bool = False, **extra):
        """Upload, preview, commit and run the job."""
        ident, _page = previewed(content, kind, **extra)
        data = {"skip_errors": "y"} if skip_errors else {}
        response = client.post(f"/imports/{ident}/commit", data=data)
        assert response.status_code == 302
        work()
        return db.session.get(ImportBatch, ident)

    return run


@pytest.fixture
def undone(client, work):
    """Ask for a batch's undo, run the job, and return the batch's page as it then reads."""

    def run(batch_id: int):
        """Post the undo (it queues the job), work it off, open the page."""
        response = client.post(f"/imports/{batch_id}/undo")
        assert response.status_code == 302, response.data[:2000]
        work()
        return client.get(f"/imports/{batch_id}")

    return run
