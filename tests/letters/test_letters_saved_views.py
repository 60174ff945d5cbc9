"""Saved views of the letters list: saved with its filters, reopened, shared by the team only, deleted."""

from __future__ import annotations

from sqlalchemy import select

from crm.extensions import db
from crm.models import SavedView


def views() -> list[tuple[str, str, str, bool]]:
    """Return (page, name, query, shared) of every saved view."""
    rows = db.session.execute(
        select(SavedView.page, SavedView.name, SavedView.query, SavedView.shared).order_by(SavedView.id)
    )
    return [tuple(row) for row in rows]


def test_a_letters_view_is_saved_reopened_and_deleted(client, login, world, make_letter):
    make_letter(world.company, status="received")
    make_letter(world.other)
    login(world.staff)
    page = client.get("/letters/?status=received&overdue=1").get_data(as_text=True)
    assert 'action="/letters/views"' in page
    form = {"name": "Recibidas", "status": "received", "sort": "-requested", "shared": "y", "id": "9"}
    assert client.post("/letters/views", data=form).status_code == 302
    assert views() == [("letters", "Recibidas", "status=received&sort=-requested", True)]
    listed = client.get("/letters/").get_data(as_text=True)
    chips = listed[listed.index('aria-label="Saved views"') :].split("</nav>")[0]
    assert 'href="/letters/?status=received&amp;sort=-requested"' in chips
    reopened = client.get("/letters/?status=received&sort=-requested").get_data(as_text=True)
    assert "Fundición Callao SAC" in reopened and "Textil Ajena SAC" not in reopened
    view_id = db.session.scalar(select(SavedView.id))
    deleted = client.post(f"/letters/views/{view_id}/delete", follow_redirects=True)
    assert "View “Recibidas” deleted." in deleted.get_data(as_text=True) and views() == []


def test_viewers_keep_letters_views_to_themselves(client, login, world):
    login(world.viewer)
    client.post("/letters/views", data={"name": "Mías", "kind": "cofinance", "shared": "y"})
    assert views() == [("letters", "Mías", "kind=cofinance", False)]
    client.post("/auth/logout")
    login(world.staff)
    assert 'aria-label="Saved views"' not in client.get("/letters/").get_data(as_text=True)


def test_a_letters_default_view_chooses_the_columns_too(client, login, world, make_letter):
    make_letter(world.company, status="received")
    login(world.staff)
    client.post("/letters/views", data={"name": "Estado", "status": "received", "cols": "status,pending"})
    assert views() == [("letters", "Estado", "status=received&cols=status,pending", False)]
    client.post(f"/letters/views/{db.session.scalar(select(SavedView.id))}/default")
    assert client.get("/letters/").location.endswith("/letters/?status=received&cols=status,pending")
    page = client.get("/letters/?status=received&cols=status,pending").get_data(as_text=True)
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert "Pending (USD)" in header and "Programme" not in header and "Document" not in header
    assert "Fundición Callao SAC" in client.get("/letters/?view=none").get_data(as_text=True)
