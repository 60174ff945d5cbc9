"""Two coordinators freezing the same period at the same moment: the second is told, not shown a 500."""

from __future__ import annotations

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import FrozenPeriod, utcnow
from tests.races import rival_before_flush


def test_freezing_at_the_same_moment_as_someone_else_is_refused(client, world, en_user, login):
    login(en_user("manager"))
    with rival_before_flush(
        lambda other: other.add(FrozenPeriod(period="2025-S1", frozen_at=utcnow(), figures={"rival": True}))
    ):
        response = client.post("/reports/indicators/freeze", data={"period": "2025-S1"})
    assert response.status_code == 400
    assert "The period 2025-S1 is already frozen." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FrozenPeriod)) == 1
    assert db.session.scalars(select(FrozenPeriod)).one().figures == {"rival": True}
