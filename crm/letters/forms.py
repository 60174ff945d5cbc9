"""Forms for letters, their scanned document and materialisation entries."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import DateField, Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import TextInput

from crm.clock import today
from crm.labels import choices
from crm.letters.rules import soles_per_dollar
from crm.letters.services import LetterValues
from crm.models import COMPONENTS, Contact, Letter, Programme

TEXT_MAX = 10_000
_PLAIN = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_GROUPED = re.compile(r"^-?\d{1,3}([.,])\d{3}(?:\1\d{3})*(?:(?!\1)[.,]\d+)?$")
_AMBIGUOUS = re.compile(r"^-?\d+[.,]\d{3}$")


def choice_id(value: Any) -> int | None:
    """Coerce a select's value to an id: blank means none, anything odd becomes -1 (refused later)."""
    if value in (None, "", "None"):
        return None
    text = str(value)
    return int(text) if text.isdigit() and len(text) < 10 else -1


def parse_number(text: str, grouping: bool) -> Decimal:
    """Read 1500000.50, 1500000,50, 1,500,000.50 or 1.500.000,50; refuse 1,500 (thousands or decimals?)."""
    raw = text.strip().replace(" ", "").replace("\u00a0", "")
    grouped = _GROUPED.match(raw) if grouping else None
    if grouping and _AMBIGUOUS.match(raw):
        raise ValueError("ambiguous")
    if grouped:
        raw = raw.replace(grouped.group(1), "").replace(",", ".")
    elif _PLAIN.match(raw):
        raw = raw.replace(",", ".")
    else:
        raise ValueError("not a number")
    return Decimal(raw)


class NumberField(Field):
    """A decimal typed as text, with a point or a comma as decimal separator."""

    widget = TextInput()

    def __init__(
        self, label: Any = None, validators: Any = None, grouping: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.grouping = grouping

    def _value(self) -> str:
        """Show the raw input after an error, else the stored value."""
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format(self.data.normalize(), "f")

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the input; blank means no value."""
        text = str(valuelist[0]) if valuelist else ""
        if not text.strip():
            self.data = None
            return
        try:
            self.data = parse_number(text, self.grouping)
        except ValueError as exc:
            self.data = None
            if str(exc) == "ambiguous":
                raise ValueError(
                    _l("Write the amount without thousands separators, e.g. 1500000.50.")
                ) from None
            raise ValueError(_l("Enter a number, e.g. 1500000.50.")) from None
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Enter a number, e.g. 1500000.50.")) from None


def component_choices() -> list[SelectChoice]:
    """Return the project components 1–5 with a blank first."""
    return [SelectChoice("", "—")] + [SelectChoice(c, str(c)) for c in COMPONENTS]


class LetterForm(FlaskForm):
    """A letter; choices are checked by the service so that it can name the problem."""

    kind = SelectField(_l("Kind"), choices=choices("letter_kind"), validate_choice=False)
    status = SelectField(_l("Status"), choices=choices("letter_status"), validate_choice=False)
    programme_id = SelectField(_l("Programme"), coerce=choice_id, choices=[], validate_choice=False)
    requested_on = DateField(_l("Requested on"), validators=[Optional()])
    received_on = DateField(_l("Received on"), validators=[Optional()])
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    expires_on = DateField(_l("Expires on"), validators=[Optional()])
    signatory_id = SelectField(_l("Signatory"), coerce=choice_id, choices=[], validate_choice=False)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=TEXT_MAX)])
    document = FileField(_l("Scanned letter (PDF, PNG or JPEG)"))
    amount = NumberField(_l("Committed amount"))
    currency = SelectField(_l("Currency"), choices=choices("currency", blank="—"), validate_choice=False)
    exchange_rate = NumberField(_l("Exchange rate on the commitment date (soles per dollar)"), grouping=False)
    cofinance_type = SelectField(
        _l("Type of co-finance"), choices=choices("cofinance_type", blank="—"), validate_choice=False
    )
    cofinancier_type = SelectField(
        _l("Type of co-financier"), choices=choices("cofinancier_type", blank="—"), validate_choice=False
    )
    component = SelectField(_l("Project component"), coerce=choice_id, validate_choice=False)
    version = HiddenField()

    def set_choices(self, programmes: list[Programme], contacts: list[Contact], locale: str) -> None:
        """Offer the programmes and the organisation's contacts."""
        self.programme_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(p.id, p.name(locale)) for p in programmes
        ]
        self.signatory_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(c.id, f"{c.full_name} · {c.position}" if c.position else c.full_name)
            for c in contacts
        ]
        self.component.choices = component_choices()

    def values(self) -> LetterValues:
        """Return the submitted letter for the service."""
        return LetterValues(
            kind=self.kind.data,
            status=self.status.data,
            programme_id=self.programme_id.data,
            requested_on=self.requested_on.data,
            received_on=self.received_on.data,
            signed_on=self.signed_on.data,
            expires_on=self.expires_on.data,
            signatory_id=self.signatory_id.data,
            notes=self.notes.data,
            amount=self.amount.data,
            currency=self.currency.data or None,
            exchange_rate=self.exchange_rate.data,
            cofinance_type=self.cofinance_type.data or None,
            cofinancier_type=self.cofinancier_type.data or None,
            component=self.component.data,
        )

    def show_problem(self, field: str | None, message: str) -> None:
        """Put the service's message next to its field (or the kind when it concerns the letter)."""
        target = self[field] if field and field in self else self.kind
        target.errors = [*target.errors, message]

    def upload(self) -> FileStorage | None:
        """Return the uploaded file, if any (on edit the field otherwise holds the letter's Document)."""
        data = self.document.data
        return data if isinstance(data, FileStorage) else None

    def loaded_version(self) -> int:
        """Return the version the user loaded; anything odd counts as 0, i.e. a conflict."""
        raw = str(self.version.data or "").strip()  # an int when prefilled from the letter
        return int(raw) if raw.isdigit() and len(raw) < 10 else 0


def edit_data(letter: Letter) -> dict[str, Any]:
    """Return what the edit form shows beyond the letter's own columns."""
    return {"version": letter.version_id}


def show_local_rate(form: LetterForm, letter: Letter) -> None:
    """Show a letter in soles with its rate as Peru quotes it (soles per dollar), not as stored."""
    if letter.currency == "PEN" and not form.is_submitted():
        form.exchange_rate.data = soles_per_dollar(letter.exchange_rate)


class MaterialisationForm(FlaskForm):
    """An amount of a co-finance commitment actually disbursed or delivered."""

    occurred_on = DateField(
        _l("Date"), default=today, validators=[InputRequired(message=_l("Enter the date (YYYY-MM-DD)."))]
    )
    amount = NumberField(_l("Amount (in the letter's currency)"))
    note = StringField(_l("Evidence"), validators=[Optional(), Length(max=2000)])


class CsrfForm(FlaskForm):
    """Only the CSRF token, for buttons that POST."""
