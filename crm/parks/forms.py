"""Forms of the parks feature: a tenant added on the park's page, a park chosen on a company's page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField
from wtforms.validators import DataRequired, Optional

from crm.pipeline.forms import int_or_none


class TenantForm(FlaskForm):
    """A tenancy's dates."""

    since = DateField(_l("Since"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])


class AddTenantForm(TenantForm):
    """A company (one of the matches of a search on the park's page) moving into the park."""

    company_id = HiddenField()  # the chosen match's radio button (templates/_org_picker.html)
    tenant_q = HiddenField()  # the search that offered it, shown again after a refusal


class JoinParkForm(TenantForm):
    """The park a company is located in, chosen on the company's page."""

    park_id = SelectField(
        _l("Industrial park"),
        coerce=int_or_none,
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose an industrial park."))],
    )
