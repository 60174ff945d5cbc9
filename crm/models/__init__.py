"""All models, imported so that Alembic and the ORM see every table."""

from crm.models.base import Base, Timestamped, utcnow
from crm.models.contact import GENDERS, Contact
from crm.models.history import AccessLog, ChangeLog
from crm.models.interaction import INTERACTION_KINDS, FollowUp, Interaction, interaction_contacts
from crm.models.membership import MEMBERSHIP_STATUSES, Membership
from crm.models.organisation import KINDS, SIZES, EmissionProfile, Organisation
from crm.models.reference import District, Sector
from crm.models.user import LOCALES, ROLES, User, liaison_associations

__all__ = [
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
    "Organisation",
    "Sector",
    "Timestamped",
    "User",
    "interaction_contacts",
    "liaison_associations",
    "utcnow",
]
