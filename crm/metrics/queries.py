"""Read the stored snapshots for the metrics page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.extensions import db
from crm.metrics.services import DIMENSIONS, NONE_KEY
from crm.models import STAGES, MetricSnapshot, Programme, Sector


@dataclass
class Ratio:
    """A conversion rate with its numerator and denominator."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        """Return the rate in percent, or None without a denominator."""
        return None if not self.denominator else 100.0 * self.numerator / self.denominator


def programmes() -> list[Programme]:
    """Return the programmes, active first."""
    return list(db.session.scalars(select(Programme).order_by(Programme.active.desc(), Programme.id)))


def latest_day(programme_id: int) -> date | None:
    """Return the date of the programme's latest snapshot."""
    query = select(func.max(MetricSnapshot.taken_on)).where(MetricSnapshot.programme_id == programme_id)
    return db.session.scalar(query)


def snapshot(programme_id: int, dimension: str, on: date) -> list[MetricSnapshot]:
    """Return the day's rows of one programme and dimension, biggest groups first."""
    query = (
        select(MetricSnapshot)
        .where(
            MetricSnapshot.programme_id == programme_id,
            MetricSnapshot.dimension == dimension,
            MetricSnapshot.taken_on == on,
        )
        .order_by(MetricSnapshot.contacted.desc(), MetricSnapshot.group_label)
    )
    return list(db.session.scalars(query))


def sector_names(rows: list[MetricSnapshot], locale: str) -> dict[str, str]:
    """Return the sector names of the rows' section codes in the user's language, in one query."""
    codes = {row.group_key for row in rows}
    found = db.session.execute(
        select(Sector.code, Sector.name_es, Sector.name_en).where(Sector.code.in_(codes))
    )
    return {code: (en if locale == "en" else es) for code, es, en in found}


def group_label(row: MetricSnapshot, names: dict[str, str]) -> str:
    """Return the display name of a group."""
    if row.group_key == NONE_KEY:
        return _("Not recorded")
    if row.dimension == "sector":
        return f"{row.group_key} – {names.get(row.group_key, row.group_label)}"
    return row.group_label


def stage_steps(row: MetricSnapshot) -> list[dict[str, Any]]:
    """Return each forward step (stage → next stage) with its rate."""
    reached = row.reached or {}
    return [
        {"from": a, "to": b, "ratio": Ratio(int(reached.get(b, 0)), int(reached.get(a, 0)))}
        for a, b in zip(STAGES, STAGES[1:], strict=False)
    ]


def page(programme_id: int, dimension: str, locale: str) -> dict[str, Any]:
    """Return what the metrics page shows for one programme and dimension."""
    dimension = dimension if dimension in DIMENSIONS else "sector"
    day = latest_day(programme_id)
    rows = snapshot(programme_id, dimension, day) if day else []
    totals = snapshot(programme_id, "total", day) if day else []
    names = sector_names(rows, locale) if dimension == "sector" else {}
    return {
        "day": day,
        "dimension": dimension,
        "rows": [
            {"label": group_label(r, names), "row": r, "rate": Ratio(r.loi_signed, r.contacted)} for r in rows
        ],
        "total": totals[0] if totals else None,
        "steps": stage_steps(totals[0]) if totals else [],
    }
