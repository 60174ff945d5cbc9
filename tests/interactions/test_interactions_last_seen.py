"""organisations.last_interaction_on always equals the date of the organisation's latest interaction."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from crm.extensions import db
from crm.merge.services import merge_organisations
from crm.models import Interaction, Organisation, User

DAY0 = date(2025, 3, 1)
ORG, DAY, ANY = st.integers(0, 2), st.integers(0, 60), st.integers(0, 20)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), ORG, DAY),
        st.tuples(st.just("redate"), ANY, DAY),
        st.tuples(st.just("delete"), ANY),
        st.tuples(st.just("merge"), ORG, ORG),
    ),
    min_size=1,
    max_size=10,
)


def stored_and_expected() -> tuple[dict, dict]:
    """Return every organisation's stored date and the one its interactions imply."""
    stored = dict(db.session.execute(select(Organisation.id, Organisation.last_interaction_on)).all())
    latest = select(Interaction.organisation_id, func.max(Interaction.occurred_on)).group_by(
        Interaction.organisation_id
    )
    expected = dict.fromkeys(stored) | dict(db.session.execute(latest).all())
    return stored, expected


class World:
    """Three companies and the interactions logged, re-dated, deleted and merged on them."""

    def __init__(self, staff: User) -> None:
        self.staff = staff
        self.orgs: list[Organisation | None] = [
            Organisation(kind="company", legal_name=f"E{n}") for n in range(3)
        ]
        db.session.add_all(self.orgs)
        db.session.flush()
        self.logged: list[Interaction] = []

    def pick(self, n: int) -> Interaction | None:
        """Return a logged interaction still there."""
        alive = [i for i in self.logged if i in db.session and i not in db.session.deleted]
        return alive[n % len(alive)] if alive else None

    def add(self, o: int, day: int) -> None:
        """Log an interaction on a company."""
        if (org := self.orgs[o]) is not None:
            found = Interaction(organisation_id=org.id, kind="call", occurred_on=DAY0 + timedelta(days=day),
                                staff_id=self.staff.id, summary="Llamada")  # fmt: skip
            db.session.add(found)
            self.logged.append(found)

    def redate(self, n: int, day: int) -> None:
        """Correct an interaction's date."""
        if (found := self.pick(n)) is not None:
            found.occurred_on = DAY0 + timedelta(days=day)

    def delete(self, n: int) -> None:
        """Delete an interaction."""
        if (found := self.pick(n)) is not None:
            db.session.delete(found)
            self.logged.remove(found)

    def merge(self, keep: int, drop: int) -> None:
        """Merge two companies (the interactions move to the survivor)."""
        a, b = self.orgs[keep], self.orgs[drop]
        if a is not None and b is not None and keep != drop:
            merge_organisations(a, b, {}, (a.version_id, b.version_id), None)
            self.orgs[drop] = None


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_last_interaction_date_follows_every_change(make_user, operations):
    staff = db.session.scalars(select(User).where(User.email == "last-seen@example.pe")).first()
    staff = staff or make_user("staff", email="last-seen@example.pe")
    try:
        world = World(staff)
        for name, *args in operations:
            getattr(world, name)(*args)
            db.session.flush()
            db.session.expire_all()
            stored, expected = stored_and_expected()
            assert stored == expected, (name, args)
    finally:
        db.session.rollback()


def test_logging_a_call_leaves_the_company_unedited(make_user, make_org):
    staff, org = make_user("staff"), make_org("Fundición Callao SAC")
    version, updated = org.version_id, org.updated_at
    db.session.add(Interaction(organisation_id=org.id, kind="call", occurred_on=DAY0, staff_id=staff.id,
                               summary="Llamada"))  # fmt: skip
    db.session.commit()
    db.session.refresh(org)
    assert (org.last_interaction_on, org.version_id, org.updated_at) == (DAY0, version, updated)


def test_the_rebuild_recomputes_every_date(make_user, make_org):
    from crm.interactions import last_seen

    staff, quiet, busy = make_user("staff"), make_org("Sin llamadas SAC"), make_org("Con llamadas SAC")
    for day in (3, 9):
        when = DAY0 + timedelta(days=day)
        db.session.add(Interaction(organisation_id=busy.id, kind="call", occurred_on=when, staff_id=staff.id,
                                   summary="Llamada"))  # fmt: skip
    db.session.commit()
    db.session.execute(Organisation.__table__.update().values(last_interaction_on=DAY0))
    last_seen.rebuild(db.session.connection())
    db.session.commit()
    stored, expected = stored_and_expected()
    assert stored == expected and stored[busy.id] == DAY0 + timedelta(days=9) and stored[quiet.id] is None
