"""Key pages run a fixed number of queries however many rows they show (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from crm.extensions import db
from crm.models import Contact, FollowUp, Interaction, Membership, Organisation


@contextmanager
def counted():
    """Count the SQL statements sent while the block runs."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def populate(n: int, owner_id: int) -> Organisation:
    """Create n member companies of one association, each with contacts and interactions."""
    assoc = Organisation(kind="association", legal_name="Gremio Uno")
    db.session.add(assoc)
    db.session.flush()
    for i in range(n):
        org = Organisation(kind="company", legal_name=f"Empresa {i:03}", owner_id=owner_id)
        db.session.add(org)
        db.session.flush()
        person = Contact(organisation_id=assoc.id, first_name=f"P{i}", last_name="Gremio")
        db.session.add_all([person, Membership(company_id=org.id, association_id=assoc.id)])
        visit = Interaction(
            organisation_id=assoc.id,
            kind="call",
            occurred_on=date(2026, 1, 1),
            staff_id=owner_id,
            summary=f"Llamada {i}",
            contacts=[person],
        )
        db.session.add(visit)
        db.session.flush()
        db.session.add(
            FollowUp(
                organisation_id=assoc.id,
                interaction_id=visit.id,
                assignee_id=owner_id,
                due_on=date(2026, 12, 1),
                description="Volver a llamar",
            )
        )
    db.session.commit()
    return assoc


def page_queries(client, url: str) -> int:
    """Return how many statements one GET of the page sends."""
    with counted() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_organisation_list_and_detail_do_not_grow_with_rows(client, make_user, login):
    user = login(make_user("staff"))
    small = populate(3, user.id)
    pages = ["/", "/organisations/", "/contacts/", "/interactions/follow-ups?tab=all"]
    few = [page_queries(client, url) for url in [*pages, f"/organisations/{small.id}"]]
    big = populate(20, user.id)
    many = [page_queries(client, url) for url in [*pages, f"/organisations/{big.id}"]]
    assert many == few
    assert max(many) <= 20
