"""The training modules' reference list: counts, saving, (de)activating and what an event form offers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.errors import UserError
from crm.extensions import db
from crm.models import TRAINING_THEMES, Event, TrainingModule
from crm.pipeline.admin import save

MODULE_FIELDS = ("code", "name_es", "name_en", "theme", "active")


def modules_with_counts() -> list[tuple[TrainingModule, int]]:
    """Return every module with the number of events that delivered it, counted in SQL."""
    counts = (
        select(Event.training_module_id, func.count(Event.id).label("n"))
        .group_by(Event.training_module_id)
        .subquery()
    )
    query = (
        select(TrainingModule, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.training_module_id == TrainingModule.id)
        .order_by(TrainingModule.active.desc(), TrainingModule.code)
    )
    return [(module, total) for module, total in db.session.execute(query)]


def save_module(module: TrainingModule | None, values: Mapping[str, Any]) -> TrainingModule:
    """Create or update a module after checking its code is unique and its theme known."""
    if values["theme"] not in TRAINING_THEMES:
        raise UserError(_("Choose the theme."), "theme")
    return save(TrainingModule, module, values, MODULE_FIELDS)


def set_active(module: TrainingModule, active: bool) -> None:
    """Offer the module again, or stop offering it (past events keep it)."""
    module.active = active
    db.session.flush()


def offered_modules(include_id: int | None = None) -> list[TrainingModule]:
    """Return the active modules, plus one already chosen even if inactive."""
    condition = TrainingModule.active.is_(True)
    if include_id is not None:
        condition = condition | (TrainingModule.id == include_id)
    return list(db.session.scalars(select(TrainingModule).where(condition).order_by(TrainingModule.code)))
