"""Trainings per theme and per module: modules delivered, people trained and the share of women.

Counted in SQL over events that name a module (crm.models.TrainingModule), with the events report's
filters (programme, period). People trained are distinct contacts: a person at two modules of a theme
counts once in the theme's row. Share of women = women / people whose gender is recorded.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func

from crm.extensions import db
from crm.labels import label
from crm.models import Event, TrainingModule
from crm.reports.attended import attended_query, people_measures
from crm.reports.filters import ReportFilters
from crm.reports.tables import Column, Table, percent


def measures() -> list[Any]:
    """Return the aggregates of a row: modules, trainings, people, women, people with a recorded gender."""
    return [func.count(func.distinct(Event.training_module_id)), func.count(func.distinct(Event.id)),
            *people_measures()]  # fmt: skip


def training_query(f: ReportFilters, *group: Any) -> Any:
    """Select the measures over the events that delivered a module, optionally grouped."""
    within = (TrainingModule, TrainingModule.id == Event.training_module_id)
    return attended_query(f, measures(), *group, within=within)


def figures(modules: int, trainings: int, people: int, women: int, recorded: int) -> list[Any]:
    """Return a row's counts with the share of women computed from them."""
    return [modules, trainings, people, women, percent(women, recorded)]


def count_columns() -> list[Column]:
    """Return the columns of the counts, translated."""
    titles = {
        "modules": _("Modules delivered"),
        "trainings": _("Trainings"),
        "people": _("People trained (unique)"),
        "women": _("Women"),
    }
    return [
        *(Column(key, titles[key]) for key in titles),
        Column("women_pct", _("Share of women (%)"), "pct"),
    ]


def theme_table(f: ReportFilters) -> Table:
    """Build the trainings by theme, with a total row (distinct people over every theme)."""
    rows = [
        [label("training_theme", theme), *figures(*values)]
        for theme, *values in db.session.execute(training_query(f, TrainingModule.theme))
    ]
    total = [_("Total"), *figures(*db.session.execute(training_query(f)).one())] if rows else None
    columns = [Column("theme", _("Theme"), "text"), *count_columns()]
    return Table("training_themes", _("Trainings by theme"), columns, rows, total)


def module_table(f: ReportFilters, locale: str) -> Table:
    """Build the trainings by module (its theme beside it)."""
    name = TrainingModule.name_en if locale == "en" else TrainingModule.name_es
    group = (TrainingModule.code, name, TrainingModule.theme)
    rows = [
        [f"{code} – {title}", label("training_theme", theme), *figures(*values)[1:]]
        for code, title, theme, *values in db.session.execute(training_query(f, *group))
    ]
    columns = [Column("module", _("Training module"), "text"), Column("theme", _("Theme"), "text")]
    return Table("training_modules", _("Trainings by module"), columns + count_columns()[1:], rows)
