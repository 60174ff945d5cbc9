"""Forms of the agreements feature: the agreement and a party."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from crm.agreements.services import AgreementValues
from crm.labels import choices


class AgreementForm(FlaskForm):
    """An agreement: its kind, title, dates, commitments and scanned document."""

    kind = SelectField(_l("Kind"), choices=choices("agreement_kind"), default="apl", validate_choice=False)
    title = StringField(_l("Title"), validators=[Length(max=200)])
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    commitments = TextAreaField(_l("Commitments"), validators=[Optional(), Length(max=20_000)])
    scan = FileField(_l("Signed document (PDF, PNG or JPEG)"))

    def values(self) -> AgreementValues:
        """Return the submitted agreement for the service."""
        return AgreementValues(
            kind=self.kind.data,
            title=self.title.data or "",
            signed_on=self.signed_on.data,
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            commitments=self.commitments.data,
            document=self.scan.data,
        )


class PartyForm(FlaskForm):
    """An organisation (one of the matches of a search on the page) joining the agreement in a role."""

    organisation_id = HiddenField()  # the chosen match's radio button (templates/_org_picker.html)
    party_q = HiddenField()  # the search that offered it, shown again after a refusal
    role = SelectField(_l("Role"), choices=choices("party_role"), default="signatory", validate_choice=False)
