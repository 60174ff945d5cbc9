"""Results framework: live values, ratings and lights, target edits by admins, frozen periods."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.errors import UserError
from crm.extensions import db
from crm.models import ChangeLog, FrozenPeriod, Indicator, Letter
from crm.reports import indicators, services

D = date.fromisoformat


def values(as_of=None) -> dict[str, Decimal | None]:
    """Return {code: value} computed live."""
    return {f.indicator.code: f.value for f in indicators.compute_all(as_of)}


def indicator(code: str) -> Indicator:
    """Return an indicator by code."""
    return db.session.scalars(select(Indicator).where(Indicator.code == code)).one()


def test_every_indicator_of_the_framework_has_a_rule(app):
    codes = [i.code for i in indicators.indicators()]
    assert len(codes) == 16  # the 13 of the CSV and the 3 GEF core indicators (migration 0018)
    assert all(" ".join(i.computed_from.split()).lower() in indicators.RULES for i in indicators.indicators())


def test_values_computed_from_the_records(world, event_world):
    assert values() == {
        "3.1": Decimal(7),  # C1…C7 reached identified or later (the ministry is no company)
        "3.1.1a": Decimal(3),  # C1, C3 (two letters, one company), C4; C2's letter is only requested
        "3.1.1b": Decimal(2),  # C1, C3 assessed
        "3.1.1c": Decimal(1),  # C3 in technical assistance
        "3.1.1": Decimal(0),
        "3.4": Decimal(0),
        "2.2": Decimal(2),  # two signed cooperation letters, one withdrawn
        "3.3": Decimal(2),  # SNI (signed cooperation letter) and the ministry (engagement + letter)
        "3.3.1a": Decimal(2),  # E1, E2
        "3.3.1b": Decimal(5),  # P1 P2 P3 (E1) + P4 P5 (E2); P1 attended twice
        "3.3.1c": Decimal("50.0"),  # women P1 P4 / recorded P1 P2 P4 P5 (P3 not recorded)
        "3.3.1d": Decimal(1),  # E3
        "2.1.4": Decimal(3),  # three qualified today (not the candidate or the suspended)
        "GEF-6": Decimal(0),  # no measured results in this world (see tests/results)
        "GEF-10": Decimal(0),
        "GEF-6.3": Decimal(0),
    }


def test_values_as_of_a_date(world, event_world):
    found = values(D("2025-12-31"))
    # C6 was first contacted in 2026; the ministry's cooperation letter was signed in 2026.
    assert found["3.1"] == 6 and found["2.2"] == 1 and found["3.3.1a"] == 2
    early = values(D("2025-06-30"))
    # By mid-2025: only E1 (P1 female, P2 male, P3 not recorded) → 1 woman of 2 recorded.
    # Letters of interest: C1 (03-30) and C3 (signed on 06-30 itself, which counts).
    assert early["3.3.1b"] == 3 and early["3.3.1c"] == Decimal("50.0") and early["3.1.1a"] == 2


def test_qualified_consultants_as_of_a_date(world, event_world):
    # Qualified 2025-05-01 (A), 2026-02-01 (B), on an unknown day (C, counts at any date while qualified),
    # and 2025-01-15 (D), suspended 2025-11-01; a candidate never counts.
    assert values(D("2025-03-01"))["2.1.4"] == 2  # C, D
    assert values(D("2025-06-30"))["2.1.4"] == 3  # A, C, D
    assert values(D("2025-12-31"))["2.1.4"] == 2  # A, C (D suspended)
    assert values(D("2026-02-01"))["2.1.4"] == 3  # A, B (on its day), C


@pytest.mark.parametrize(
    ("achieved", "score"),
    [(150, 6), (100, 6), (90, 6), ("89.9", 5), (70, 5), ("69.9", 4), (50, 4), ("49.9", 3), (30, 3)]
    + [("29.9", 2), (10, 2), ("9.9", 1), (0, 1)],
)
def test_six_point_rating(achieved, score):
    assert indicators.rating(Decimal(achieved)) == score


def test_traffic_light_thresholds():
    assert indicators.light(Decimal(100)) == "reached"
    assert indicators.light(Decimal("99.9")) == "on_the_way"
    assert indicators.light(Decimal(50)) == "on_the_way"
    assert indicators.light(Decimal("49.9")) == "not_on_track"
    assert indicators.light(None) is None and indicators.rating(None) is None


def test_figures_with_targets(world, event_world):
    found = {f.indicator.code: f for f in indicators.compute_all(None)}
    # 3.3.1c: 50 % women against a 30 % target → 166.7 % achieved, rating 6, reached
    women = found["3.3.1c"]
    assert (women.achieved, women.rating, women.light) == (Decimal("166.7"), 6, "reached")
    # 3.3.1d: 1 of 2 gender-specific trainings → 50 %, rating 4, on the way
    assert (found["3.3.1d"].achieved, found["3.3.1d"].rating, found["3.3.1d"].light) == (
        Decimal("50.0"),
        4,
        "on_the_way",
    )
    # 2.2: 2 of 5 → 40 %, rating 3, not on track · 3.1.1a has no target: nothing to judge
    assert (found["2.2"].achieved, found["2.2"].rating, found["2.2"].light) == (
        Decimal("40.0"),
        3,
        "not_on_track",
    )
    assert (found["3.1.1a"].achieved, found["3.1.1a"].rating, found["3.1.1a"].light) == (None, None, None)


def test_admin_edits_a_target_and_the_change_is_audited(client, world, en_user, login):
    admin = login(en_user("admin"))
    target = indicator("2.2")
    response = client.post(f"/reports/indicators/{target.id}/target", data={"target": "2.5"})
    assert response.status_code == 302
    assert indicator("2.2").target == Decimal("2.50")
    entry = db.session.scalars(select(ChangeLog).where(ChangeLog.entity_type == "indicator")).one()
    assert entry.user_id == admin.id and entry.changes["target"] == ["5.00", "2.50"]
    html = client.get("/reports/indicators").get_data(as_text=True)
    # 2 signed of 2.5 → 80 %, rating 5
    assert "80 %" in html and "5 – Satisfactory" in html


def test_bad_target_is_refused_and_nothing_changes(client, world, make_user, login):
    login(make_user("admin"))  # Spanish
    target = indicator("2.2")
    for bad in ("-3", "abc", "1e400"):
        response = client.post(f"/reports/indicators/{target.id}/target", data={"target": bad})
        assert response.status_code == 400, bad
    assert indicator("2.2").target == Decimal("5.00")
    assert (
        db.session.scalar(
            select(func.count()).select_from(ChangeLog).where(ChangeLog.entity_type == "indicator")
        )
        == 0
    )
    page = client.post(f"/reports/indicators/{target.id}/target", data={"target": "abc"}).get_data(
        as_text=True
    )
    assert "Corrija los campos marcados." in page and "No es un numero decimal válido." in page


def test_only_admins_edit_targets(client, world, en_user, login):
    login(en_user("manager"))
    target = indicator("2.2")
    assert client.post(f"/reports/indicators/{target.id}/target", data={"target": "1"}).status_code == 404
    assert indicator("2.2").target == Decimal("5.00")


def test_manager_freezes_a_period_and_sees_reported_beside_live(client, world, event_world, en_user, login):
    manager = login(en_user("manager"))
    response = client.post("/reports/indicators/freeze", data={"period": "2025-S2"})
    assert response.status_code == 302
    record = db.session.scalars(select(FrozenPeriod)).one()
    assert record.period == "2025-S2" and record.frozen_by_id == manager.id
    # As of 2025-12-31: one cooperation letter signed, 6 companies identified.
    assert record.figures["2.2"]["value"] == "1" and record.figures["2.2"]["rating"] == 2
    assert record.figures["3.1"]["value"] == "6" and record.figures["3.1"]["target"] == "90"
    # A letter signed in 2025 recorded afterwards changes the live value, not the reported one.
    db.session.add(
        Letter(organisation_id=world.ccl.id, kind="cooperation", status="signed", signed_on=D("2025-10-01"))
    )
    db.session.commit()
    html = client.get("/reports/indicators", query_string={"period": "2025-S2"}).get_data(as_text=True)
    assert "as reported for 2025-S2" in html and "Live value" in html
    start = html.index(">2.2<")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html[start - 40 : html.index("</tr>", start)], re.S)
    # code, indicator, unit, target, reported value, achieved, rating, light, live value
    assert (cells[0], cells[3], cells[4], cells[5], cells[8]) == ("2.2", "5", "1", "20 %", "2")


def test_freezing_twice_is_refused(client, world, en_user, login):
    login(en_user("manager"))
    assert client.post("/reports/indicators/freeze", data={"period": "2025-S1"}).status_code == 302
    first = db.session.scalars(select(FrozenPeriod)).one().figures
    response = client.post("/reports/indicators/freeze", data={"period": "2025-S1"})
    assert response.status_code == 400
    assert "The period 2025-S1 is already frozen." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FrozenPeriod)) == 1
    assert db.session.scalars(select(FrozenPeriod)).one().figures == first


@pytest.mark.parametrize("period", ["2099-S1", "2026-S3", "S1-2025", "", "2025-s1x", "1900-S1"])
def test_bad_or_unfinished_periods_cannot_be_frozen(client, world, make_user, login, period):
    login(make_user("manager"))  # Spanish
    response = client.post("/reports/indicators/freeze", data={"period": period})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(FrozenPeriod)) == 0


def test_staff_and_viewers_read_but_cannot_freeze(client, world, en_user, login):
    login(en_user("viewer"))
    assert client.get("/reports/indicators").status_code == 200
    assert client.post("/reports/indicators/freeze", data={"period": "2025-S1"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(FrozenPeriod)) == 0


def test_services_period_bounds():
    assert services.period_bounds("2026-S1") == (D("2026-01-01"), D("2026-06-30"))
    assert services.period_bounds("2026-S2") == (D("2026-07-01"), D("2026-12-31"))
    with pytest.raises(UserError):
        services.period_bounds("2026-S3")
