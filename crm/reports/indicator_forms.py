"""Forms of the indicator administration: an indicator (with its measure's parameters), a period's value
or target.

Numbers and parameters are checked by the services (crm.reports.indicator_admin, crm.reports.catalogue),
so that a value a script posts is refused with the same message as one typed in the form.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from crm.labels import choices, options
from crm.reports import catalogue
from crm.reports.indicator_admin import EntryValues, IndicatorValues


def upper(value: Any) -> Any:
    """Trim text input and write it in capitals (periods: 2026-s1 → 2026-S1)."""
    return value.strip().upper() if isinstance(value, str) else value


def trim(value: Any) -> Any:
    """Trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value


class IndicatorForm(FlaskForm):
    """An indicator: code, names, unit, position, end-of-project target and how it is counted."""

    code = StringField(
        _l("Code"), filters=[trim], validators=[InputRequired(_l("Write the code.")), Length(max=20)]
    )
    name_es = StringField(
        _l("Name (Spanish)"),
        filters=[trim],
        validators=[InputRequired(_l("Write the name.")), Length(max=250)],
    )
    name_en = StringField(
        _l("Name (English)"),
        filters=[trim],
        validators=[InputRequired(_l("Write the name.")), Length(max=250)],
    )
    unit = SelectField(_l("Unit"), choices=[], validate_choice=False)
    position = IntegerField(
        _l("Position in the table"),
        validators=[Optional(), NumberRange(0, 9999, _l("Enter a whole number between 0 and 9999."))],
    )
    target = StringField(_l("End-of-project target"), filters=[trim], validators=[Length(max=30)])
    aggregation = SelectField(_l("Value as of a date"), choices=[], validate_choice=False, default="latest")

    def set_choices(self, measure: catalogue.Measure | None) -> None:
        """Offer the units, the aggregations and the choices of the measure's parameters."""
        self.unit.choices = choices("indicator_unit")
        self.aggregation.choices = choices("aggregation")
        for param in measure.params if measure else ():
            blank = [] if param.required or param.multiple else [("", _l("Any"))]
            getattr(self, param.key).choices = options(blank + param.choices())

    def param_fields(self, measure: catalogue.Measure | None) -> list[Any]:
        """Return the fields of the measure's parameters, in the catalogue's order."""
        return [getattr(self, param.key) for param in measure.params] if measure else []

    def values(self, kind: str, measure: catalogue.Measure | None) -> IndicatorValues:
        """Return what was submitted, for the service."""
        params = {p.key: getattr(self, p.key).data for p in measure.params} if measure else {}
        return IndicatorValues(
            code=self.code.data or "",
            name_es=self.name_es.data or "",
            name_en=self.name_en.data or "",
            unit=self.unit.data or "",
            position=self.position.data,
            target=self.target.data or None,
            kind=kind,
            measure=measure.key if measure else None,
            params=params,
            aggregation=self.aggregation.data,
        )


def param_field(param: catalogue.Param) -> Any:
    """Return the form field of a catalogue parameter (its value is checked by the catalogue)."""
    if param.multiple:
        return SelectMultipleField(param.label, choices=[], validate_choice=False)
    return SelectField(param.label, choices=[], validate_choice=False, default=param.default)


for _param in {p.key: p for m in catalogue.CATALOGUE.values() for p in m.params}.values():
    setattr(IndicatorForm, _param.key, param_field(_param))


class EntryForm(FlaskForm):
    """A manual indicator's value for a period, with a note and optional evidence."""

    period = StringField(_l("Reporting period"), filters=[upper], validators=[Length(max=10)])
    value = StringField(_l("Value"), filters=[trim], validators=[Length(max=30)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)])
    evidence = FileField(_l("Evidence (PDF, PNG or JPEG)"))

    def values(self) -> EntryValues:
        """Return what was submitted, for the service."""
        return EntryValues(self.period.data or "", self.value.data, self.note.data, self.evidence.data)


class PeriodTargetForm(FlaskForm):
    """A target for one reporting period."""

    period = StringField(_l("Reporting period"), filters=[upper], validators=[Length(max=10)])
    target = StringField(_l("Target of the period"), filters=[trim], validators=[Length(max=30)])
