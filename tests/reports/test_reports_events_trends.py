"""Events report (people counted once, share of women) and trends from the metric snapshots."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import force_locale
from sqlalchemy import select

from crm.extensions import db
from crm.models import Attendance, Event, Invitation, MetricSnapshot, Registration
from crm.reports import events, trends
from crm.reports.filters import ReportFilters

D = date.fromisoformat


def test_events_by_type_people_once_and_share_of_women(event_world):
    table = events.events_table(ReportFilters())
    rows = [r[1:] for r in table.rows]
    # columns: events, gender-specific, people, women, with recorded gender, share of women
    assert rows == [
        [2, 0, 5, 2, 4, Decimal("50.0")],  # awareness: P1-P5 (P1 twice), women P1 P4, P3 not recorded
        [1, 1, 2, 1, 2, Decimal("50.0")],  # training (gender-specific): P4 P6
        [1, 0, 0, 0, 0, None],  # workshop without attendees
    ]
    # Over all events: P1-P6 once each; women P1 P4 of P1 P2 P4 P5 P6 recorded → 40 %.
    assert table.total[1:] == [4, 1, 6, 2, 5, Decimal("40.0")]


def test_events_filters_programme_and_period(event_world):
    only_zis = events.events_table(ReportFilters(programme=event_world.zis.id))
    assert [r[1:] for r in only_zis.rows] == [[1, 0, 3, 1, 2, Decimal("50.0")]]  # E1
    autumn = events.events_table(ReportFilters(date_from=D("2025-09-01"), date_to=D("2025-12-31")))
    assert autumn.total[1:] == [2, 1, 4, 2, 4, Decimal("50.0")]  # E2 E3: P1 P4 P5 P6


def test_invited_registered_attended_count_unique_people_per_step(app, event_world):
    people = event_world.people
    e1, e2, e3 = db.session.scalars(select(Event).order_by(Event.held_on)).all()[:3]
    for event, invited, registered in ((e1, [0, 1, 2, 5], [0, 1]), (e2, [0, 3], [0, 3, 4]), (e3, [3], [3])):
        db.session.add_all(Invitation(event_id=event.id, contact_id=people[i].id) for i in invited)
        db.session.add_all(Registration(event_id=event.id, contact_id=people[i].id) for i in registered)
    db.session.commit()
    table = events.funnel_table(ReportFilters())
    # awareness: invited P1 P2 P3 P6 P4 (P1 twice) = 5; registered P1 P2 P4 P5 = 4; attended P1-P5 = 5;
    # of the registrations E1 P1 P2 and E2 P1 P4 P5 all came. Training: P4 registered and came.
    assert [r[1:] for r in table.rows] == [[5, 4, 5, Decimal("100.0")], [1, 1, 2, Decimal("100.0")]]
    assert table.total[1:] == [5, 4, 6, Decimal("100.0")]  # over all events each person once
    by_gender = {row[0]: row[1:4] for row in events.gender_table(ReportFilters()).rows}
    # invited P1 P4 female, P2 P6 male, P3 not recorded; registered P1 P4, P2, P5 other; attended all six
    assert by_gender == {
        "Mujer": [2, 2, 2],
        "Hombre": [2, 1, 2],
        "Otro": [0, 1, 1],
        "No registrado": [1, 0, 1],
    }
    only_zis = events.funnel_table(ReportFilters(programme=event_world.zis.id))
    assert [r[1:4] for r in only_zis.rows] == [[4, 2, 3]]
    db.session.delete(
        db.session.scalar(
            select(Attendance).where(Attendance.event_id == e1.id, Attendance.contact_id == people[1].id)
        )
    )
    db.session.commit()
    assert events.funnel_table(ReportFilters(programme=event_world.zis.id)).rows[0][4] == Decimal("50.0")


def test_events_page(client, event_world, en_user, login):
    login(en_user("staff"))
    html = client.get("/reports/events").get_data(as_text=True)
    assert "People reached (unique)" in html and "40 %" in html and "Awareness event" in html


def snapshot(day: str, programme_id: int, key: str, name: str, contacted: int, letters: int) -> None:
    """Add a sector snapshot row."""
    db.session.add(
        MetricSnapshot(
            taken_on=D(day),
            programme_id=programme_id,
            dimension="sector",
            group_key=key,
            group_label=name,
            contacted=contacted,
            loi_signed=letters,
            reached={},
        )
    )


def test_trends_add_up_programmes_per_day_and_group(world, client, en_user, login):
    zis, pei = world.zis.id, world.pei.id
    snapshot("2026-01-01", zis, "C", "Industrias manufactureras", 10, 1)
    snapshot("2026-01-01", pei, "C", "Industrias manufactureras", 5, 2)
    snapshot("2026-02-01", zis, "C", "Industrias manufactureras", 12, 3)
    snapshot("2026-02-01", zis, "ZZ", "Sector <b>raro</b>", 4, 1)
    snapshot("2026-02-01", zis, "none", "", 2, 0)
    db.session.commit()
    with force_locale("en"):
        table = trends.trend_table(ReportFilters(), "sector", "en")
    # 2026-01-01 C: 10 + 5 contacted, 1 + 2 letters → 20 %; 2026-02-01, biggest first: C 3/12 = 25 %,
    # ZZ 1/4 = 25 % (its own label: no such sector), companies without a sector 0/2
    assert [r[1:] for r in table.rows] == [
        ["C – Manufacturing", 15, 3, Decimal("20.0")],
        ["C – Manufacturing", 12, 3, Decimal("25.0")],
        ["Sector <b>raro</b>", 4, 1, Decimal("25.0")],
        ["Not recorded", 2, 0, Decimal("0.0")],
    ]
    only_pei = trends.trend_table(ReportFilters(programme=pei), "sector", "en")
    assert [r[2:] for r in only_pei.rows] == [[5, 2, Decimal("40.0")]]
    login(en_user("manager"))
    html = client.get("/reports/trends").get_data(as_text=True)
    assert "<polyline" in html and "Sector &lt;b&gt;raro&lt;/b&gt;" in html and "<b>raro" not in html
