"""Starting an import while the job queue does not answer: nothing is queued, the batch stays in preview."""

from __future__ import annotations

from imports_support import ruc, text
from redis import Redis

from crm.extensions import db
from crm.models import ImportBatch
from crm.redis_conn import get_redis, make_pool

FILE = f"Razón social;RUC\nOtra Empresa SAC;{ruc(3)}\n"


def test_an_import_started_while_the_queue_is_down_stays_at_the_preview(
    app, client, staff, previewed, work, monkeypatch
):
    ident, _page = previewed(FILE)
    live = get_redis(app)
    closed_port = Redis(connection_pool=make_pool("redis://127.0.0.1:1/0", app.config))
    monkeypatch.setitem(app.extensions, "redis", closed_port)
    page = client.post(f"/imports/{ident}/commit", follow_redirects=True)
    assert page.status_code == 200
    assert "The job queue cannot be reached right now. Nothing was imported" in text(page)
    assert "The import has started" not in text(page)
    db.session.expire_all()
    batch = db.session.get(ImportBatch, ident)
    assert (batch.status, batch.job_id) == ("previewed", None)
    monkeypatch.setitem(app.extensions, "redis", live)  # the queue answers again: the same batch starts
    started = client.post(f"/imports/{ident}/commit", follow_redirects=True)
    assert "The import has started" in text(started)
    work()
    assert db.session.get(ImportBatch, ident).status == "done"
