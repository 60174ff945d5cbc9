"""Saved views of the follow-up list: the tab and status kept under a name, reopened, private to viewers."""

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


def test_a_follow_up_view_is_saved_and_reopens_the_filtered_list(
    client, login, en_user, make_org, make_interaction
):
    staff = en_user("staff")
    org = make_org("Fundición Callao SAC")
    make_interaction(org, staff, "Atrasada", due_in=-2)
    make_interaction(org, staff, "Futura", due_in=5)
    login(staff)
    page = client.get("/interactions/follow-ups?status=overdue").get_data(as_text=True)
    assert 'action="/interactions/views"' in page
    form = {"name": "Atrasadas", "status": "overdue", "q": "x", "shared": "y"}
    assert client.post("/interactions/views", data=form).status_code == 302
    assert views() == [("follow_ups", "Atrasadas", "status=overdue", True)]
    listed = client.get("/interactions/follow-ups").get_data(as_text=True)
    chips = listed[listed.index('aria-label="Saved views"') :].split("</nav>")[0]
    assert 'href="/interactions/follow-ups?status=overdue"' in chips
    reopened = client.get("/interactions/follow-ups?status=overdue").get_data(as_text=True)
    assert "Atrasada" in reopened and "Futura" not in reopened


def test_viewers_keep_follow_up_views_to_themselves(client, login, en_user):
    login(en_user("viewer"))
    client.post("/interactions/views", data={"name": "Hechas", "status": "done", "shared": "y"})
    assert views() == [("follow_ups", "Hechas", "status=done", False)]
    view_id = db.session.scalar(select(SavedView.id))
    client.post(f"/interactions/views/{view_id}/delete")
    assert views() == []
