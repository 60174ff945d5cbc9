"""Two coordinators freezing the same period at the same moment: the second is told, not shown a 500."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from crm.extensions import db
from crm.models import FrozenPeriod, utcnow


@contextmanager
def rival_freeze_before_flush(period: str):
    """Have another process commit a freeze of the period just before this request writes its own."""

    def rival(_session, _context, _instances):
        with Session(db.engine) as other:
            other.add(FrozenPeriod(period=period, frozen_at=utcnow(), figures={"rival": True}))
            other.commit()

    event.listen(db.session, "before_flush", rival, once=True)
    try:
        yield
    finally:
        if event.contains(db.session, "before_flush", rival):
            event.remove(db.session, "before_flush", rival)


def test_freezing_at_the_same_moment_as_someone_else_is_refused(client, world, en_user, login):
    login(en_user("manager"))
    with rival_freeze_before_flush("2025-S1"):
        response = client.post("/reports/indicators/freeze", data={"period": "2025-S1"})
    assert response.status_code == 400
    assert "The period 2025-S1 is already frozen." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FrozenPeriod)) == 1
    assert db.session.scalars(select(FrozenPeriod)).one().figures == {"rival": True}
