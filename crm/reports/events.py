"""Events report: events by type, people reached (unique persons), share of women, gender-specific ones.

People reached counts distinct contacts who attended (a person at three events counts once, in
each type's row and once in the total). Share of women = women / attendees whose gender is
recorded (female, male or other; "not recorded" is left out of both). Filters: programme and
period (held_on); the company filters do not apply to events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from crm.extensions import db
from crm.labels import label
from crm.models import Attendance, Contact, Event, Invitation, Registration
from crm.reports.attended import RECORDED_GENDERS, attended_query, people_measures
from crm.reports.filters import ReportFilters, in_period
from crm.reports.tables import Column, Report, Table, percent
from crm.training import report as training_report

USED_FILTERS = ("programme", "period")


def measures() -> list[Any]:
    """Return the aggregates of one row: events, gender-specific, people, women, recorded gender."""
    gendered = func.count(func.distinct(case((Event.gender_specific.is_(True), Event.id))))
    return [func.count(func.distinct(Event.id)), gendered, *people_measures()]


def events_query(f: ReportFilters, *group: Any) -> Any:
    """Select the measures over events and their attendances, optionally grouped."""
    return attended_query(f, measures(), *group)


def row_values(events: int, gendered: int, people: int, women: int, recorded: int) -> list[Any]:
    """Return a row's figures with the share of women computed from its counts."""
    return [events, gendered, people, women, recorded, percent(women, recorded)]


def events_table(f: ReportFilters) -> Table:
    """Build the table by event type with a total row (distinct people over all events)."""
    rows = [
        [label("event_type", kind), *row_values(*values)]
        for kind, *values in db.session.execute(events_query(f, Event.type))
    ]
    total_values = db.session.execute(events_query(f)).one()
    columns = [
        Column("type", _("Type"), "text"),
        Column("events", _("Events")),
        Column("gender_specific", _("Gender-specific")),
        Column("people", _("People reached (unique)")),
        Column("women", _("Women")),
        Column("recorded", _("People with a recorded gender")),
        Column("women_pct", _("Share of women (%)"), "pct"),
    ]
    total = [_("Total"), *row_values(*total_values)] if rows else None
    return Table("events", _("Events and people reached"), columns, rows, total)


STEPS = (Invitation, Registration, Attendance)


def step_query(model: Any, f: ReportFilters, *group: Any) -> Any:
    """Select the unique people at one step (invited, registered, attended) over the filtered events."""
    query = select(*group, func.count(func.distinct(model.contact_id))).join(
        Event, Event.id == model.event_id
    )
    query = query.where(*in_period(Event.held_on, f))
    return query.where(Event.programme_id == f.programme) if f.programme else query


def came(f: ReportFilters, *group: Any) -> Any:
    """Select the unique registered people who attended the event they registered for."""
    same = (Attendance.event_id == Registration.event_id) & (Attendance.contact_id == Registration.contact_id)
    return step_query(Registration, f, *group).join(Attendance, same)


def counted(query: Any, grouped: bool) -> dict[Any, int]:
    """Run a counting query: per group key, or the single total under the key None."""
    if not grouped:
        return {None: int(db.session.scalar(query) or 0)}
    return {key: int(n) for key, n in db.session.execute(query.group_by(*query.selected_columns[:1]))}


def funnel_values(counts: list[dict[Any, int]], key: Any) -> list[Any]:
    """Return one row's invited, registered, attended and the share of registered people who came."""
    invited, registered, attended, showed = (c.get(key, 0) for c in counts)
    return [invited, registered, attended, percent(showed, registered)]


def funnel_counts(f: ReportFilters, *group: Any) -> list[dict[Any, int]]:
    """Return the counts of each step and of registered people who came, per group or in total."""
    queries = [step_query(model, f, *group) for model in STEPS] + [came(f, *group)]
    return [counted(query, bool(group)) for query in queries]


def funnel_table(f: ReportFilters) -> Table:
    """Build invited → registered → attended by event type (unique people at each step), with a total."""
    per_type = funnel_counts(f, Event.type)
    kinds = sorted(set().union(*per_type))
    rows = [[label("event_type", kind), *funnel_values(per_type, kind)] for kind in kinds]
    columns = [
        Column("type", _("Type"), "text"),
        Column("invited", _("Invited")),
        Column("registered", _("Registered")),
        Column("attended", _("Attended")),
        Column("came_pct", _("Registered people who came (%)"), "pct"),
    ]
    total = [_("Total"), *funnel_values(funnel_counts(f), None)] if rows else None
    return Table("event_funnel", _("Invited, registered, attended"), columns, rows, total)


def gender_counts(f: ReportFilters) -> list[dict[Any, int]]:
    """Return each step's unique people (and registered people who came) per gender."""
    queries = [
        step_query(model, f, Contact.gender).join(Contact, Contact.id == model.contact_id) for model in STEPS
    ]
    queries.append(came(f, Contact.gender).join(Contact, Contact.id == Registration.contact_id))
    return [counted(query, True) for query in queries]


def gender_table(f: ReportFilters) -> Table:
    """Build invited → registered → attended by gender (unique people), over the filtered events."""
    counts = gender_counts(f)
    rows = [[label("gender", g), *funnel_values(counts, g)] for g in (*RECORDED_GENDERS, "not_recorded")]
    columns = [
        Column("gender", _("Gender"), "text"),
        Column("invited", _("Invited")),
        Column("registered", _("Registered")),
        Column("attended", _("Attended")),
        Column("came_pct", _("Registered people who came (%)"), "pct"),
    ]
    total = [_("Total"), *funnel_values(funnel_counts(f), None)]
    return Table("event_funnel_gender", _("Invited, registered, attended by gender"), columns, rows, total)


def build(f: ReportFilters, options: Mapping[str, str], locale: str, **_ignored: Any) -> Report:
    """Build the events report."""
    trainings = [training_report.theme_table(f), training_report.module_table(f, locale)]
    return Report("events", _("Events"), f, [events_table(f), *trainings, funnel_table(f), gender_table(f)])
