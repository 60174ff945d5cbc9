"""Translated labels of every enumerated value, in one place."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from crm.models.imports import ImportKind

LABELS = {
    "result_status": {
        "estimated": _l("Estimated"),
        "reported": _l("Reported by the company"),
        "verified": _l("Verified"),
    },
    "carrier": {
        "electricity": _l("Electricity"),
        "natural_gas": _l("Natural gas"),
        "diesel": _l("Diesel"),
        "lpg": _l("LPG"),
        "other_fuel": _l("Other fuels"),
        "process": _l("Process emissions"),
        "upops": _l("u-POPs"),
    },
    "result_basis": {"expected": _l("Expected"), "achieved": _l("Achieved")},
    "import_status": {
        "previewed": _l("Preview"),
        "queued": _l("Waiting to start"),
        "running": _l("Importing"),
        "done": _l("Done"),
        "failed": _l("Failed, nothing written"),
        "undone": _l("Undone"),
    },
    "role": {
        "admin": _l("Administrator"),
        "manager": _l("Manager"),
        "staff": _l("Outreach staff"),
        "liaison": _l("Association liaison"),
        "viewer": _l("Viewer"),
    },
    "kind": {
        "company": _l("Company"),
        "association": _l("Business association"),
        "government": _l("Government"),
        "bank": _l("Bank"),
        "technology_provider": _l("Technology provider"),
        "consultancy": _l("Consultancy"),
        "ngo": _l("NGO"),
        "academia": _l("Academia"),
        "donor": _l("Donor"),
        "implementing_agency": _l("Implementing agency"),
    },
    "size": {
        "micro": _l("Micro"),
        "small": _l("Small"),
        "medium": _l("Medium"),
        "large": _l("Large"),
    },
    "gender": {
        "female": _l("Female"),
        "male": _l("Male"),
        "other": _l("Other"),
        "not_recorded": _l("Not recorded"),
    },
    "membership_status": {
        "prospective": _l("Prospective"),
        "active": _l("Active"),
        "lapsed": _l("Lapsed"),
        "left": _l("Left"),
    },
    "membership_confirmation": {
        "pending": _l("Pending confirmation"),
        "confirmed": _l("Confirmed"),
        "rejected": _l("Rejected"),
    },
    "interaction_kind": {
        "call": _l("Call"),
        "email": _l("E-mail"),
        "meeting": _l("Meeting"),
        "virtual_meeting": _l("Virtual meeting"),
        "site_visit": _l("Site visit"),
        "other": _l("Other"),
    },
    "stage": {
        "identified": _l("Identified"),
        "contacted": _l("Contacted"),
        "meeting_held": _l("Meeting held"),
        "loi_signed": _l("Letter of interest signed"),
        "assessed": _l("Assessed"),
        "technical_assistance": _l("Technical assistance"),
        "feasibility_delivered": _l("Feasibility study delivered"),
        "adopting": _l("Adopting"),
        "declined": _l("Declined"),
        "on_hold": _l("On hold"),
        "withdrawn": _l("Withdrawn"),
    },
    "letter_kind": {
        "interest": _l("Letter of interest"),
        "cofinance": _l("Co-finance letter"),
        "cooperation": _l("Letter of intent for cooperation"),
    },
    "letter_status": {
        "requested": _l("Requested"),
        "received": _l("Received"),
        "signed": _l("Signed"),
        "expired": _l("Expired"),
        "withdrawn": _l("Withdrawn"),
    },
    "currency": {"USD": _l("US dollars (USD)"), "PEN": _l("Peruvian soles (PEN)")},
    "cofinance_type": {
        "equity": _l("Equity / cash"),
        "in_kind": _l("In kind"),
        "grant": _l("Grant"),
        "loan": _l("Loan"),
    },
    "cofinancier_type": {
        "private": _l("Private"),
        "government": _l("Government"),
        "donor": _l("Donor"),
        "industrial_association": _l("Industrial association"),
        "implementing_agency": _l("Implementing agency"),
    },
    "event_type": {
        "awareness": _l("Awareness event"),
        "training": _l("Training"),
        "workshop": _l("Workshop"),
        "steering_committee": _l("Steering committee"),
        "other": _l("Other"),
    },
    "locale": {"es": _l("Spanish"), "en": _l("English")},
    "action": {
        "create": _l("Creation"),
        "update": _l("Modification"),
        "delete": _l("Deletion"),
        "merge": _l("Merge"),
    },
    # entity_type values of change_log rows (the model class name, lower-cased)
    "entity": {
        "organisation": _l("Organisation"),
        "emissionprofile": _l("Emission profile"),
        "membership": _l("Membership"),
        "contact": _l("Contact"),
        "interaction": _l("Interaction"),
        "followup": _l("Follow-up"),
        "engagement": _l("Engagement"),
        "letter": _l("Letter"),
        "materialisation": _l("Materialisation"),
        "event": _l("Event"),
        "programme": _l("Programme"),
        "barrier": _l("Barrier"),
    },
    # columns named in the change log and the merge comparison
    "field": {
        "kind": _l("Kind"),
        "legal_name": _l("Legal name"),
        "trade_name": _l("Trade name"),
        "ruc": _l("RUC"),
        "sector_id": _l("Sector"),
        "size": _l("Size"),
        "district_id": _l("District"),
        "website": _l("Website"),
        "owner_id": _l("Owner"),
        "notes": _l("Notes"),
        "electricity_mwh_year": _l("Electricity use (MWh/year)"),
        "natural_gas_m3_year": _l("Natural gas use (m³/year)"),
        "emits_upops": _l("Emits u-POPs"),
        "reduction_potential_tco2e": _l("Emission-reduction potential (tCO2e)"),
        "organisation_id": _l("Organisation"),
        "first_name": _l("First name"),
        "last_name": _l("Last name"),
        "position": _l("Position"),
        "email": _l("E-mail"),
        "phone": _l("Phone"),
        "gender": _l("Gender"),
        "email_consent": _l("Accepts e-mail"),
        "consent_at": _l("Consent date"),
        "consent_source": _l("How they agreed"),
        "consent_scope": _l("To what"),
        "qualified_consultant": _l("Qualified consultant"),
        "company_id": _l("Company"),
        "association_id": _l("Association"),
        "status": _l("Status"),
        "since": _l("Member since"),
        "last_reviewed_at": _l("Last reviewed"),
        "last_reviewed_by_id": _l("Reviewed by"),
        "confirmation": _l("Confirmation"),
        "decided_at": _l("Decided on"),
        "decided_by_id": _l("Decided by"),
        "occurred_on": _l("Date"),
        "staff_id": _l("Staff member"),
        "summary": _l("Summary"),
        "outcome": _l("Outcome"),
        "next_step": _l("Next step"),
        "interaction_id": _l("Interaction"),
        "assignee_id": _l("Assigned to"),
        "created_by_id": _l("Created by"),
        "due_on": _l("Due date"),
        "description": _l("Description"),
        "done_at": _l("Done at"),
        "programme": _l("Programme"),
        "stage": _l("Stage"),
        "stage_since": _l("In stage since"),
        "programme_id": _l("Programme"),
        "feasibility_delivered_on": _l("Feasibility delivered on"),
        "source_association_id": _l("Referring association"),
        "referred_by_id": _l("Referred by"),
        "referred_at": _l("Referred at"),
        "done_by_id": _l("Done by"),
        "requested_on": _l("Requested on"),
        "received_on": _l("Received on"),
        "signed_on": _l("Signed on"),
        "expires_on": _l("Expires on"),
        "signatory_id": _l("Signatory"),
        "requested_by_id": _l("Requested by"),
        "document_id": _l("Document"),
        "amount": _l("Amount"),
        "currency": _l("Currency"),
        "exchange_rate": _l("Exchange rate"),
        "amount_usd": _l("Amount (USD)"),
        "cofinance_type": _l("Co-finance type"),
        "cofinancier_type": _l("Co-financier type"),
        "component": _l("Component"),
        "letter_id": _l("Letter"),
        "note": _l("Note"),
        "title": _l("Title"),
        "type": _l("Type"),
        "held_on": _l("Held on"),
        "place": _l("Place"),
        "online": _l("Online"),
        "gender_specific": _l("Gender-specific"),
        "training_module": _l("Training module"),
        "code": _l("Code"),
        "name_es": _l("Name (Spanish)"),
        "name_en": _l("Name (English)"),
        "active": _l("Active"),
        "reason_es": _l("Reason (Spanish)"),
        "reason_en": _l("Reason (English)"),
        "unit": _l("Unit"),
        "target": _l("Target"),
        "midterm_value": _l("Mid-term value"),
        "computed_from": _l("Computed from"),
    },
    # how the metrics split the pipeline funnel
    "metric_dimension": {
        "total": _l("Whole programme"),
        "sector": _l("Sector (ISIC section)"),
        "association": _l("Referring association"),
        "member_of": _l("Association membership"),
        "district": _l("District"),
    },
    # a company's coarse participation, as a liaison sees it
    "participation": {
        "not_contacted": _l("Not contacted"),
        "in_progress": _l("In progress"),
        "committed": _l("Committed"),
        "declined": _l("Declined"),
    },
    "import_kind": {
        ImportKind.ORGANISATIONS: _l("Organisations (with optional contact, association and stage columns)"),
        ImportKind.CONTACTS: _l("Contacts"),
        ImportKind.COFINANCE: _l("Co-finance commitments"),
        ImportKind.ATTENDANCE: _l("Attendance of an event (sign-in sheet)"),
    },
    # Ley 29733: how a person agreed to receive e-mail, and to what
    "consent_source": {
        "letter": _l("Signed letter or form"),
        "event": _l("Event registration"),
        "email": _l("By e-mail"),
        "verbal": _l("Verbally (meeting or call)"),
        "withdrawn": _l("Withdrawn"),
    },
    "consent_scope": {
        "project": _l("Project e-mails"),
        "events": _l("Event invitations only"),
    },
    # where an outbox e-mail stands, and how it left (System › Sent mail)
    "mail_status": {
        "pending": _l("pending"),
        "queued": _l("queued"),
        "claimed": _l("being sent"),
        "sent": _l("sent"),
        "failed": _l("failed"),
        "skipped": _l("skipped"),
    },
    "mail_transport": {"smtp": _l("SMTP server"), "stored": _l("stored, not sent")},
    # what each kind of e-mail is about, as offered on the opt-out page
    "mail_kind": {
        "follow_up_assigned": _l("A follow-up is assigned to me"),
        "referral": _l("A company is referred to me by an association"),
        "daily_digest": _l("Daily digest of my follow-ups, companies and letters"),
        "letter_overdue": _l("A letter I requested is overdue"),
        "liaison_review": _l("Monthly reminder of members to review"),
        "manager_weekly": _l("Weekly summary for managers"),
    },
}


def label(group: str, value: str | None) -> str:
    """Return the translated label of a value, or the value itself."""
    if value is None:
        return ""
    return str(LABELS[group].get(value, value))


def choices(group: str, blank: str | None = None) -> list[SelectChoice]:
    """Return the options of a select field, with an optional blank first."""
    options = [SelectChoice(key, text) for key, text in LABELS[group].items()]
    return ([SelectChoice("", blank)] if blank is not None else []) + options


def options(pairs: list[tuple[object, object]]) -> list[SelectChoice]:
    """Turn (value, label) pairs into select options."""
    return [SelectChoice(value, label) for value, label in pairs]
