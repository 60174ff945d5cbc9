"""The columns a list's user chose (`cols`, crm.saved_views), as the columns of its export.

With columns chosen, an export has the list's name column first and then the chosen ones, in the list's
order, under the list's headings; with none chosen (the list shows all) it has every column, as always.
Each list names its columns here once: a heading and how to read one row's cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask_babel import gettext as _
from flask_login import current_user

from crm.labels import label
from crm.organisations import listing
from crm.permissions import can
from crm.saved_views import ListKind, chosen_columns, columns_value
from crm.web import locale

BATCH = 1000


@dataclass(frozen=True)
class Column:
    """One export column: its heading (in the user's language) and the cell of one row."""

    heading: Callable[[], str]
    cell: Callable[[Any], Any]


def chosen(kind: ListKind, args: Mapping[str, str], hidden: Sequence[str] = ()) -> tuple[str, ...] | None:
    """Return the optional columns the user chose (those hidden from them left out); None: all of them."""
    if not columns_value(kind, args):
        return None
    return tuple(key for key in chosen_columns(kind, args) if key not in hidden)


def table(columns: Mapping[str, Column], keys: Sequence[str], rows: Iterable[Any]) -> tuple[list, Iterator]:
    """Return the headings and rows of the name column and the chosen ones, in that order."""
    picked = [columns["name"], *(columns[key] for key in keys)]
    return [c.heading() for c in picked], ([c.cell(row) for c in picked] for row in rows)


def day(value: Any) -> Any:
    """Return the date of a time (None stays None)."""
    return value.date() if value is not None else None


def named(group: str) -> Callable[[str | None], str]:
    """Return a label reader translating each value once per export."""
    return cache(lambda value: label(group, value))


def stage_text(pairs: list[tuple[str, str]]) -> str:
    """Return an organisation's stages per programme as the list shows them: 'ZIS: Contacted; …'."""
    return "; ".join(f"{code}: {label('stage', stage)}" for code, stage in pairs)


def annotated(
    items: Iterable[Any], lookup: Callable[[list[Any]], Mapping[int, Any]], default: Any = None
) -> Iterator[tuple[Any, Any]]:
    """Yield each item with what lookup(batch) found for its id: one lookup query per batch of items."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == BATCH:
            yield from looked_up(batch, lookup, default)
            batch = []
    yield from looked_up(batch, lookup, default)


def looked_up(batch: list[Any], lookup: Callable[[list[Any]], Mapping[int, Any]], default: Any) -> Iterator:
    """Yield the items of one batch with what one lookup found for each (no query for an empty batch)."""
    found = lookup(batch) if batch else {}
    for item in batch:
        yield item, found.get(item.id, default)


def with_stages(orgs: Iterable[Any]) -> Iterator[tuple[Any, list[tuple[str, str]]]]:
    """Yield each organisation with its (programme, stage) pairs, read a batch at a time."""
    return annotated(orgs, listing.stages_of, [])


def organisation_columns() -> dict[str, Column]:
    """Return the organisation list's columns; a row is (organisation, its stages)."""
    lang, kind = locale(), named("kind")
    return {
        "name": Column(lambda: _("Name"), lambda r: r[0].legal_name),
        "ruc": Column(lambda: _("RUC"), lambda r: r[0].ruc),
        "kind": Column(lambda: _("Kind"), lambda r: kind(r[0].kind)),
        "sector": Column(lambda: _("Sector"), lambda r: r[0].sector.label(lang) if r[0].sector else None),
        "stage": Column(lambda: _("Stage per programme"), lambda r: stage_text(r[1])),
        "district": Column(lambda: _("District"), lambda r: r[0].district.name if r[0].district else None),
        "owner": Column(lambda: _("Owner"), lambda r: r[0].owner.name if r[0].owner else None),
        "updated": Column(lambda: _("Updated"), lambda r: day(r[0].updated_at)),
    }


def organisation_table(keys: Sequence[str], orgs: Iterable[Any]) -> tuple[list, Iterator]:
    """Return the chosen organisation columns (stages read only when chosen, by roles that see them)."""
    rows = with_stages(orgs) if "stage" in keys else ((org, []) for org in orgs)
    return table(organisation_columns(), keys, rows)


def organisation_hidden() -> tuple[str, ...]:
    """Return the organisation columns the user cannot see (the stages without pipeline.view)."""
    return () if can(current_user, "pipeline.view") else ("stage",)


def contact_columns() -> dict[str, Column]:
    """Return the contact list's columns; a row is a contact."""
    gender = named("gender")
    return {
        "name": Column(lambda: _("Name"), lambda c: f"{c.last_name}, {c.first_name}"),
        "position": Column(lambda: _("Position"), lambda c: c.position),
        "organisation": Column(
            lambda: _("Organisation"), lambda c: c.organisation.legal_name if c.organisation else None
        ),
        "email": Column(lambda: _("E-mail"), lambda c: c.email),
        "phone": Column(lambda: _("Phone"), lambda c: c.phone),
        "gender": Column(lambda: _("Gender"), lambda c: gender(c.gender)),
        "updated": Column(lambda: _("Updated"), lambda c: day(c.updated_at)),
    }
