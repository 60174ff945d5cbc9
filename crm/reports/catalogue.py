"""The catalogue of measures an administrator can build a computed indicator from, and their parameters.

Each measure names its parameters; an indicator stores the chosen values as JSON (Indicator.params),
checked here first: an unknown stage, kind or status is refused with a message naming the field. The
counting itself is in crm/reports/custom_indicators.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.errors import UserError
from crm.extensions import db
from crm.labels import LABELS
from crm.models import (
    COFINANCE_TYPES,
    COFINANCIER_TYPES,
    EVENT_TYPES,
    GENDERS,
    KINDS,
    LETTER_KINDS,
    LETTER_STATUSES,
    RESULT_STATUSES,
    STAGES,
    District,
    Sector,
)

Choices = Callable[[], list[tuple[str, str]]]


def labelled(group: str, values: tuple[str, ...]) -> Choices:
    """Return the choices of a fixed list, labelled in the user's language."""
    return lambda: [(value, str(LABELS[group].get(value, value))) for value in values]


def fixed(*pairs: tuple[str, Any]) -> Choices:
    """Return choices written here (value, lazy label)."""
    return lambda: [(value, str(text)) for value, text in pairs]


def sectors() -> list[tuple[str, str]]:
    """Return the sectors as choices (a section counts its divisions too)."""
    rows = db.session.execute(select(Sector.id, Sector.code, Sector.name_es).order_by(Sector.code))
    return [(str(id_), f"{code} – {name}") for id_, code, name in rows]


def districts() -> list[tuple[str, str]]:
    """Return the districts as choices."""
    rows = db.session.execute(select(District.id, District.name).order_by(District.name, District.id))
    return [(str(id_), name) for id_, name in rows]


def regions() -> list[tuple[str, str]]:
    """Return the regions the districts belong to."""
    rows = db.session.scalars(select(District.region).distinct().order_by(District.region))
    return [(region, region) for region in rows]


@dataclass(frozen=True)
class Param:
    """A parameter of a measure: its key in the JSON, label, choices, and whether it must be given."""

    key: str
    label: Any
    choices: Choices
    required: bool = False
    multiple: bool = False
    default: str | None = None


@dataclass(frozen=True)
class Measure:
    """A measure of the catalogue: what it counts and the parameters that narrow it."""

    key: str
    title: Any
    description: Any
    params: tuple[Param, ...]
    unit: str  # the unit a new indicator of this measure starts with


STAGE = Param("stage", _l("Stage reached"), labelled("stage", STAGES), required=True)
COUNT_BY = fixed(("organisations", _l("Organisations")), ("engagements", _l("Engagements")))
LETTERS_COUNT = fixed(("letters", _l("Letters")), ("organisations", _l("Distinct organisations")))
MONEY = fixed(
    ("committed", _l("Committed")), ("materialised", _l("Materialised")), ("pending", _l("Pending"))
)
QUANTITIES = fixed(("tco2e", "tCO2eq"), ("upops", _l("u-POPs (µg TEQ)")), ("energy", _l("Energy (MJ)")))
BASES = labelled("result_basis", ("achieved", "expected"))

CATALOGUE: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "stage_reached",
            _l("Organisations or engagements reaching a stage"),
            _l("Counts those that moved to the stage or beyond, up to the date (exits never count)."),
            (
                STAGE,
                Param("count_by", _l("Count"), COUNT_BY, required=True, default="organisations"),
                Param("org_kind", _l("Kind of organisation"), labelled("kind", KINDS), default="company"),
                Param("sector", _l("Sector"), sectors),
                Param("region", _l("Region"), regions),
                Param("district", _l("District"), districts),
            ),
            "companies",
        ),
        Measure(
            "letters",
            _l("Letters by kind and status"),
            _l("Letters now in the status, dated (signed, received, requested…) up to the date."),
            (
                Param("letter_kind", _l("Kind of letter"), labelled("letter_kind", LETTER_KINDS), True),
                Param("letter_status", _l("Status"), labelled("letter_status", LETTER_STATUSES), True),
                Param("letters_count", _l("Count"), LETTERS_COUNT, required=True, default="letters"),
            ),
            "letters",
        ),
        Measure(
            "attendance",
            _l("People attending events, by gender"),
            _l("Distinct people who attended events held up to the date."),
            (
                Param("event_type", _l("Type of event"), labelled("event_type", EVENT_TYPES)),
                Param("genders", _l("Genders"), labelled("gender", GENDERS), multiple=True),
            ),
            "people",
        ),
        Measure(
            "cofinance",
            _l("Co-finance by status"),
            _l("USD of signed co-finance letters: committed, materialised up to the date, or pending."),
            (
                Param("money", _l("Amount"), MONEY, required=True, default="committed"),
                Param(
                    "cofinancier_type",
                    _l("Co-financier type"),
                    labelled("cofinancier_type", COFINANCIER_TYPES),
                ),
                Param("cofinance_type", _l("Co-finance type"), labelled("cofinance_type", COFINANCE_TYPES)),
            ),
            "USD",
        ),
        Measure(
            "results",
            _l("Measured results by status"),
            _l("Reductions of the companies' results in a status, dated up to the date."),
            (
                Param("quantity", _l("Quantity"), QUANTITIES, required=True, default="tco2e"),
                Param("result_status", _l("Status"), labelled("result_status", RESULT_STATUSES), True),
                Param("basis", _l("Basis"), BASES, required=True, default="achieved"),
            ),
            "tCO2eq",
        ),
    )
}
# Every parameter key of the catalogue (the form has one field per key).
PARAM_KEYS = tuple(dict.fromkeys(p.key for m in CATALOGUE.values() for p in m.params))


def measure_of(key: str | None) -> Measure:
    """Return a measure of the catalogue (UserError when unknown)."""
    if key not in CATALOGUE:
        raise UserError(_("Choose a measure from the catalogue."), "measure")
    return CATALOGUE[key]


def given(value: Any) -> list[str]:
    """Return a submitted value as a list of non-empty texts."""
    values = value if isinstance(value, list | tuple) else [value]
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def unknown(param: Param, value: str) -> str:
    """Return the message refusing a value a parameter does not know."""
    return _(
        "“%(value)s” is not a known value of “%(field)s”; choose one from the list.",
        value=value[:40],
        field=param.label,
    )


def clean_param(param: Param, raw: Any) -> Any:
    """Return a parameter's stored value (None when not given); UserError on an unknown value."""
    values = given(raw) or ([param.default] if param.default and param.required else [])
    if not values:
        if param.required:
            raise UserError(_("Choose a value for “%(field)s”.", field=param.label), param.key)
        return None
    known = {value for value, _text in param.choices()}
    for value in values:
        if value not in known:
            raise UserError(unknown(param, value), param.key)
    if param.multiple:
        return sorted(set(values))
    return int(values[0]) if param.key in ("sector", "district") else values[0]


def clean(key: str | None, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Return a measure's parameters as stored (the ones given); UserError naming every wrong field."""
    measure = measure_of(key)
    found, problems = {}, {}
    for param in measure.params:
        try:
            value = clean_param(param, raw.get(param.key))
        except UserError as exc:
            problems[param.key] = exc.message
            continue
        if value is not None:
            found[param.key] = value
    if problems:
        raise UserError(problems=problems)
    return found


def describe(key: str | None, params: Mapping[str, Any] | None) -> str:
    """Return a measure with its parameters in words, e.g. 'Letters by kind and status: Signed, …'."""
    measure = CATALOGUE.get(key or "")
    if measure is None:
        return ""
    words = []
    for param in measure.params:
        values = given((params or {}).get(param.key))
        names = dict(param.choices())
        if values:
            words.append(f"{param.label}: " + ", ".join(names.get(v, v) for v in values))
    return f"{measure.title}" + (f" ({'; '.join(words)})" if words else "")
