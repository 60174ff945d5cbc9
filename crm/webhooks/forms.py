"""The subscription form and the events' names."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

EVENT_LABELS = {
    "organisation.created": _l("Organisation created"),
    "organisation.updated": _l("Organisation updated"),
    "stage.moved": _l("Stage moved"),
    "letter.signed": _l("Letter signed"),
    "cofinance.materialised": _l("Co-finance materialised"),
    "interaction.logged": _l("Interaction logged"),
    "import.finished": _l("Import finished"),
}


class SubscriptionForm(FlaskForm):
    """A new subscription: the receiving URL, the events and (for administrators) whose it is."""

    url = StringField(_l("Receiving URL"), validators=[DataRequired(), Length(max=500)])
    events = SelectMultipleField(
        _l("Events"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    owner_id = SelectField(_l("Owner (whose permissions filter the events)"), coerce=int, default=0)


class ConfirmForm(FlaskForm):
    """An empty form: a button with the CSRF token."""
