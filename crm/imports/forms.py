"""Forms of the import steps and the undo."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField
from wtforms.validators import InputRequired

from crm.imports.mapping import FIELDS, reads_numbers
from crm.labels import LABELS, options

# crm/imports/views.py reads the kinds' labels under this name


class UploadForm(FlaskForm):
    """Choose what the file holds and upload it."""

    kind = SelectField(
        _l("The file contains"),
        choices=options(list(LABELS["import_kind"].items())),
        validators=[InputRequired()],
    )
    # Choices set by the view (crm.imports.attendance.event_choices); checked by the service.
    event = SelectField(_l("Event (for an attendance sheet)"), choices=[], validate_choice=False)
    upload = FileField(_l("CSV or XLSX file"), validators=[FileRequired(_l("Choose a file."))])

    def set_events(self, choices: list[tuple[str, str]]) -> None:
        """Offer the events a sign-in sheet can belong to."""
        self.event.choices = options([("", _("— not an attendance sheet —")), *choices])


class CsrfForm(FlaskForm):
    """A form with only the CSRF token (decisions, undo)."""


class CommitForm(FlaskForm):
    """Start the import; rows with errors are left out only when the user says so."""

    skip_errors = BooleanField(_l("Import the other rows and leave out the rows with errors"))


def number_choices() -> list[tuple[str, str]]:
    """Return the number conventions a file can use, detection first (the default)."""
    return [
        ("auto", _("Detect automatically")),
        ("point", _("1,234.56 (point for decimals)")),
        ("comma", _("1.234,56 (comma for decimals)")),
    ]


def mapping_form(kind: str, headers: list[str], mapping: dict[str, int], numbers: str = "auto") -> FlaskForm:
    """Build a form with one select per column of the file (and the number convention), preset."""
    by_column = {column: key for key, column in mapping.items()}
    choices = options([("", _("— leave this column out —"))] + [(f.key, str(f.label)) for f in FIELDS[kind]])

    class MappingForm(FlaskForm):
        """One select per column: which field it fills."""

    if reads_numbers(kind):
        MappingForm.numbers = RadioField(_l("Numbers in the file"), choices=number_choices(), default=numbers)

    for column, header in enumerate(headers):
        label = header or _("Column %(n)s", n=column + 1)
        setattr(
            MappingForm,
            f"col_{column}",
            SelectField(label, choices=choices, default=by_column.get(column, "")),
        )
    return MappingForm()


def chosen_mapping(form: FlaskForm, columns: int) -> tuple[dict[str, int], list[str]]:
    """Return {field: column} from a mapping form, and the fields chosen for two columns."""
    mapping: dict[str, int] = {}
    repeated: list[str] = []
    for column in range(columns):
        key = getattr(form, f"col_{column}").data
        if key and key in mapping:
            repeated.append(key)
        elif key:
            mapping[key] = column
    return mapping, repeated
