"""Forms of the pipeline: moving an engagement (with the letter of interest) and starting one."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from crm.clock import today
from crm.labels import label
from crm.models import ALL_STAGES, STAGES, Barrier, Contact, Organisation, Programme
from crm.pipeline.gates import LetterInput
from crm.pipeline.services import Move

NOTE_MAX = 10_000
START_STAGES = STAGES[:3]  # a new engagement starts at identified, contacted or meeting held


def int_or_none(value: Any) -> int | None:
    """Coerce a select's value to an id; blank or odd means none."""
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() and len(text) < 10 else None


def show_error(form: FlaskForm, message: str, field: str | None, fallback: str) -> None:
    """Put a service's refusal next to the field it names, or next to the fallback field."""
    target = form[field] if field and field in form else form[fallback]
    target.errors = [*target.errors, message]


def stage_options(stages: tuple[str, ...]) -> list[SelectChoice]:
    """Return the stages as select options with their translated labels."""
    return [SelectChoice(stage, label("stage", stage)) for stage in stages]


def date_field(text: Any, required: bool = True) -> DateField:
    """Return an ISO date field, required (defaulting to today) or optional."""
    if required:
        message = _l("Enter the date (YYYY-MM-DD).")
        return DateField(text, default=today, validators=[InputRequired(message=message)])
    return DateField(text, validators=[Optional()])


class MoveForm(FlaskForm):
    """Move an engagement; the letter fields record the signed letter of interest on the way."""

    to_stage = SelectField(_l("New stage"), validate_choice=False)
    occurred_on = date_field(_l("Date of the change"))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_MAX)])
    barrier_id = SelectField(_l("Reason (for exits)"), coerce=int_or_none, validate_choice=False)
    feasibility_delivered_on = date_field(_l("Feasibility study delivered on"), required=False)
    record_letter = BooleanField(_l("Record the signed letter of interest now"))
    letter_signed_on = date_field(_l("Letter signed on"), required=False)
    signatory_id = SelectField(_l("Signed by"), coerce=int_or_none, validate_choice=False)
    version = HiddenField()

    def set_choices(self, barriers: list[Barrier], contacts: list[Contact], locale: str) -> None:
        """Offer every stage, the active barriers and the company's contacts."""
        self.to_stage.choices = stage_options(ALL_STAGES)
        self.barrier_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(b.id, b.reason(locale)) for b in barriers
        ]
        self.signatory_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(c.id, c.full_name) for c in contacts
        ]

    def move(self) -> Move:
        """Return the requested move for the service."""
        return Move(
            to_stage=self.to_stage.data or "",
            occurred_on=self.occurred_on.data,
            note=self.note.data,
            barrier_id=self.barrier_id.data,
            feasibility_delivered_on=self.feasibility_delivered_on.data,
        )

    def letter(self) -> LetterInput | None:
        """Return the letter of interest to record, if the user asked for it."""
        if not self.record_letter.data:
            return None
        return LetterInput(signed_on=self.letter_signed_on.data, signatory_id=self.signatory_id.data)

    def loaded_version(self) -> int:
        """Return the version the user loaded; anything odd counts as 0, i.e. a conflict."""
        raw = (self.version.data or "").strip()
        return int(raw) if raw.isdigit() and len(raw) < 10 else 0

    def show_error(self, message: str, field: str | None) -> None:
        """Put a service's refusal next to its field, or on the stage when it names none."""
        show_error(self, message, field, "to_stage")


class EngageForm(FlaskForm):
    """Start a company's engagement in a programme."""

    programme_id = SelectField(_l("Programme"), coerce=int_or_none, validate_choice=False)
    to_stage = SelectField(_l("Starting stage"), choices=stage_options(START_STAGES), validate_choice=False)
    occurred_on = date_field(_l("Date"))
    source_association_id = SelectField(
        _l("Referred by association"), coerce=int_or_none, validate_choice=False
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_MAX)])

    def set_choices(self, programmes: list[Programme], associations: list[Organisation], locale: str) -> None:
        """Offer the programmes the company is not in yet and the associations it belongs to."""
        self.to_stage.choices = stage_options(START_STAGES)
        self.programme_id.choices = [SelectChoice(p.id, p.name(locale)) for p in programmes]
        self.source_association_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(a.id, a.legal_name) for a in associations
        ]

    def move(self) -> Move:
        """Return the first transition for the service."""
        return Move(to_stage=self.to_stage.data or "", occurred_on=self.occurred_on.data, note=self.note.data)


# --- reference lists (administrators) -------------------------------------------------------------------

CODE_RULE = Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Use letters, digits, '-' or '_' only."))


def strip(value: Any) -> Any:
    """Trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value


def text_field(text: Any, size: int, required: bool = True) -> StringField:
    """Return a trimmed text field of at most `size` characters."""
    first = DataRequired(message=_l("This field is required.")) if required else Optional()
    return StringField(text, filters=[strip], validators=[first, Length(max=size)])


class ProgrammeForm(FlaskForm):
    """A programme companies can engage in."""

    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[DataRequired(message=_l("Enter a code.")), Length(max=30), CODE_RULE],
    )
    name_es = text_field(_l("Name (Spanish)"), 200)
    name_en = text_field(_l("Name (English)"), 200)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=NOTE_MAX)])
    active = BooleanField(_l("Active (companies can be engaged in it)"), default=True)


class BarrierForm(FlaskForm):
    """A reason why companies leave the pipeline."""

    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[DataRequired(message=_l("Enter a code.")), Length(max=40), CODE_RULE],
    )
    reason_es = text_field(_l("Reason (Spanish)"), 200)
    reason_en = text_field(_l("Reason (English)"), 200)
    active = BooleanField(_l("Active (offered when a company leaves)"), default=True)


class CsrfForm(FlaskForm):
    """Only the CSRF token, for buttons that POST."""
