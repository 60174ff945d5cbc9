"""The API's marshmallow schemas: what each resource shows; the OpenAPI document is built from them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from crm.api.paging import Id, Money, Text, UtcDateTime
from crm.api.resources import version_of
from crm.extensions import db
from crm.models import ALL_STAGES, INTERACTION_KINDS, KINDS, SIZES, TrainingModule
from crm.web import locale

F = ma.fields


class Stamped(ma.Schema):
    """Every record's id and times."""

    id = F.Integer(required=True)
    created_at = UtcDateTime(allow_none=True)
    updated_at = UtcDateTime(allow_none=True)


class Versioned(Stamped):
    """A record with optimistic locking: its version is the ETag of its GET."""

    version = F.Integer(attribute="version_id")


class ProfileSchema(ma.Schema):
    """The confidential emission profile (roles with profile.view; each read is recorded)."""

    electricity_mwh_year = Money(allow_none=True)
    natural_gas_m3_year = Money(allow_none=True)
    emits_upops = F.Boolean()
    reduction_potential_tco2e = Money(allow_none=True)


class OrganisationSchema(Versioned):
    """An organisation as the list and the page show it."""

    kind = F.String()
    legal_name = F.String()
    trade_name = F.String(allow_none=True)
    ruc = F.String(allow_none=True)
    sector_id = F.Integer(allow_none=True)
    size = F.String(allow_none=True)
    district_id = F.Integer(allow_none=True)
    website = F.String(allow_none=True)
    owner_id = F.Integer(allow_none=True)
    notes = F.String(allow_none=True, metadata={"description": "internal notes: not shown to liaisons"})
    emission_profile = F.Nested(ProfileSchema, allow_none=True, metadata={"description": "detail only"})


class OrganisationIn(ma.Schema):
    """The fields a script may set on an organisation (the same as the form)."""

    kind = F.String(validate=ma.validate.OneOf(KINDS))
    legal_name = Text(validate=ma.validate.Length(1, 200))
    trade_name = Text(allow_none=True, validate=ma.validate.Length(max=200))
    ruc = Text(allow_none=True, validate=ma.validate.Length(max=20))
    sector_id = Id(allow_none=True)
    size = F.String(allow_none=True, validate=ma.validate.OneOf(SIZES))
    district_id = Id(allow_none=True)
    website = Text(allow_none=True, validate=ma.validate.Length(max=200))
    owner_id = Id(allow_none=True)
    notes = Text(allow_none=True, validate=ma.validate.Length(max=20000))


class OrganisationCreate(OrganisationIn):
    """A new organisation: kind and legal name are required."""

    kind = F.String(required=True, validate=ma.validate.OneOf(KINDS))
    legal_name = Text(required=True, validate=ma.validate.Length(1, 200))


class ContactSchema(Versioned):
    """A person at an organisation."""

    organisation_id = F.Integer(allow_none=True)
    first_name = F.String()
    last_name = F.String()
    position = F.String(allow_none=True)
    email = F.String(allow_none=True)
    phone = F.String(allow_none=True)
    gender = F.String()
    email_consent = F.Boolean()
    consent_source = F.String(allow_none=True, metadata={"description": "how they agreed, or withdrawn"})
    consent_scope = F.String(allow_none=True)
    consent_at = UtcDateTime(allow_none=True, metadata={"description": "when consent was given or withdrawn"})
    qualified_consultant = F.Boolean(
        dump_only=True,
        metadata={"description": "read-only: has a qualified entry in the registry (/consultants)"},
    )


class SaveVersion(F.Integer):
    """The version of a record without a version column: the time of its last save, in microseconds."""

    def serialize(self, attr: str, obj: Any, accessor: Any = None, **kwargs: Any) -> int:
        """Return the record's version (it is read from the record, not from one attribute)."""
        return version_of(obj)


class MembershipSchema(Stamped):
    """A company's membership of an association."""

    version = SaveVersion(dump_only=True, metadata={"description": "its ETag: send it in If-Match"})

    company_id = F.Integer()
    association_id = F.Integer()
    status = F.String()
    since = F.Date(allow_none=True)
    confirmation = F.String()
    last_reviewed_at = UtcDateTime(allow_none=True)


class InteractionSchema(Versioned):
    """A call, meeting, visit or e-mail with an organisation."""

    organisation_id = F.Integer()
    kind = F.String()
    occurred_on = F.Date()
    staff_id = F.Integer()
    summary = F.String()
    outcome = F.String(allow_none=True)
    next_step = F.String(allow_none=True)
    contact_ids = F.Method("ids_of_contacts")

    def ids_of_contacts(self, obj) -> list[int]:
        """Return the ids of the contacts who took part."""
        return [contact.id for contact in obj.contacts]


class InteractionIn(ma.Schema):
    """A new interaction (staff_id defaults to the token's user)."""

    organisation_id = Id(required=True)
    kind = F.String(required=True, validate=ma.validate.OneOf(INTERACTION_KINDS))
    occurred_on = F.Date(required=True)
    staff_id = Id()
    summary = Text(required=True, validate=ma.validate.Length(1, 20000))
    outcome = Text(allow_none=True, validate=ma.validate.Length(max=20000))
    next_step = Text(allow_none=True, validate=ma.validate.Length(max=20000))
    contact_ids = F.List(Id(), load_default=list, validate=ma.validate.Length(max=100))


class FollowUpSchema(Stamped):
    """Something to do by a date, assigned to a staff member."""

    organisation_id = F.Integer()
    interaction_id = F.Integer(allow_none=True)
    assignee_id = F.Integer()
    due_on = F.Date()
    description = F.String()
    done_at = UtcDateTime(allow_none=True)


class TransitionSchema(ma.Schema):
    """One stage change of an engagement."""

    id = F.Integer()
    from_stage = F.String(allow_none=True)
    to_stage = F.String()
    occurred_on = F.Date()
    recorded_at = UtcDateTime(allow_none=True)
    by_id = F.Integer(allow_none=True)
    note = F.String(allow_none=True)
    barrier_id = F.Integer(allow_none=True)


class EngagementSchema(Versioned):
    """A company's participation in a programme: its stage and, on the detail, its transitions."""

    organisation_id = F.Integer()
    programme_id = F.Integer()
    programme = F.String(attribute="programme.code")
    stage = F.String(allow_none=True)
    stage_since = F.Date()
    feasibility_delivered_on = F.Date(allow_none=True)
    source_association_id = F.Integer(allow_none=True)
    transitions = F.List(F.Nested(TransitionSchema), metadata={"description": "detail only"})


class MoveIn(ma.Schema):
    """A stage move, checked by the pipeline's rules and gates."""

    to_stage = F.String(required=True, validate=ma.validate.OneOf(ALL_STAGES))
    occurred_on = F.Date(required=True)
    note = Text(allow_none=True, validate=ma.validate.Length(max=20000))
    barrier_id = Id(allow_none=True)
    feasibility_delivered_on = F.Date(allow_none=True)


class MaterialisationSchema(ma.Schema):
    """Co-finance actually disbursed or delivered against a letter."""

    id = F.Integer()
    occurred_on = F.Date()
    amount = Money()
    amount_usd = Money()
    note = F.String(allow_none=True)


class LetterSchema(Versioned):
    """A letter of interest, co-finance letter or letter of intent for cooperation."""

    kind = F.String()
    organisation_id = F.Integer()
    programme_id = F.Integer(allow_none=True)
    status = F.String()
    requested_on = F.Date(allow_none=True)
    received_on = F.Date(allow_none=True)
    signed_on = F.Date(allow_none=True)
    expires_on = F.Date(allow_none=True)
    amount = Money(allow_none=True)
    currency = F.String(allow_none=True)
    amount_usd = Money(allow_none=True)
    cofinance_type = F.String(allow_none=True)
    cofinancier_type = F.String(allow_none=True)
    component = F.Integer(allow_none=True)
    materialisations = F.List(F.Nested(MaterialisationSchema), metadata={"description": "detail only"})


class TrainingModuleRef(ma.Schema):
    """The training module an event delivered: its id, code and name in the request's language."""

    id = F.Integer(required=True)
    code = F.String()
    name = F.Method("name_in_language", metadata={"description": "in the token user's language"})

    def name_in_language(self, obj: TrainingModule) -> str:
        """Return the module's name in the language of the request."""
        return obj.name(locale())


class ModuleOf(F.Nested):
    """An event's training module, read by its id (a change of the id shows at once)."""

    def serialize(self, attr: str, obj: Any, accessor: Any = None, **kwargs: Any) -> Any:
        """Return the module the event points to, or None."""
        ident = getattr(obj, "training_module_id", None)
        module = db.session.get(TrainingModule, ident) if ident is not None else None
        return self._serialize(module, attr, obj, **kwargs)


class EventSchema(Versioned):
    """A workshop, training or awareness event; the detail lists who attended."""

    title = F.String()
    type = F.String()
    held_on = F.Date()
    place = F.String(allow_none=True)
    online = F.Boolean()
    programme_id = F.Integer(allow_none=True)
    gender_specific = F.Boolean()
    training_module_id = F.Integer(
        allow_none=True, metadata={"description": "the module of the training list it delivered"}
    )
    module = ModuleOf(
        TrainingModuleRef,
        allow_none=True,
        dump_only=True,
        metadata={"description": "read-only: the module training_module_id names (id, code, name)"},
    )
    training_module = F.String(
        allow_none=True, metadata={"description": "free text kept from before the list of modules"}
    )
    attendee_contact_ids = F.List(F.Integer(), metadata={"description": "detail only"})
