"""Forms for logging and editing interactions with an optional follow-up."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from crm.clock import today
from crm.interactions.follow_ups import NewFollowUp
from crm.interactions.services import FollowUpValues, InteractionValues
from crm.labels import choices, options
from crm.organisations.pick_field import OrganisationField

TEXT_MAX = 10_000


def optional_int(value: object) -> int | None:
    """Coerce a select value to int, with the blank choice meaning None."""
    if value in ("", None):
        return None
    return int(value)  # type: ignore[arg-type]


class InteractionForm(FlaskForm):
    """A call, e-mail, meeting or visit with an organisation."""

    kind = SelectField(_l("Kind"), choices=choices("interaction_kind"), default="meeting")
    occurred_on = DateField(
        _l("Date"), default=today, validators=[InputRequired(message=_l("Enter the date (YYYY-MM-DD)."))]
    )
    # Checked by the service, which names the problem instead of WTForms' generic message.
    contact_ids = SelectMultipleField(
        _l("Contacts involved"),
        coerce=int,
        choices=[],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    staff_id = SelectField(_l("Staff member"), coerce=int, choices=[], validate_choice=False)
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=TEXT_MAX)])
    outcome = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=TEXT_MAX)])
    next_step = TextAreaField(_l("Next step"), validators=[Optional(), Length(max=TEXT_MAX)])

    def set_choices(self, contacts: list[tuple[int, str]], staff: list[tuple[int, str]]) -> None:
        """Offer the organisation's contacts and the active staff."""
        self.contact_ids.choices = options(contacts)
        self.staff_id.choices = options(staff)

    def values(self) -> InteractionValues:
        """Return the submitted interaction for the service."""
        return InteractionValues(
            kind=self.kind.data,
            occurred_on=self.occurred_on.data,
            staff_id=self.staff_id.data,
            summary=self.summary.data or "",
            outcome=self.outcome.data,
            next_step=self.next_step.data,
            contact_ids=list(self.contact_ids.data or []),
        )


class LogInteractionForm(InteractionForm):
    """A new interaction, with an optional follow-up."""

    follow_up_due = DateField(_l("Follow-up due on"), validators=[Optional()])
    follow_up_assignee = SelectField(
        _l("Follow-up assigned to"), coerce=optional_int, choices=[], validate_choice=False
    )
    follow_up_description = StringField(_l("Follow-up task"), validators=[Optional(), Length(max=500)])

    def set_choices(self, contacts: list[tuple[int, str]], staff: list[tuple[int, str]]) -> None:
        """Offer contacts and staff, and staff (or nobody) for the follow-up."""
        super().set_choices(contacts, staff)
        self.follow_up_assignee.choices = options([("", _l("— No follow-up —")), *staff])

    def follow_up(self) -> FollowUpValues:
        """Return the submitted follow-up for the service."""
        return FollowUpValues(
            due_on=self.follow_up_due.data,
            assignee_id=self.follow_up_assignee.data,
            description=self.follow_up_description.data,
        )


def lenient_int(value: object) -> int | None:
    """Coerce a select value to int; blank or odd values mean None (the service then names the problem)."""
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None


class FollowUpForm(FlaskForm):
    """A follow-up created on its own: organisation, task, assignee and due date."""

    organisation_id = OrganisationField(_l("Organisation"))
    description = StringField(_l("Task"), validators=[Length(max=500)])
    assignee_id = SelectField(_l("Assigned to"), coerce=lenient_int, choices=[], validate_choice=False)
    due_on = DateField(_l("Due on"), validators=[Optional()])

    def set_choices(self, staff: list[tuple[int, str]]) -> None:
        """Offer the active staff."""
        self.assignee_id.choices = options([("", _l("— Choose —")), *staff])

    def values(self) -> NewFollowUp:
        """Return the submitted follow-up for the service."""
        return NewFollowUp(
            organisation_id=self.organisation_id.chosen_id(),
            description=self.description.data,
            assignee_id=self.assignee_id.data,
            due_on=self.due_on.data,
        )


class ReassignForm(FlaskForm):
    """Give a follow-up to someone else."""

    assignee_id = SelectField(_l("Assign to"), coerce=lenient_int, choices=[], validate_choice=False)

    def set_choices(self, staff: list[tuple[int, str]]) -> None:
        """Offer the active staff."""
        self.assignee_id.choices = options([("", _l("— Choose —")), *staff])


class SnoozeForm(FlaskForm):
    """Move a follow-up's due date: by a day, a week, or to a chosen date."""

    by = StringField(validators=[Optional(), Length(max=10)])
    due_on = DateField(_l("New due date"), validators=[Optional()])
