"""Forms of the results feature: a result, a baseline, a factor version and a measure."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from crm.labels import choices, options
from crm.models.results import CARRIERS, ENERGY_CARRIERS
from crm.results.queries import TEQ_UNITS
from crm.results.services import ResultValues

CARRIER_FIELDS = {
    "electricity": _l("Electricity (MWh/yr)"),
    "natural_gas": _l("Natural gas (GJ/yr)"),
    "diesel": _l("Diesel (GJ/yr)"),
    "lpg": _l("LPG (GJ/yr)"),
    "other_fuel": _l("Other fuels (GJ/yr)"),
    "process": _l("Process emissions (tCO2eq/yr)"),
    "upops": _l("u-POPs (TEQ/yr, in the unit chosen)"),
}
TEQ_CHOICES = options([("µg", "µg TEQ"), ("mg", "mg TEQ"), ("g", "g TEQ"), ("ng", "ng TEQ")])
MAX_AMOUNT = Decimal("99999999999999")


def amount_field(label: Any) -> DecimalField:
    """Return an optional, non-negative quantity field."""
    message = _l("Enter a number of zero or more.")
    return DecimalField(label, places=None, validators=[Optional(), NumberRange(0, MAX_AMOUNT, message)])


def to_int(value: object) -> int | None:
    """Coerce a select value to int (blank or odd values: None)."""
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None


def stored_amounts(form: FlaskForm, prefix: str) -> dict[str, Decimal]:
    """Return the amounts entered under a prefix, u-POPs converted to the stored µg TEQ."""
    amounts = {}
    for carrier in CARRIERS:
        value = getattr(form, f"{prefix}{carrier}").data
        if value is not None:
            amounts[carrier] = value * TEQ_UNITS[form.teq_unit.data] if carrier == "upops" else value
    return amounts


class ResultForm(FlaskForm):
    """A measure adopted by a company, with its expected and achieved reductions."""

    programme_id = SelectField(_l("Programme"), coerce=to_int, choices=[], validate_choice=False)
    measure_id = SelectField(_l("Measure"), coerce=to_int, choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=choices("result_status"), default="estimated")
    occurred_on = DateField(
        _l("Date"), validators=[InputRequired(message=_l("Enter the date (YYYY-MM-DD)."))]
    )
    evidence = FileField(_l("Evidence (report, invoices, verification: PDF, PNG or JPEG)"))
    teq_unit = SelectField(_l("u-POPs unit"), choices=TEQ_CHOICES, default="µg")
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=10_000)])

    def set_choices(self, programmes: list, measures: list, locale: str) -> None:
        """Offer the programmes and the measures."""
        self.programme_id.choices = options([(p.id, p.name(locale)) for p in programmes])
        self.measure_id.choices = options([(m.id, m.name(locale)) for m in measures])

    def values(self) -> ResultValues:
        """Return the submitted result for the service."""
        return ResultValues(
            programme_id=self.programme_id.data or 0,
            measure_id=self.measure_id.data or 0,
            status=self.status.data,
            occurred_on=self.occurred_on.data,
            notes=self.notes.data or None,
            expected=stored_amounts(self, "expected_"),
            achieved=stored_amounts(self, "achieved_"),
            evidence=self.evidence.data,
        )

    def fill(self, result: Any) -> None:
        """Show a stored result's amounts (u-POPs in µg TEQ)."""
        for line in result.lines:
            getattr(self, f"{line.basis}_{line.carrier}").data = line.amount


class BaselineForm(FlaskForm):
    """A company's consumption and emissions in the baseline year of a programme."""

    programme_id = SelectField(_l("Programme"), coerce=to_int, choices=[], validate_choice=False)
    year = IntegerField(_l("Baseline year"), validators=[InputRequired(), NumberRange(1990, 2100)])
    teq_unit = SelectField(_l("u-POPs unit"), choices=TEQ_CHOICES, default="µg")
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=10_000)])

    def amounts(self) -> dict[str, Decimal]:
        """Return the baseline quantities in stored units."""
        return stored_amounts(self, "baseline_")

    def fill(self, baseline: Any) -> None:
        """Show a stored baseline (u-POPs in µg TEQ)."""
        self.programme_id.data, self.year.data, self.notes.data = (
            baseline.programme_id,
            baseline.year,
            baseline.notes,
        )
        for carrier in CARRIERS:
            getattr(self, f"baseline_{carrier}").data = getattr(baseline, carrier)


for _carrier, _label in CARRIER_FIELDS.items():
    setattr(ResultForm, f"expected_{_carrier}", amount_field(_label))
    setattr(ResultForm, f"achieved_{_carrier}", amount_field(_label))
    setattr(BaselineForm, f"baseline_{_carrier}", amount_field(_label))  # "process" would hide Form.process


class FactorForm(FlaskForm):
    """A new version of an energy carrier's emission factor."""

    carrier = SelectField(_l("Energy"), choices=[], validate_choice=False)
    value = DecimalField(
        _l("Factor (tCO2eq per unit)"),
        places=None,
        validators=[
            InputRequired(_l("Enter the factor.")),
            NumberRange(Decimal("0.00000001"), Decimal(1000)),
        ],
    )
    source = TextAreaField(_l("Source"), validators=[InputRequired(_l("Name the source.")), Length(max=2000)])
    year = IntegerField(_l("Year of the figure"), validators=[InputRequired(), NumberRange(1990, 2100)])

    def set_choices(self) -> None:
        """Offer the energy carriers."""
        self.carrier.choices = [c for c in choices("carrier") if c.value in ENERGY_CARRIERS]


class MeasureForm(FlaskForm):
    """A measure of the reference list."""

    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=30)])
    name_es = StringField(_l("Name (Spanish)"), validators=[InputRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[InputRequired(), Length(max=200)])
    active = BooleanField(_l("Active"), default=True)
