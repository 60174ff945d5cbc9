"""The form of a training module."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from crm.labels import choices
from crm.pipeline.forms import CODE_RULE, strip, text_field


class ModuleForm(FlaskForm):
    """A module of the training programme."""

    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[DataRequired(message=_l("Enter a code.")), Length(max=40), CODE_RULE],
    )
    name_es = text_field(_l("Name (Spanish)"), 200)
    name_en = text_field(_l("Name (English)"), 200)
    theme = SelectField(_l("Theme"), choices=choices("training_theme"), validate_choice=False)
    active = BooleanField(_l("Active (offered on the event form)"), default=True)
