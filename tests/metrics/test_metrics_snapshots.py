"""Conversion snapshots equal the figures computed by hand, per programme and group, and are idempotent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from crm.clock import today
from crm.extensions import db
from crm.metrics.jobs import run_due_metric_snapshots
from crm.metrics.services import compute_snapshots
from crm.models import MetricSnapshot, Organisation

FIGURES = ("identified", "contacted", "meeting_held", "loi_signed", "declined")


def figures(programme_id: int, on=None) -> dict[tuple[str, str], tuple[int, ...]]:
    """Return {(dimension, group key): reached counts} of a programme's snapshot on a day."""
    query = select(MetricSnapshot).where(
        MetricSnapshot.programme_id == programme_id, MetricSnapshot.taken_on == (on or today())
    )
    found = {}
    for row in db.session.scalars(query):
        assert (row.contacted, row.loi_signed) == (row.reached["contacted"], row.reached["loi_signed"])
        found[(row.dimension, row.group_key)] = tuple(row.reached[stage] for stage in FIGURES)
    return found


def expected_today(d) -> dict[tuple[str, str], tuple[int, ...]]:
    """The hand-computed figures of programme 1 today (identified, contacted, meeting, LOI, declined)."""
    sni, ccl = str(d.sni.id), str(d.ccl.id)
    return {
        ("total", "all"): (6, 4, 3, 2, 1),
        ("sector", "Z9"): (3, 3, 2, 2, 1),  # C1 (division Z91 → section Z9), C2, C5
        ("sector", "Z8"): (2, 1, 1, 0, 0),  # C3 jumped to a meeting: it was contacted; C7
        ("sector", "none"): (1, 0, 0, 0, 0),
        ("association", sni): (2, 2, 2, 2, 0),
        ("association", ccl): (1, 1, 1, 0, 0),
        ("association", "none"): (3, 1, 0, 0, 1),
        ("member_of", sni): (2, 2, 1, 1, 1),
        ("member_of", ccl): (1, 1, 0, 0, 1),  # C3's membership lapsed: not counted
        ("member_of", "none"): (4, 2, 2, 1, 0),
        ("district", "999901"): (2, 2, 1, 1, 1),
        ("district", "999902"): (2, 2, 2, 1, 0),
        ("district", "none"): (2, 0, 0, 0, 0),
    }


def test_snapshot_equals_the_hand_computed_figures(dataset):
    compute_snapshots(today())
    db.session.commit()
    assert figures(dataset.p1.id) == expected_today(dataset)
    assert figures(dataset.p2.id) == {
        ("total", "all"): (1, 1, 0, 0, 0),
        ("sector", "Z8"): (1, 1, 0, 0, 0),
        ("association", "none"): (1, 1, 0, 0, 0),
        ("member_of", "none"): (1, 1, 0, 0, 0),
        ("district", "none"): (1, 1, 0, 0, 0),
    }
    labels = {
        r.group_key: r.group_label
        for r in db.session.scalars(select(MetricSnapshot).filter_by(dimension="sector"))
    }
    assert labels["Z9"] == "Sección de prueba"


def test_a_past_snapshot_only_counts_the_history_up_to_that_day(dataset):
    ten_days_ago = today() - timedelta(days=10)
    compute_snapshots(ten_days_ago)
    db.session.commit()
    past = figures(dataset.p1.id, ten_days_ago)
    assert past[("total", "all")] == (5, 4, 2, 1, 1)  # C7 did not exist yet; C5 had not signed
    assert past[("association", str(dataset.sni.id))] == (2, 2, 1, 1, 0)


def test_running_twice_the_same_day_rewrites_the_same_rows(dataset):
    compute_snapshots(today())
    db.session.commit()
    first = {
        (r.programme_id, r.dimension, r.group_key): r.id for r in db.session.scalars(select(MetricSnapshot))
    }
    compute_snapshots(today())
    db.session.commit()
    second = {
        (r.programme_id, r.dimension, r.group_key): r.id for r in db.session.scalars(select(MetricSnapshot))
    }
    assert first == second
    assert db.session.scalar(select(func.count()).select_from(MetricSnapshot)) == len(first)


def test_a_group_that_vanished_since_the_morning_run_is_removed(dataset):
    compute_snapshots(today())
    db.session.commit()
    db.session.get(Organisation, dataset.c4.id).sector_id = dataset.z9.id  # the last company without sector
    db.session.commit()
    compute_snapshots(today())
    db.session.commit()
    sectors = {key: values for (dim, key), values in figures(dataset.p1.id).items() if dim == "sector"}
    assert sectors == {"Z9": (4, 3, 2, 2, 1), "Z8": (2, 1, 1, 0, 0)}


def test_the_nightly_job_takes_one_snapshot_per_day_after_the_hour(app, dataset):
    saved = app.config["METRICS_HOUR"]
    try:
        app.config["METRICS_HOUR"] = 24  # not yet
        assert run_due_metric_snapshots() == 0
        app.config["METRICS_HOUR"] = 0
        assert run_due_metric_snapshots() == len(expected_today(dataset)) + 5
        assert run_due_metric_snapshots() == 0  # already taken today
    finally:
        app.config["METRICS_HOUR"] = saved
    assert figures(dataset.p1.id) == expected_today(dataset)
