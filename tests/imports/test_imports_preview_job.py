"""A file over IMPORT_PREVIEW_SYNC_ROWS rows is previewed by a job: the page is read from what it stored."""

from __future__ import annotations

from imports_support import ruc, text

from crm.extensions import db
from crm.imports.preview import preview_file, stored_path
from crm.models import ImportBatch

FILE = (
    "Razón social;RUC;Sitio web;Electricidad MWh/año\n"
    f"Existente SAC;{ruc(1)};https://nuevo.pe;12\n"
    f"Nueva <b>SAC</b>;{ruc(2)};;1.500\n"
    "Mala SAC;123;;x\n"
    "Existente;;;\n"
)


def table(body: str) -> str:
    """Return the preview's rows (from the counts to the end of its table)."""
    return body[body.index('<table class="preview">') : body.index("</table>")]


def test_a_large_file_is_previewed_by_a_job_exactly_as_in_the_request(
    app, client, staff, make_org, previewed, work, monkeypatch
):
    make_org("Existente SAC", ruc=ruc(1), website="https://viejo.pe")
    make_org("Existente Industrial SAC")  # a second name match: the last row asks for a choice
    ident, page = previewed(FILE)
    in_request = {
        show: text(client.get(f"/imports/{ident}?show={show}")) for show in ("all", "error", "choices")
    }
    counts = db.session.get(ImportBatch, ident).counts
    monkeypatch.setitem(app.config, "IMPORT_PREVIEW_SYNC_ROWS", 3)
    waiting = text(client.get(f"/imports/{ident}"))
    assert "Preparing the preview" in waiting and '<table class="preview">' not in waiting
    assert client.get(f"/imports/{ident}/progress").get_json()["status"] == "preparing"
    work()
    batch = db.session.get(ImportBatch, ident)
    assert preview_file(stored_path(batch)).is_file() and batch.counts == counts
    for show, expected in in_request.items():
        stored = text(client.get(f"/imports/{ident}?show={show}"))
        assert table(stored) == table(expected), show
    assert "Some numbers can be read two ways" in stored and "&lt;b&gt;" in table(in_request["all"])
    assert client.get(f"/imports/{ident}/progress").get_json()["status"] == "previewed"
    client.post(f"/imports/{ident}/decisions", data={"decision-5": "create"})
    assert "Preparing the preview" in text(client.get(f"/imports/{ident}"))  # a choice asks for a new pass
