"""Where features plug into other features: one registry of function references.

The organisation page shows sections that other features own, merging two organisations moves what each
feature keeps about them, and deleting one removes it. Instead of lists that know every feature, each
feature declares its contributions in its own `crm/<feature>/hooks.py`, which `init_app` imports for every
feature of `crm.blueprints.FEATURES`. Contributions are plain functions, called in the order given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from flask import Flask


@dataclass(frozen=True)
class Section:
    """A section of the organisation page: its template, its place, and the function giving its data."""

    template: str
    order: int
    data: Callable[[Any, Any], dict[str, Any] | None]  # (user, organisation) -> context, or None to hide


ORG_SECTIONS: list[Section] = []
MERGE_STEPS: list[tuple[int, Callable[[int, int], None]]] = []  # (order, fn(keep_id, drop_id))
CONTACT_MERGE_STEPS: list[tuple[int, Callable[[int, int, int | None], None]]] = []  # fn(keep, drop, user)
DELETE_STEPS: list[tuple[int, Callable[[int], None]]] = []  # (order, fn(org_id))
ERASE_STEPS: list[tuple[int, Callable[[Any], dict[str, int]]]] = []  # (order, fn(traces) -> rows per table)


def org_section(template: str, order: int) -> Callable:
    """Declare a function as the data of an organisation page section."""

    def register(func: Callable) -> Callable:
        if not any(s.template == template for s in ORG_SECTIONS):  # hooks modules may be imported twice
            ORG_SECTIONS.append(Section(template, order, func))
            ORG_SECTIONS.sort(key=lambda s: s.order)
        return func

    return register


def on_merge(order: int) -> Callable:
    """Declare a step that moves a feature's rows from a merged-away organisation to the survivor."""
    return _adder(MERGE_STEPS, order)


def on_contact_merge(order: int) -> Callable:
    """Declare a step that moves a feature's rows from a merged-away contact to the survivor."""
    return _adder(CONTACT_MERGE_STEPS, order)


def on_delete(order: int) -> Callable:
    """Declare a step that removes or detaches a feature's rows of an organisation being deleted."""
    return _adder(DELETE_STEPS, order)


def on_erase(order: int) -> Callable:
    """Declare a step that erases or anonymises a feature's traces of a person (Ley 29733, crm/privacy)."""
    return _adder(ERASE_STEPS, order)


def _adder(steps: list, order: int) -> Callable:
    """Return a decorator adding a function to a list of ordered steps once."""

    def register(func: Callable) -> Callable:
        if all(f.__qualname__ != func.__qualname__ or f.__module__ != func.__module__ for _, f in steps):
            steps.append((order, func))
            steps.sort(key=lambda step: step[0])
        return func

    return register


def move_rows(model: Any, column: str, keep_id: int, drop_id: int) -> None:
    """Point a model's rows from the merged-away organisation at the survivor, through the ORM (audited)."""
    from sqlalchemy import select

    from crm.extensions import db

    attribute = getattr(model, column)
    for record in db.session.scalars(select(model).where(attribute == drop_id)).unique().all():
        setattr(record, column, keep_id)


def merge_steps() -> list[Callable[[int, int], None]]:
    """Return the merge steps in order."""
    return [func for _, func in MERGE_STEPS]


def contact_merge_steps() -> list[Callable[[int, int, int | None], None]]:
    """Return the contact merge steps in order."""
    return [func for _, func in CONTACT_MERGE_STEPS]


def delete_steps() -> list[Callable[[int], None]]:
    """Return the delete steps in order."""
    return [func for _, func in DELETE_STEPS]


def erase_steps() -> list[Callable[[Any], dict[str, int]]]:
    """Return the erase steps in order."""
    return [func for _, func in ERASE_STEPS]


def load_hooks() -> None:
    """Import every feature's hooks module, which registers its contributions."""
    from crm.blueprints import FEATURES

    for name in FEATURES:
        if find_spec(f"crm.{name}.hooks") is not None:
            import_module(f"crm.{name}.hooks")


def init_app(_app: Flask) -> None:
    """Fill the registry (once per process; importing twice registers nothing twice)."""
    load_hooks()
