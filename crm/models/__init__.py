"""All models, imported so that Alembic and the ORM see every table."""

from crm.models.agreement import AGREEMENT_KINDS, PARTY_ROLES, Agreement, AgreementParty
from crm.models.api import ApiToken
from crm.models.base import Base, Timestamped, utcnow
from crm.models.cofinance_lines import CofinanceLine
from crm.models.consultant import (
    CONSULTANT_STATUSES,
    SPECIALISMS,
    Consultant,
    ConsultantAssignment,
)
from crm.models.contact import GENDERS, Contact
from crm.models.event import EVENT_TYPES, REGISTRATION_SOURCES, Attendance, Event, Invitation, Registration
from crm.models.history import AccessLog, ChangeLog
from crm.models.imports import IMPORT_KINDS, IMPORT_STATUSES, ColumnMapping, ImportBatch
from crm.models.interaction import INTERACTION_KINDS, FollowUp, Interaction, interaction_contacts
from crm.models.letter import (
    COFINANCE_TYPES,
    COFINANCIER_TYPES,
    COMPONENTS,
    CURRENCIES,
    LETTER_KINDS,
    LETTER_STATUSES,
    Document,
    Letter,
    Materialisation,
)
from crm.models.mailcapture import EmailMessage, Mailbox, MailboxMessage, PersonalToken
from crm.models.membership import MEMBERSHIP_STATUSES, Membership
from crm.models.organisation import KINDS, SIZES, EmissionProfile, Organisation
from crm.models.outbox import (
    MAIL_KINDS,
    OUTBOX_STATUSES,
    JobOutbox,
    MailOptOut,
    MetricSnapshot,
    OutboxMessage,
)
from crm.models.park import ParkTenant
from crm.models.pipeline import (
    ALL_STAGES,
    EXITS,
    STAGES,
    Barrier,
    Engagement,
    Programme,
    StageTransition,
)
from crm.models.privacy import Erasure
from crm.models.reference import District, Sector
from crm.models.report import (
    AGGREGATIONS,
    INDICATOR_KINDS,
    FrozenPeriod,
    Indicator,
    IndicatorEntry,
    IndicatorTarget,
)
from crm.models.report_rows import CompanyDay, CompanyReach, MemberDay, StageExit, StageStay
from crm.models.results import (
    RESULT_STATUSES,
    Baseline,
    EmissionFactor,
    Measure,
    MeasureResult,
    ResultLine,
)
from crm.models.saved_view import SavedView, SavedViewDefault
from crm.models.signin import RecoveryCode, UserSession
from crm.models.tallies import CompanyLink, ExitTally, ReachTally, StayTally
from crm.models.training import TRAINING_THEMES, TrainingModule
from crm.models.user import LOCALES, ROLES, User, liaison_associations
from crm.models.webhooks import DELIVERY_STATUSES, WEBHOOK_EVENTS, WebhookDelivery, WebhookSubscription

__all__ = [
    "CofinanceLine",
    "CompanyDay",
    "CompanyReach",
    "MemberDay",
    "StageExit",
    "StageStay",
    "CompanyLink",
    "StayTally",
    "ExitTally",
    "ReachTally",
    "AGREEMENT_KINDS",
    "PARTY_ROLES",
    "TRAINING_THEMES",
    "Agreement",
    "AgreementParty",
    "ParkTenant",
    "TrainingModule",
    "CONSULTANT_STATUSES",
    "SPECIALISMS",
    "Consultant",
    "ConsultantAssignment",
    "DELIVERY_STATUSES",
    "WEBHOOK_EVENTS",
    "WebhookDelivery",
    "WebhookSubscription",
    "Erasure",
    "RESULT_STATUSES",
    "Baseline",
    "EmissionFactor",
    "Measure",
    "MeasureResult",
    "ResultLine",
    "RecoveryCode",
    "UserSession",
    "ApiToken",
    "IMPORT_KINDS",
    "IMPORT_STATUSES",
    "ColumnMapping",
    "FrozenPeriod",
    "ImportBatch",
    "Indicator",
    "IndicatorEntry",
    "IndicatorTarget",
    "AGGREGATIONS",
    "INDICATOR_KINDS",
    "MAIL_KINDS",
    "OUTBOX_STATUSES",
    "MailOptOut",
    "JobOutbox",
    "MetricSnapshot",
    "OutboxMessage",
    "ALL_STAGES",
    "COFINANCE_TYPES",
    "COFINANCIER_TYPES",
    "COMPONENTS",
    "CURRENCIES",
    "EVENT_TYPES",
    "EXITS",
    "LETTER_KINDS",
    "LETTER_STATUSES",
    "STAGES",
    "Attendance",
    "Invitation",
    "SavedView",
    "SavedViewDefault",
    "Registration",
    "REGISTRATION_SOURCES",
    "Barrier",
    "Document",
    "Engagement",
    "Event",
    "Letter",
    "Materialisation",
    "Programme",
    "StageTransition",
    "GENDERS",
    "INTERACTION_KINDS",
    "KINDS",
    "LOCALES",
    "MEMBERSHIP_STATUSES",
    "ROLES",
    "SIZES",
    "AccessLog",
    "Base",
    "ChangeLog",
    "Contact",
    "District",
    "EmissionProfile",
    "FollowUp",
    "Interaction",
    "Membership",
    "EmailMessage",
    "Mailbox",
    "MailboxMessage",
    "PersonalToken",
    "Organisation",
    "Sector",
    "Timestamped",
    "User",
    "interaction_contacts",
    "liaison_associations",
    "utcnow",
]
