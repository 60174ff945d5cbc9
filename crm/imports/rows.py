"""One row's outcome and the context of a pass over an import file (shared by every kind)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _

from crm.imports import parsing
from crm.imports.mapping import fields_of
from crm.imports.matching import Match
from crm.imports.parsing import AmbiguousNumberError, CellError

ACTIONS = ("create", "update", "unchanged", "error")


@dataclass
class RowResult:
    """What a pass found for one row: the action, the changed fields and every error."""

    number: int
    cells: dict[str, str]  # field key → cell text
    raw: list[str]  # the row as read, for the file of rows with errors
    label: str = ""
    action: str = "create"
    target_id: int | None = None
    target_label: str | None = None
    changes: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field key, message)
    match: Match | None = None
    candidates: list[tuple[int, str]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the user should know, that is not an error

    def error(self, key: str, message: str) -> None:
        """Record an error on the cell of a field."""
        self.errors.append((key, message))

    def cell(self, key: str, parse: Callable[[str], Any]) -> Any:
        """Parse a field's cell; a CellError becomes an error of the row (and None)."""
        try:
            return parse(self.cells.get(key, ""))
        except CellError as exc:
            self.error(key, exc.message)
            return None

    @property
    def needs_choice(self) -> bool:
        """Return whether the user may choose between updating a name match and creating."""
        return self.match is not None and self.match.how in ("name", "ambiguous")


@dataclass
class Ambiguity:
    """The values of one column that read as thousands or as decimals: how many, and a few examples."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, value: str) -> None:
        """Count a value, keeping the first three different ones as examples."""
        self.count += 1
        if len(self.examples) < 3 and value not in self.examples:
            self.examples.append(value)


@dataclass
class PassContext:
    """The settings of one pass: the file's columns, the user's choices, and whether to write."""

    kind: str
    headers: list[str]
    mapping: dict[str, int]
    decisions: dict[str, str]
    today: date
    user_id: int | None
    apply: bool = False
    batch_id: int | None = None
    event_id: int | None = None  # the event whose attendance an attendance batch records
    numbers: str = "auto"  # how the file writes numbers (crm.imports.parsing.NUMBER_STYLES)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    ambiguous: dict[str, Ambiguity] = field(default_factory=dict)  # field key -> values like 1.500

    def column(self, key: str) -> str:
        """Return the header of the column a field comes from, else the field's name."""
        index = self.mapping.get(key)
        if index is not None and index < len(self.headers) and self.headers[index]:
            return self.headers[index]
        known = fields_of(self.kind).get(key)
        return str(known.label) if known else ""

    def cells(self, raw: list[str]) -> dict[str, str]:
        """Return {field: cell text} of a raw row under the mapping."""
        return {key: raw[i] if i < len(raw) else "" for key, i in self.mapping.items()}

    def number(self, row: RowResult, key: str, parse: Callable[..., Any] = parsing.decimal) -> Any:
        """Parse a number cell in the file's style, keeping ambiguous values for the preview's warning."""

        def read(raw: str) -> Any:
            """Parse, noting a value that could be thousands or decimals."""
            try:
                return parse(raw, style=self.numbers)
            except AmbiguousNumberError as exc:
                self.ambiguous.setdefault(key, Ambiguity()).add(exc.value)
                raise

        return row.cell(key, read)

    def first_seen(self, row: RowResult, key: tuple[str, str]) -> int | None:
        """Remember a within-file key; return the row that had it first, if another did."""
        if not key[1]:
            return None
        earlier = self.seen.setdefault(key, row.number)
        return earlier if earlier != row.number else None


def resolve(row: RowResult, match: Match, ctx: PassContext, names: dict[int, str], key: str) -> None:
    """Turn a match and the user's choice into the row's action and target (errors on field `key`)."""
    row.match = match
    row.candidates = [(i, names.get(i, f"#{i}")) for i in match.ids]
    choice = ctx.decisions.get(str(row.number))
    if match.how is None or (choice == "create" and row.needs_choice):
        row.action = "create"
        return
    if match.how in ("ruc", "email"):
        target = match.ids[0]
    elif choice and choice.isdigit() and int(choice) in match.ids:
        target = int(choice)
    elif match.how == "name":
        target = match.ids[0]  # one record with that name: updating it is offered by default
    else:
        row.error(key, _("Several records match this name: choose which one to update, or create a new one."))
        return
    # Two rows writing one record: the later would silently override the earlier (or break a unique key).
    if earlier := ctx.first_seen(row, ("target", str(target))):
        row.error(key, _("This row updates the same record as row %(row)s of the file: put what they say "
                         "in one row.", row=earlier))  # fmt: skip
        return
    row.action, row.target_id, row.target_label = "update", target, names.get(target)


def settle(row: RowResult) -> None:
    """Set the final action: error rows, and updates that change nothing."""
    if row.errors:
        row.action = "error"
    elif row.action == "update" and not row.changes and not row.extras:
        row.action = "unchanged"
