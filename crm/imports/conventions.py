"""Which convention a file writes its numbers in, told by its own unambiguous cells.

A cell such as 12.000 or 1,500 reads as thousands or as decimals. Most files also hold cells that settle
it: 2.500,75 (both marks: the last one is the decimal one), 1.234.567 (a mark repeated: thousands),
12,5 or 0.500 (one mark not followed by three digits, or after a lone zero: a decimal). When the file's
settling cells all agree, "detect" reads every cell that way; when none settle it, or they disagree, each
cell is read on its own and the ambiguous ones are refused until the user says which (mapping step or
preview).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from crm.imports.parsing import AMBIGUOUS, MONEY_NOISE, CellError, decimal
from crm.imports.reading import NumberText, data_rows
from crm.templating import fmt_number

WRITTEN_NUMBER = re.compile(r"^-?\d[\d.,]*$")
MARKS = {",": "comma", ".": "point"}  # the convention a decimal mark stands for


@dataclass
class Evidence:
    """What a file's number cells say: the convention they settle (if they agree), with examples."""

    proof: dict[str, str]  # convention -> the first cell that settles it
    ambiguous: str | None = None  # the first cell that reads both ways

    @property
    def style(self) -> str | None:
        """Return the convention the file settles, or None (nothing settles it, or cells disagree)."""
        return next(iter(self.proof)) if len(self.proof) == 1 else None


def proof_of(raw: str) -> str | None:
    """Return the convention a cell settles ('point': 1,234.5; 'comma': 1.234,5), or None."""
    value = MONEY_NOISE.sub("", raw)
    if isinstance(raw, NumberText) or not WRITTEN_NUMBER.match(value) or AMBIGUOUS.match(value):
        return None
    commas, dots = value.count(","), value.count(".")
    if commas and dots:
        return MARKS[max(",.", key=value.rfind)]  # the last mark is the decimal one
    if commas + dots == 0:
        return None
    mark = "," if commas else "."
    if commas + dots > 1:
        return MARKS["." if mark == "," else ","]  # a repeated mark separates thousands
    return MARKS[mark]  # one mark, not 1,500: a decimal (0,500 and 12,5 alike)


def evidence(path: Path, columns: list[int], limit: int | None = None) -> Evidence:
    """Read the number columns of a stored file and return what their cells settle."""
    found = Evidence(proof={})
    for number, (_row, cells) in enumerate(data_rows(path)):
        if limit is not None and number >= limit:
            break
        for raw in (cells[i] for i in columns if i < len(cells) and cells[i].strip()):
            note(found, raw.strip())
    return found


def note(found: Evidence, raw: str) -> None:
    """Add one cell to the evidence."""
    if (style := proof_of(raw)) is not None:
        found.proof.setdefault(style, raw)
    elif found.ambiguous is None and AMBIGUOUS.match(MONEY_NOISE.sub("", raw)):
        found.ambiguous = raw


def reading(raw: str, style: str) -> str:
    """Return how a cell reads in a convention, formatted for the user's locale."""
    try:
        return fmt_number(decimal(raw, 2, style))
    except CellError:
        return "—"


def explained(found: Evidence) -> str | None:
    """Say, with the file's own cells, what detection will do (or why it needs the user's word)."""
    if found.style:
        example = "1,234.56" if found.style == "point" else "1.234,56"
        raw = found.proof[found.style]
        return _("Detected from the file: “%(cell)s” is written as %(example)s, so every number is read "
                 "that way.", cell=raw, example=example)  # fmt: skip
    if len(found.proof) > 1:
        point, comma = found.proof["point"], found.proof["comma"]
        return _("The file writes numbers both ways (“%(a)s” and “%(b)s”): each cell is read by its own "
                 "marks and cells such as 1.500 are refused.", a=point, b=comma)  # fmt: skip
    if found.ambiguous:
        raw = found.ambiguous
        point, comma = reading(raw, "point"), reading(raw, "comma")
        return _("Nothing in the file settles it: “%(cell)s” reads %(point)s as 1,234.56 and %(comma)s as "
                 "1.234,56. Say which.", cell=raw, point=point, comma=comma)  # fmt: skip
    return None
