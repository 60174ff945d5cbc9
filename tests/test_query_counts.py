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
    """Return how many statements one GET of the page sends (after one that fills the reference lists)."""
    client.get(url)
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
    # association page: + member funnel and referrals (crm/liaison/panels.py), the summary header (3) and the
    # activity timeline (one UNION, then one query per type shown and their participants and follow-ups)
    assert max(many) <= 27


def populate_work(n: int, user_id: int) -> tuple[int, int]:
    """Give the user n engaged companies gone quiet, letters not back, tasks and an event of n people."""
    from datetime import timedelta

    from sqlalchemy import select

    from crm.clock import today
    from crm.models import STAGES, Attendance, Engagement, Event, Letter, Programme

    programmes = list(db.session.scalars(select(Programme).order_by(Programme.id)))
    day = today()
    event = Event(title=f"Taller {n}", type="training", held_on=day, place="Callao")
    db.session.add(event)
    for i in range(n):
        org = Organisation(kind="company", legal_name=f"Quieta {n}-{i:03}", owner_id=user_id)
        db.session.add(org)
        db.session.flush()
        person = Contact(organisation_id=org.id, first_name=f"P{i}", last_name="Asistente", gender="female")
        db.session.add(person)
        db.session.add_all(
            [
                Engagement(
                    organisation_id=org.id,
                    programme_id=programmes[i % len(programmes)].id,
                    stage=STAGES[i % len(STAGES)],
                    stage_since=day,
                ),
                Interaction(
                    organisation_id=org.id, kind="call", occurred_on=day - timedelta(days=200),
                    staff_id=user_id, summary="Antigua",
                ),
                Letter(kind="interest", organisation_id=org.id, status="requested",
                       requested_on=day - timedelta(days=i), requested_by_id=user_id),
                FollowUp(organisation_id=org.id, assignee_id=user_id, due_on=day - timedelta(days=1 + i),
                         description="Atrasada"),
                FollowUp(organisation_id=org.id, assignee_id=user_id, due_on=day + timedelta(days=i % 7),
                         description="Próxima"),
            ]
        )  # fmt: skip
        db.session.flush()
        db.session.add(Attendance(event_id=event.id, contact_id=person.id))
    db.session.commit()
    task = db.session.scalar(select(FollowUp.id).order_by(FollowUp.id.desc()))
    return event.id, task


def test_my_work_events_and_follow_up_pages_do_not_grow_with_rows(client, make_user, login):
    user = login(make_user("staff"))
    event, task = populate_work(3, user.id)
    pages = ["/", "/?spage=2", "/events/", f"/events/{event}", f"/events/{event}?q=asistente"]
    few = [page_queries(client, url) for url in [*pages, f"/interactions/follow-ups/{task}"]]
    event, task = populate_work(40, user.id)
    pages = ["/", "/?spage=2", "/events/", f"/events/{event}", f"/events/{event}?q=asistente"]
    many = [page_queries(client, url) for url in [*pages, f"/interactions/follow-ups/{task}"]]
    assert many == few
    assert max(many) <= 20
