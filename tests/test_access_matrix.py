"""The access-control matrix: every endpoint of the app × every role, from ONE declarative table.

Each row of TABLE is one request: endpoint, method, the six expected outcomes and the URL (and form)
arguments, taken from a world where the liaison's association, another association's member, a letter,
a document, an event... exist. Expected outcomes, one letter per role in ROLES order
(anonymous, viewer, liaison, staff, manager, admin):

    O  allowed: the view ran (200, a redirect other than to sign-in, a 400/409 form refusal)
    L  redirected to the sign-in page (with ?next=, as login_required does)
    N  404: refused without confirming that the record exists (and logged)
    M  405: the method is not allowed there
    U  401: the API refused a request without a usable token (API rows are sent with the role's bearer
       token instead of the session cookie)

A new endpoint (or method) without a row fails test_every_endpoint_has_a_row, naming it: add one line.
URL and form argument values that name a WORLD attribute are replaced by that record's id; any other
value is sent as it is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from crm import clock
from crm.api import tokens as api_tokens
from crm.extensions import db
from crm.jobs import dispatch_job_outbox, queue
from crm.metrics import jobs as metrics_jobs
from crm.models import (
    Agreement,
    AgreementParty,
    Attendance,
    Barrier,
    Consultant,
    ConsultantAssignment,
    Contact,
    Document,
    EmailMessage,
    EmissionProfile,
    Engagement,
    Event,
    FollowUp,
    ImportBatch,
    Indicator,
    IndicatorEntry,
    IndicatorTarget,
    Interaction,
    Letter,
    Materialisation,
    Measure,
    MeasureResult,
    Membership,
    Organisation,
    OutboxMessage,
    ParkTenant,
    Programme,
    ResultLine,
    StageTransition,
    TrainingModule,
    liaison_associations,
)
from crm.redis_conn import get_redis
from crm.system.jobs import record_heartbeat
from tests.common_support import sign_in as sign_in_fully
from tests.conftest import PASSWORD

ROLES = ("anonymous", "viewer", "liaison", "staff", "manager", "admin")


@dataclass(frozen=True)
class Row:
    """One request of the matrix and its expected outcome for each role."""

    endpoint: str
    method: str
    expected: str
    args: dict[str, Any] = field(default_factory=dict)
    form: dict[str, Any] = field(default_factory=dict)


def row(endpoint: str, method: str, expected: str, form: dict | None = None, **args: Any) -> Row:
    """Declare one row (a compact constructor, so each row fits on one line)."""
    assert len(expected) == len(ROLES) and set(expected) <= set("OLNMU"), (endpoint, expected)
    return Row(endpoint, method, expected, args, form or {})


# Who may: shorthands for the usual columns (anonymous, viewer, liaison, staff, manager, admin).
PUBLIC = "OOOOOO"
SIGNED_IN = "LOOOOO"
READERS = "LONOOO"  # the liaison gets 404
TECH = "LNNOOO"
MANAGERS = "LNNNOO"
ADMIN = "LNNNNO"
LIAISON = "LNONNN"
NOBODY = "LNNNNN"
OWNER = "LNNONO"  # the member company's owner is the staff user; administrators see every company
API_ALL = "UOOOOO"  # the API: bearer tokens, 401 without one
API_READERS = "UONOOO"
API_TECH = "UNNOOO"
API_LIAISON = "UNONNN"

TABLE: tuple[Row, ...] = (
    # --- start page, sign-in, static files
    row("main.index", "GET", SIGNED_IN),
    row("main.work", "GET", TECH),
    row("organisations.bulk_action", "POST", TECH),
    row("organisations.save_view", "POST", SIGNED_IN, {"name": "Vista", "q": "a"}),
    row("organisations.delete_view", "POST", SIGNED_IN, view_id="999999"),
    row("organisations.default_view", "POST", SIGNED_IN, view_id="999999"),
    row("organisations.clear_default_view", "POST", SIGNED_IN),
    row("static", "GET", PUBLIC, filename="css/app.css"),
    row("auth.login", "GET", PUBLIC),
    row("auth.login", "POST", PUBLIC),
    row("auth.preferences", "GET", SIGNED_IN),
    row("auth.preferences", "POST", SIGNED_IN),
    row("auth.logout", "POST", SIGNED_IN),
    # the second sign-in step and enrolment answer everyone (a redirect when nobody is half-way signed in)
    row("auth.second_factor", "GET", PUBLIC),
    row("auth.second_factor", "POST", PUBLIC, {"code": "000000"}),
    row("auth.two_factor_setup", "GET", PUBLIC),
    row("auth.two_factor_setup", "POST", PUBLIC, {"code": "000000"}),
    row("auth.recovery_codes", "POST", SIGNED_IN, {"codes-code": "000000"}),
    row("auth.two_factor_off", "POST", "LOONNN", {"off-password": "wrong"}),  # required: profile's roles
    row("auth.end_session", "POST", SIGNED_IN, session_id=999999),
    row("auth.end_other_sessions", "POST", SIGNED_IN),
    # --- organisations: a liaison sees their association and its members, nothing else
    row("organisations.index", "GET", SIGNED_IN),
    row("organisations.detail", "GET", SIGNED_IN, org_id="member"),
    row("organisations.detail", "GET", SIGNED_IN, org_id="assoc"),
    row("organisations.detail", "GET", READERS, org_id="other_member"),
    row("organisations.detail", "GET", READERS, org_id="other_assoc"),
    row("organisations.create", "GET", TECH),
    row("organisations.create", "POST", TECH),
    row("organisations.edit", "GET", TECH, org_id="member"),
    row("organisations.edit", "POST", TECH, org_id="member"),
    row("organisations.delete", "POST", ADMIN, org_id="victim_org"),
    row("organisations.add_membership", "POST", TECH, org_id="member"),
    row("organisations.edit_membership", "POST", TECH, membership_id="m_member"),
    row("organisations.review_membership", "POST", TECH, membership_id="m_member"),
    row("organisations.remove_membership", "POST", TECH, membership_id="victim_membership"),
    # --- contacts
    row("contacts.index", "GET", SIGNED_IN),
    row("contacts.detail", "GET", SIGNED_IN, contact_id="member_contact"),
    row("contacts.detail", "GET", READERS, contact_id="other_contact"),
    row("contacts.new", "GET", TECH),
    row("contacts.new", "POST", TECH),
    row("contacts.edit", "GET", TECH, contact_id="member_contact"),
    row("contacts.edit", "POST", TECH, contact_id="member_contact"),
    row("contacts.delete", "POST", TECH, contact_id="victim_contact"),
    row("contacts.save_view", "POST", SIGNED_IN, {"name": "Vista", "q": "a"}),
    row("contacts.delete_view", "POST", SIGNED_IN, view_id="999999"),
    row("contacts.default_view", "POST", SIGNED_IN, view_id="999999"),
    row("contacts.clear_default_view", "POST", SIGNED_IN),
    # --- interactions and follow-ups: never for liaisons, even on their own members
    row("interactions.index", "GET", READERS),
    row("interactions.new", "GET", TECH, organisation_id="member"),
    row("interactions.new", "POST", TECH, organisation_id="member"),
    row("interactions.edit", "GET", TECH, interaction_id="interaction"),
    row("interactions.edit", "POST", TECH, interaction_id="interaction"),
    row("interactions.delete", "POST", TECH, interaction_id="victim_interaction"),
    row("interactions.follow_up_list", "GET", READERS),
    row("interactions.save_view", "POST", READERS, {"name": "Vista", "status": "overdue"}),
    row("interactions.delete_view", "POST", READERS, view_id="999999"),
    row("interactions.default_view", "POST", READERS, view_id="999999"),
    row("interactions.clear_default_view", "POST", READERS),
    row("interactions.follow_up_detail", "GET", READERS, follow_up_id="follow_up"),
    row("interactions.follow_up_new", "GET", TECH),
    row("interactions.follow_up_new", "POST", TECH),
    row("interactions.follow_up_done", "POST", TECH, follow_up_id="follow_up"),
    row("interactions.follow_up_reopen", "POST", TECH, follow_up_id="follow_up"),
    row("interactions.follow_up_snooze", "POST", TECH, follow_up_id="follow_up"),
    row("interactions.follow_up_reassign", "POST", TECH, follow_up_id="follow_up"),
    # --- pipeline and its reference lists
    row("pipeline.board", "GET", READERS),
    row("pipeline.engage", "GET", TECH, org_id="engage_org"),
    row("pipeline.engage", "POST", TECH, org_id="engage_org"),
    row("pipeline.move", "GET", TECH, engagement_id="engagement"),
    row("pipeline.move", "POST", TECH, engagement_id="engagement"),
    row("pipeline.admin_programmes", "GET", ADMIN),
    row("pipeline.admin_programme_new", "GET", ADMIN),
    row("pipeline.admin_programme_new", "POST", ADMIN),
    row("pipeline.admin_programme_edit", "GET", ADMIN, programme_id="programme"),
    row("pipeline.admin_programme_edit", "POST", ADMIN, programme_id="programme"),
    row("pipeline.admin_barriers", "GET", ADMIN),
    row("pipeline.admin_barrier_new", "GET", ADMIN),
    row("pipeline.admin_barrier_new", "POST", ADMIN),
    row("pipeline.admin_barrier_edit", "GET", ADMIN, barrier_id="barrier"),
    row("pipeline.admin_barrier_edit", "POST", ADMIN, barrier_id="barrier"),
    row("pipeline.admin_barrier_deactivate", "POST", ADMIN, barrier_id="barrier"),
    row("pipeline.admin_barrier_activate", "POST", ADMIN, barrier_id="barrier"),
    row("training.admin_modules", "GET", ADMIN),
    row("training.admin_module_new", "GET", ADMIN),
    row("training.admin_module_new", "POST", ADMIN),
    row("training.admin_module_edit", "GET", ADMIN, module_id="module"),
    row("training.admin_module_edit", "POST", ADMIN, module_id="module"),
    row("training.admin_module_toggle", "POST", ADMIN, module_id="module"),
    row("parks.add_tenant", "POST", TECH, park_id="park"),
    row("parks.join_park", "POST", TECH, org_id="member"),
    row("parks.edit_tenant", "POST", TECH, tenant_id="tenant"),
    row("parks.remove_tenant", "POST", TECH, tenant_id="victim_tenant"),
    row("agreements.index", "GET", READERS),
    row("agreements.detail", "GET", READERS, agreement_id="agreement"),
    row("agreements.document", "GET", READERS, agreement_id="agreement"),
    row("agreements.new", "GET", TECH),
    row("agreements.new", "POST", TECH),
    row("agreements.edit", "GET", TECH, agreement_id="agreement"),
    row("agreements.edit", "POST", TECH, agreement_id="agreement"),
    row("agreements.add_party", "POST", TECH, agreement_id="agreement"),
    row("agreements.remove_party", "POST", TECH, party_id="victim_party"),
    row("agreements.delete", "POST", TECH, agreement_id="victim_agreement"),
    # --- letters, co-finance and their documents (file downloads)
    row("letters.index", "GET", READERS),
    row("letters.save_view", "POST", READERS, {"name": "Vista", "status": "requested"}),
    row("letters.delete_view", "POST", READERS, view_id="999999"),
    row("letters.default_view", "POST", READERS, view_id="999999"),
    row("letters.clear_default_view", "POST", READERS),
    row("letters.detail", "GET", READERS, letter_id="letter"),
    row("letters.document", "GET", READERS, letter_id="letter"),
    row("letters.new", "GET", TECH),
    row("letters.new", "POST", TECH),
    row("letters.edit", "GET", TECH, letter_id="letter"),
    row("letters.edit", "POST", TECH, letter_id="letter"),
    row("letters.delete", "POST", TECH, letter_id="victim_letter"),
    row("letters.add_entry", "POST", TECH, letter_id="cofinance"),
    row("letters.remove_entry", "POST", TECH, letter_id="cofinance", entry_id="entry"),
    # --- events and attendance
    row("events.index", "GET", READERS),
    row("events.detail", "GET", READERS, event_id="event"),
    row("events.new", "GET", TECH),
    row("events.new", "POST", TECH),
    row("events.edit", "GET", TECH, event_id="event"),
    row("events.edit", "POST", TECH, event_id="event"),
    row("events.delete", "POST", TECH, event_id="victim_event"),
    row("events.add_attendee", "POST", TECH, event_id="event"),
    row("events.quick_add", "POST", TECH, event_id="event"),
    row("events.remove_attendee", "POST", TECH, event_id="event", attendance_id="attendance"),
    row("events.invite_page", "GET", TECH, event_id="event"),
    row("events.invite_page", "POST", TECH, {"language": "es"}, event_id="event"),
    row("events.toggle_registration", "POST", TECH, {"open": "1"}, event_id="event"),
    row("events_public.register", "GET", "NNNNNN", token="not-a-token"),
    row("events_public.register", "POST", "NNNNNN", token="not-a-token"),
    row("events.checkin_page", "GET", TECH, event_id="event"),
    row("events.check_in", "POST", TECH, event_id="event", contact_id="other_contact"),
    row("events.undo_check_in", "POST", TECH, event_id="event", contact_id="other_contact"),
    row("events.walk_in", "POST", TECH, event_id="event"),
    # --- reports and exports
    row("reports.index", "GET", READERS),
    row("reports.funnel", "GET", READERS),
    row("reports.conversion", "GET", READERS),
    row("reports.cofinance", "GET", READERS),
    row("reports.cohorts", "GET", READERS),
    row("reports.timing", "GET", READERS),
    row("reports.trends", "GET", READERS),
    row("reports.events", "GET", READERS),
    row("reports.indicators", "GET", READERS),
    row("reports.export", "GET", READERS, name="funnel", table="funnel", fmt="csv"),
    row("reports.freeze", "POST", MANAGERS),
    row("reports.edit_target", "GET", ADMIN, indicator_id="indicator"),
    row("reports.edit_target", "POST", ADMIN, indicator_id="indicator"),
    row("reports.period_target_save", "POST", ADMIN, indicator_id="indicator"),
    row("reports.period_target_delete", "POST", ADMIN, indicator_id="indicator", target_id="period_target"),
    row(
        "reports.period_target_delete",
        "POST",
        NOBODY,
        indicator_id="manual_indicator",
        target_id="period_target",
    ),
    row("reports.indicator_admin_list", "GET", TECH),
    row("reports.indicator_new", "GET", ADMIN),
    row("reports.indicator_new", "GET", ADMIN, measure="letters"),
    row("reports.indicator_new", "POST", ADMIN, kind="manual"),
    row("reports.indicator_edit", "GET", ADMIN, indicator_id="manual_indicator"),
    row("reports.indicator_edit", "POST", ADMIN, indicator_id="manual_indicator"),
    row("reports.indicator_delete", "POST", ADMIN, indicator_id="victim_indicator"),
    row("reports.indicator_deactivate", "POST", ADMIN, indicator_id="manual_indicator"),
    row("reports.indicator_activate", "POST", ADMIN, indicator_id="manual_indicator"),
    row("reports.indicator_entries", "GET", READERS, indicator_id="manual_indicator"),
    row("reports.indicator_entries", "GET", NOBODY, indicator_id="indicator"),
    row("reports.indicator_entry_save", "POST", TECH, indicator_id="manual_indicator"),
    row(
        "reports.indicator_entry_delete",
        "POST",
        TECH,
        indicator_id="manual_indicator",
        entry_id="victim_indicator_entry",
    ),
    row(
        "reports.indicator_entry_delete",
        "POST",
        NOBODY,
        indicator_id="victim_indicator",
        entry_id="victim_indicator_entry",
    ),
    row(
        "reports.indicator_entry_evidence",
        "GET",
        READERS,
        indicator_id="manual_indicator",
        entry_id="indicator_entry",
    ),
    # --- metric snapshots
    row("metrics.index", "GET", READERS),
    row("metrics.run", "POST", MANAGERS),
    row("metrics.job", "GET", MANAGERS, job_id="metrics_job"),
    row("metrics.job_status", "GET", MANAGERS, job_id="metrics_job"),
    # --- administration
    row("users.index", "GET", ADMIN),
    row("users.create", "GET", ADMIN),
    row("users.create", "POST", ADMIN),
    row("users.edit", "GET", ADMIN, user_id="victim_user"),
    row("users.edit", "POST", ADMIN, user_id="victim_user"),
    row("users.password", "GET", ADMIN, user_id="victim_user"),
    row("users.password", "POST", ADMIN, user_id="victim_user"),
    row("users.associations", "GET", ADMIN, user_id="victim_user"),
    row("users.associations", "POST", ADMIN, user_id="victim_user"),
    row("users.deactivate", "POST", ADMIN, user_id="victim_user"),
    row("users.reset_two_factor", "POST", ADMIN, user_id="victim_user"),
    # --- the administration area: a page of links, each shown only to who may open it
    row("admin.index", "GET", TECH),
    # --- webhooks: administrators and managers, each subscription only to whoever manages it
    row("webhooks.index", "GET", MANAGERS),
    row("webhooks.create", "GET", MANAGERS),
    row("webhooks.create", "POST", MANAGERS),
    row("webhooks.toggle", "POST", NOBODY, sub_id=999999),
    row("webhooks.delete", "POST", NOBODY, sub_id=999999),
    row("webhooks.deliveries", "GET", NOBODY, sub_id=999999),
    row("webhooks.replay", "POST", NOBODY, delivery_pk=999999),
    row("system.index", "GET", ADMIN),
    # --- the read trail: administrators see all; the company's owner (staff here) sees its own
    row("privacy.trail", "GET", ADMIN),
    row("privacy.trail_export", "GET", ADMIN, fmt="csv"),
    row("privacy.company_trail", "GET", OWNER, org_id="member"),
    row("privacy.company_export", "GET", OWNER, org_id="member", fmt="xlsx"),
    row("privacy.statement", "GET", OWNER, org_id="member"),
    # --- Ley 29733: a contact's data (export) and erasure, administrators only
    row("privacy.subject", "GET", ADMIN, contact_id="member_contact"),
    row("privacy.subject_json", "GET", ADMIN, contact_id="member_contact"),
    row("privacy.erase", "GET", ADMIN, contact_id="member_contact"),
    row("privacy.erase", "POST", ADMIN, form={"reason": "Solicitud escrita"}, contact_id="other_contact"),
    row("system.mail_list", "GET", ADMIN),
    row("system.mail_failed", "GET", ADMIN),
    row("system.mail_detail", "GET", ADMIN, message_id="mail"),
    row("system.mail_html", "GET", ADMIN, message_id="mail"),
    row("system.mail_requeue", "POST", ADMIN, message_id="mail"),
    row("system.job_requeue", "POST", ADMIN, queue_name="default", job_id="failed_job"),
    # --- mail capture: bodies for the technical team, mailboxes for administrators
    row("mailcapture.review", "GET", TECH),
    row("mailcapture.assign", "POST", TECH, {"organisation": "Miembro Propio SAC"}, email_id="review_email"),
    row("mailcapture.create_contact", "POST", TECH, {"first_name": "Ana"}, email_id="review_email"),
    row("mailcapture.discard", "POST", TECH, email_id="victim_email"),
    row("mailcapture.email_detail", "GET", TECH, email_id="member_email"),
    row("mailcapture.attachment", "GET", TECH, email_id="member_email", document_id="email_document"),
    row("mailcapture.mailboxes", "GET", ADMIN),
    row("mailcapture.new_mailbox", "GET", ADMIN),
    row("mailcapture.new_mailbox", "POST", ADMIN),
    row("mailcapture.edit_mailbox", "GET", ADMIN, mailbox_id="mailbox"),
    row("mailcapture.edit_mailbox", "POST", ADMIN, mailbox_id="mailbox"),
    row("mailcapture.fetch_now", "POST", ADMIN, mailbox_id="mailbox"),
    row("mailcapture.new_dropbox", "POST", TECH),
    row("mailcapture.revoke_dropbox", "POST", TECH),
    # --- calendars: the feed answers its secret URL only; an event's file to whoever sees the event
    row("calendars.feed", "GET", "NNNNNN", token="not-a-token"),
    # --- e-mail to contacts: the technical team composes; the withdrawal link needs a valid signed token
    row("compose.compose", "GET", TECH, org_id="member"),
    row("compose.compose", "POST", TECH, org_id="member"),
    row("compose.withdraw_page", "GET", "NNNNNN", token="not-a-token"),
    row("compose.withdraw_page", "POST", "NNNNNN", token="not-a-token"),
    row("calendars.new_feed", "POST", SIGNED_IN),
    row("calendars.revoke_feed", "POST", SIGNED_IN),
    row("calendars.event_file", "GET", READERS, event_id="event"),
    # --- imports of spreadsheets
    row("imports.index", "GET", TECH),
    row("imports.upload", "GET", TECH),
    row("imports.upload", "POST", TECH),
    row("imports.detail", "GET", TECH, batch_id="batch"),
    row("imports.progress", "GET", TECH, batch_id="batch"),
    row("imports.error_rows", "GET", TECH, batch_id="batch"),
    row("imports.mapping", "GET", TECH, batch_id="batch"),
    row("imports.mapping", "POST", TECH, batch_id="batch"),
    row("imports.decisions", "POST", TECH, batch_id="batch"),
    row("imports.numbers", "POST", TECH, batch_id="batch"),
    row("imports.start", "POST", TECH, batch_id="batch"),
    row("imports.undo", "POST", ADMIN, batch_id="batch"),
    row("merge.duplicate_organisations", "GET", MANAGERS),
    row("merge.duplicate_contacts", "GET", MANAGERS),
    row("merge.organisations", "GET", MANAGERS, keep_id="keep_org", drop_id="drop_org"),
    row("merge.organisations", "POST", MANAGERS, keep_id="keep_org", drop_id="drop_org"),
    row("merge.contacts", "GET", MANAGERS, keep_id="keep_contact", drop_id="drop_contact"),
    row("merge.contacts", "POST", MANAGERS, keep_id="keep_contact", drop_id="drop_contact"),
    row("changes.restore_field", "POST", MANAGERS, form={"field": "legal_name"}, change_id=2_000_000),
    row("changes.restore_save", "POST", MANAGERS, save_id="no-such-save"),
    row("search.index", "GET", SIGNED_IN, q="fundición"),
    row("search.suggest", "GET", SIGNED_IN, q="fun"),
    # exports of the lists: scoped like the lists (a liaison gets their members, without the profile)
    row("exports.organisations", "GET", SIGNED_IN, fmt="csv"),
    row("exports.contacts", "GET", SIGNED_IN, fmt="xlsx"),
    row("exports.letters", "GET", READERS, fmt="csv"),
    # --- the liaison portal: their own association only
    row("liaison.home", "GET", LIAISON),
    row("liaison.members", "GET", LIAISON, assoc_id="assoc"),
    row("liaison.members", "GET", NOBODY, assoc_id="other_assoc"),
    row("liaison.add", "GET", LIAISON, assoc_id="assoc"),
    row("liaison.add", "GET", NOBODY, assoc_id="other_assoc"),
    row("liaison.referrals", "GET", LIAISON, assoc_id="assoc"),
    row("liaison.referrals", "GET", NOBODY, assoc_id="other_assoc"),
    row("liaison.save_member", "POST", LIAISON, membership_id="m_member"),
    row("liaison.save_member", "POST", NOBODY, membership_id="m_other"),
    row("liaison.refer", "POST", LIAISON, membership_id="m_member"),
    row("liaison.refer", "POST", NOBODY, {"programme_id": "programme"}, membership_id="m_other"),
    row("liaison.confirm", "POST", LIAISON, assoc_id="assoc"),
    row("liaison.confirm", "POST", NOBODY, assoc_id="other_assoc"),
    row("liaison.bulk_status", "POST", LIAISON, {"status": "active"}, assoc_id="assoc"),
    row("liaison.bulk_status", "POST", NOBODY, {"status": "left", "ids": "m_other"}, assoc_id="other_assoc"),
    row("liaison.add_existing", "POST", LIAISON, {"organisation_id": "other_member"}, assoc_id="assoc"),
    row("liaison.add_existing", "POST", NOBODY, {"organisation_id": "other_assoc"}, assoc_id="assoc"),
    row("liaison.add_existing", "POST", NOBODY, {"organisation_id": "other_member"}, assoc_id="other_assoc"),
    row("liaison.new_company", "POST", LIAISON, assoc_id="assoc"),
    row("liaison.new_company", "POST", NOBODY, assoc_id="other_assoc"),
    row("liaison.pending", "GET", TECH),
    row("liaison.decide", "POST", TECH, {"decision": "confirm"}, membership_id="m_member"),
    # --- measured results: confidential process data (technical team only); the gap page for managers
    row("results.company", "GET", TECH, org_id="member"),
    row("results.company", "GET", TECH, org_id="other_member"),
    row("results.company", "GET", NOBODY, org_id="assoc"),
    row("results.new", "GET", TECH, org_id="member"),
    row("results.new", "POST", TECH, org_id="member"),
    row("results.edit", "GET", TECH, result_id="result"),
    row("results.edit", "POST", TECH, result_id="result"),
    row("results.delete", "POST", TECH, result_id="victim_result"),
    row("results.evidence", "GET", TECH, result_id="result"),
    row("results.export", "GET", TECH, fmt="csv"),
    row("results.export", "GET", TECH, fmt="xlsx"),
    row("results.baseline", "GET", TECH, org_id="member"),
    row("results.baseline", "POST", TECH, org_id="member"),
    row("results.gap_page", "GET", MANAGERS),
    row("results.admin_factors", "GET", ADMIN),
    row("results.admin_factor_new", "GET", ADMIN),
    row("results.admin_factor_new", "POST", ADMIN),
    row("results.admin_measures", "GET", ADMIN),
    row("results.admin_measure_new", "GET", ADMIN),
    row("results.admin_measure_new", "POST", ADMIN),
    # --- the consultants registry: the team keeps it; liaisons and viewers see the published public part
    row("consultants.index", "GET", SIGNED_IN),
    row("consultants.detail", "GET", SIGNED_IN, consultant_id="consultant"),
    row("consultants.detail", "GET", TECH, consultant_id="hidden_consultant"),
    row("consultants.new", "GET", TECH),
    row("consultants.new", "POST", TECH),
    row("consultants.edit", "GET", TECH, consultant_id="consultant"),
    row("consultants.edit", "POST", TECH, consultant_id="consultant"),
    row("consultants.change_status", "POST", TECH, consultant_id="hidden_consultant"),
    row("consultants.publish", "POST", ADMIN, consultant_id="hidden_consultant"),
    row("consultants.evidence", "GET", TECH, consultant_id="consultant"),
    row("consultants.export", "GET", TECH, fmt="csv"),
    row("consultants.export", "GET", TECH, fmt="xlsx"),
    row("consultants.assign", "POST", TECH, consultant_id="consultant"),
    row("consultants.assign_to_org", "POST", TECH, org_id="member"),
    row("consultants.assign_to_org", "POST", TECH, org_id="other_member"),
    row("consultants.assign_to_org", "POST", NOBODY, org_id="assoc"),
    row("consultants.unassign", "POST", TECH, assignment_id="victim_assignment"),
    row("results.admin_measure_edit", "GET", ADMIN, measure_id="measure"),
    row("results.admin_measure_edit", "POST", ADMIN, measure_id="measure"),
    # --- personal access tokens (preferences) and the JSON API, which only a bearer token opens
    row("auth.create_token", "POST", SIGNED_IN, {"token_name": "matrix", "days": "30"}),
    row("auth.revoke_token", "POST", SIGNED_IN, token_id=999999),
    row("api.openapi_json", "GET", PUBLIC),
    row("api.docs", "GET", PUBLIC),
    row("api.organisations", "GET", API_ALL),
    row("api.organisation", "GET", API_ALL, org_id="member"),
    row("api.organisation", "GET", API_READERS, org_id="other_member"),
    row("api.create_organisation", "POST", API_TECH),
    row("api.update_organisation", "PATCH", API_TECH, org_id="victim_org"),
    row("api.consultants", "GET", API_ALL),  # the published public part for liaisons and viewers
    row("api.contacts", "GET", API_ALL),
    row("api.contact", "GET", API_ALL, contact_id="member_contact"),
    row("api.contact", "GET", API_READERS, contact_id="other_contact"),
    row("api.create_contact", "POST", API_TECH),
    row("api.update_contact", "PATCH", API_TECH, contact_id="member_contact"),
    row("api.delete_contact", "DELETE", API_TECH, contact_id="victim_contact"),  # 428: no If-Match
    row("api.memberships", "GET", API_ALL),
    row("api.add_membership", "POST", API_TECH),
    row("api.update_membership", "PATCH", API_TECH, membership_id="m_member"),
    row("api.membership", "GET", API_ALL, membership_id="m_member"),
    row("api.membership", "GET", API_READERS, membership_id="m_other"),
    row("api.delete_membership", "DELETE", API_TECH, membership_id="victim_membership"),
    # the body is read before the record: out-of-scope reviews (404) are in tests/api/test_api_deletes_*
    row("api.review_membership", "POST", API_LIAISON, membership_id="m_member"),
    row("api.interaction_list", "GET", API_READERS),
    row("api.interaction", "GET", API_READERS, interaction_id="interaction"),
    row("api.log_interaction", "POST", API_TECH),
    row("api.delete_interaction", "DELETE", API_TECH, interaction_id="victim_interaction"),
    row("api.follow_ups", "GET", API_READERS),
    row("api.engagements", "GET", API_READERS),
    row("api.engagement", "GET", API_READERS, engagement_id="engagement"),
    row("api.move", "POST", API_TECH, engagement_id="engagement"),
    row("api.letters", "GET", API_READERS),
    row("api.letter", "GET", API_READERS, letter_id="letter"),
    row("api.create_letter", "POST", API_TECH),
    row("api.update_letter", "PATCH", API_TECH, letter_id="letter"),
    row("api.events", "GET", API_READERS),
    row("api.event", "GET", API_READERS, event_id="event"),
    row("api.create_event", "POST", API_TECH),
    row("api.update_event", "PATCH", API_TECH, event_id="event"),
    row("api.delete_event", "DELETE", API_TECH, event_id="event"),
    row("api.add_attendance", "POST", API_TECH, event_id="event"),
    row("api.remove_attendance", "DELETE", API_TECH, event_id="event", contact_id="member_contact"),
    row("api.registrations", "GET", API_READERS, event_id="event"),
    row("api.report_funnel", "GET", API_READERS),
    row("api.report_conversion", "GET", API_READERS),
    row("api.report_cofinance", "GET", API_READERS),
    row("api.report_indicators", "GET", API_READERS),
)


# --- the world -------------------------------------------------------------------------------------------


def add(record: Any) -> Any:
    """Add a record and flush, so that its id is known."""
    db.session.add(record)
    db.session.flush()
    return record


def people(make_user) -> dict[str, Any]:
    """One user per signed-in role, plus a user for the administration pages to act on."""
    users = {role: make_user(role, email=f"{role}@matrix.pe", locale="en") for role in ROLES[1:]}
    users["victim_user"] = make_user("staff", email="victim@matrix.pe", locale="en")
    return users


def organisations(owner_id: int) -> dict[str, Organisation]:
    """Two associations, a member of each, and a company nothing depends on."""
    orgs = {
        "assoc": add(Organisation(kind="association", legal_name="Gremio Propio")),
        "other_assoc": add(Organisation(kind="association", legal_name="Gremio Ajeno")),
        "member": add(Organisation(kind="company", legal_name="Miembro Propio SAC", owner_id=owner_id)),
        "other_member": add(Organisation(kind="company", legal_name="Miembro Ajeno SAC")),
        "victim_org": add(Organisation(kind="company", legal_name="Empresa Borrable SAC")),
        "engage_org": add(Organisation(kind="company", legal_name="Empresa Por Comprometer SAC")),
        "lapsed_org": add(Organisation(kind="company", legal_name="Ex Miembro SAC")),
        "keep_org": add(Organisation(kind="company", legal_name="Duplicada SAC")),
        "drop_org": add(Organisation(kind="company", legal_name="Duplicada S.A.C.")),
    }
    add(EmissionProfile(organisation_id=orgs["member"].id, electricity_mwh_year=Decimal("98765.43")))
    return orgs


def memberships(orgs: dict[str, Organisation]) -> dict[str, Membership]:
    """The members of each association."""
    pairs = {"m_member": ("member", "assoc"), "m_other": ("other_member", "other_assoc")}
    pairs["victim_membership"] = ("lapsed_org", "other_assoc")
    return {
        key: add(Membership(company_id=orgs[c].id, association_id=orgs[a].id, status="active"))
        for key, (c, a) in pairs.items()
    }


def contacts(orgs: dict[str, Organisation]) -> dict[str, Contact]:
    """People at the member companies."""
    return {
        "member_contact": add(
            Contact(organisation_id=orgs["member"].id, first_name="Marta", last_name="Propia")
        ),
        "other_contact": add(
            Contact(organisation_id=orgs["other_member"].id, first_name="Oto", last_name="Ajeno")
        ),
        "victim_contact": add(
            Contact(organisation_id=orgs["member"].id, first_name="Vera", last_name="Borrable")
        ),
        "keep_contact": add(Contact(first_name="Doble", last_name="Uno", email="doble@example.pe")),
        "drop_contact": add(Contact(first_name="Doble", last_name="Dos", email="doble@example.pe")),
    }


def interactions(orgs: dict[str, Organisation], staff_id: int) -> dict[str, Any]:
    """A meeting with the member, one to delete, and a follow-up."""
    day = clock.today() - timedelta(days=3)
    meeting = add(
        Interaction(
            organisation_id=orgs["member"].id,
            kind="meeting",
            occurred_on=day,
            staff_id=staff_id,
            summary="Reunión reservada",
        )
    )
    other = add(
        Interaction(
            organisation_id=orgs["member"].id,
            kind="call",
            occurred_on=day,
            staff_id=staff_id,
            summary="Llamada",
        )
    )
    follow_up = add(
        FollowUp(
            organisation_id=orgs["member"].id,
            interaction_id=meeting.id,
            assignee_id=staff_id,
            due_on=clock.today() + timedelta(days=5),
            description="Enviar propuesta",
        )
    )
    return {"interaction": meeting, "victim_interaction": other, "follow_up": follow_up}


def pipeline(orgs: dict[str, Organisation]) -> dict[str, Any]:
    """The member's engagement in a migrated programme, and a migrated barrier."""
    programme = db.session.scalars(select(Programme).order_by(Programme.id)).first()
    barrier = db.session.scalars(select(Barrier).order_by(Barrier.id)).first()
    day = clock.today() - timedelta(days=20)
    engagement = Engagement(
        organisation_id=orgs["member"].id,
        programme_id=programme.id,
        stage="contacted",
        stage_since=day,
        source_association_id=orgs["assoc"].id,
    )
    engagement.transitions.append(StageTransition(from_stage=None, to_stage="contacted", occurred_on=day))
    return {"programme": programme, "barrier": barrier, "engagement": add(engagement)}


def document(folder: str) -> Document:
    """A stored PDF, as an upload leaves it."""
    content = b"%PDF-1.4\n% matrix\n"
    name = hashlib.sha256(b"matrix").hexdigest()[:32]
    with open(f"{folder}/{name}", "wb") as handle:
        handle.write(content)
    return add(
        Document(
            storage_name=name,
            original_name="carta.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
    )


def letters(orgs: dict[str, Organisation], folder: str) -> dict[str, Any]:
    """A signed letter of interest with its PDF, a co-finance letter with a disbursement, one to delete."""
    member, day = orgs["member"].id, date(2026, 1, 10)
    interest = add(
        Letter(
            kind="interest",
            organisation_id=member,
            status="signed",
            signed_on=day,
            document_id=document(folder).id,
        )
    )
    cofinance = add(
        Letter(
            kind="cofinance",
            organisation_id=member,
            status="signed",
            signed_on=day,
            amount=Decimal("50000"),
            currency="USD",
            exchange_rate=Decimal(1),
            amount_usd=Decimal("50000"),
            cofinance_type="in_kind",
            cofinancier_type="private",
        )
    )
    entry = add(
        Materialisation(letter=cofinance, occurred_on=day, amount=Decimal(1000), amount_usd=Decimal(1000))
    )
    victim = add(Letter(kind="interest", organisation_id=member, status="requested", requested_on=day))
    return {"letter": interest, "cofinance": cofinance, "entry": entry, "victim_letter": victim}


def events(people_at: dict[str, Contact]) -> dict[str, Any]:
    """An event with one attendee, and one to delete."""
    event = add(Event(title="Taller de eficiencia", type="training", held_on=date(2026, 2, 1)))
    victim = add(Event(title="Evento borrable", type="awareness", held_on=date(2026, 2, 2)))
    attendance = add(Attendance(event_id=event.id, contact_id=people_at["member_contact"].id))
    return {"event": event, "victim_event": victim, "attendance": attendance}


def results(orgs: dict[str, Organisation], programme: Programme, document_id: int) -> dict[str, Any]:
    """A verified result of the member (with evidence), one to delete, and a measure."""
    measure = db.session.scalars(select(Measure).order_by(Measure.id)).first()
    common = {"organisation_id": orgs["member"].id, "programme_id": programme.id, "measure_id": measure.id}
    day = date(2026, 3, 1)
    result = add(MeasureResult(**common, status="verified", occurred_on=day, evidence_id=document_id))
    add(ResultLine(result_id=result.id, basis="achieved", carrier="electricity", amount=Decimal("98765.43"),
                   tco2e=Decimal("19753.086")))  # fmt: skip
    victim = add(MeasureResult(**common, status="estimated", occurred_on=day))
    return {"result": result, "victim_result": victim, "measure": measure}


def consultants(engagement: Engagement, document_id: int) -> dict[str, Any]:
    """A published qualified consultant (with evidence) assigned to the member, and an unpublished one."""
    rosa = add(Contact(first_name="Rosa", last_name="Consultora"))
    luis = add(Contact(first_name="Luis", last_name="Oculto"))
    published = add(Consultant(contact_id=rosa.id, specialisms="recp", region="Callao", status="qualified",
                               published=True, evidence_id=document_id))  # fmt: skip
    hidden = add(Consultant(contact_id=luis.id, specialisms="finance", status="candidate"))
    assignment = add(ConsultantAssignment(consultant_id=published.id, engagement_id=engagement.id,
                                          role="Auditoría", started_on=date(2026, 2, 1)))  # fmt: skip
    return {"consultant": published, "hidden_consultant": hidden, "victim_assignment": assignment}


def parks_and_agreements(orgs: dict[str, Organisation], document_id: int) -> dict[str, Any]:
    """A park with the member as tenant (and one to remove), an APL with its document and parties."""
    park = add(Organisation(kind="park", legal_name="Parque Matriz"))
    tenant = add(ParkTenant(park_id=park.id, company_id=orgs["member"].id))
    victim_tenant = add(ParkTenant(park_id=park.id, company_id=orgs["other_member"].id))
    agreement = add(Agreement(kind="apl", title="APL matriz", document_id=document_id))
    victim = add(Agreement(kind="apl", title="APL borrable"))
    add(AgreementParty(agreement_id=agreement.id, organisation_id=orgs["member"].id, role="signatory"))
    party = add(AgreementParty(agreement_id=agreement.id, organisation_id=orgs["assoc"].id, role="witness"))
    return {"park": park, "tenant": tenant, "victim_tenant": victim_tenant, "agreement": agreement,
            "victim_agreement": victim, "victim_party": party}  # fmt: skip


def machinery(staff_id: int) -> dict[str, Any]:
    """An outbox e-mail and an import batch, for the system and import pages."""
    mail = add(
        OutboxMessage(
            kind="referral",
            recipient_id=staff_id,
            idempotency_key="matrix",
            status="failed",
            subject="Referido",
            body_text="Hola",
            body_html="<p>Hola</p>",
        )
    )
    batch = add(
        ImportBatch(kind="organisations", filename="empresas.csv", stored_name="missing", user_id=staff_id)
    )
    return {"mail": mail, "batch": batch}


def captured(orgs: dict[str, Organisation], owner_id: int, document_id: int) -> dict[str, Any]:
    """A mailbox, a captured e-mail of the member (with an attachment) and two waiting for review."""
    from crm.mailcapture.services import save_mailbox

    settings = {"name": "PMU", "kind": "shared", "address": "pmu@matrix.pe", "owner_id": owner_id,
                "host": "127.0.0.1", "port": 1, "use_tls": True, "folder": "INBOX", "username": "pmu",
                "active": False}  # fmt: skip
    mailbox = save_mailbox(None, settings, "secret")
    common = {"thread_id": "<t@x>", "direction": "inbound", "sent_at": clock.now(), "participants": []}
    attached = [{"name": "a.pdf", "size": 9, "document_id": document_id}]
    member = add(EmailMessage(message_id="<m@x>", status="logged", subject="Correo", body_text="Reservado",
                              organisation_id=orgs["member"].id, attachments=attached, **common))  # fmt: skip
    review = add(EmailMessage(message_id="<r@x>", status="review", from_address="ana@x.pe", **common))
    victim = add(EmailMessage(message_id="<v@x>", status="review", from_address="eva@x.pe", **common))
    return {"mailbox": mailbox, "member_email": member, "review_email": review, "victim_email": victim,
            "email_document": document_id}  # fmt: skip


def jobs() -> dict[str, str]:
    """A queued metrics snapshot job and a failed job in Redis, for the job pages."""
    connection = get_redis()
    failed = record_heartbeat.enqueue(connection=connection, queue_name="default")
    FailedJobRegistry(queue=queue(connection, "default")).add(failed, ttl=3600, exc_string="boom")
    metrics_job = metrics_jobs.start(connection, date(2026, 1, 1))
    dispatch_job_outbox()  # commits the start and hands it to Redis, as after a request
    return {"metrics_job": metrics_job, "failed_job": failed.id}


def custom_indicators(builtin: Indicator, document_id: int) -> dict[str, Any]:
    """A manual indicator with two entries (one with evidence), a computed one, a builtin's period target."""
    manual = add(Indicator(code="M.1", name_es="Manual", name_en="Manual", unit="documents", kind="manual",
                           aggregation="latest", computed_from=""))  # fmt: skip
    victim = add(Indicator(code="C.1", name_es="Cartas", name_en="Letters", unit="letters", kind="computed",
                           measure="letters", computed_from="",
                           params={"letter_kind": "interest", "letter_status": "signed"}))  # fmt: skip
    entry = add(
        IndicatorEntry(indicator_id=manual.id, period="2025-S1", value=Decimal(3), evidence_id=document_id)
    )
    victim_entry = add(IndicatorEntry(indicator_id=manual.id, period="2025-S2", value=Decimal(4)))
    target = add(IndicatorTarget(indicator_id=builtin.id, period="2025-S2", target=Decimal(7)))
    named = {"manual_indicator": manual, "victim_indicator": victim, "indicator_entry": entry}
    return {**named, "victim_indicator_entry": victim_entry, "period_target": target}


@pytest.fixture
def world(make_user, tmp_path, app, monkeypatch) -> SimpleNamespace:
    """Build every record the table refers to; attributes hold ids, plus the users by role."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    users = people(make_user)
    orgs = organisations(users["staff"].id)
    records: dict[str, Any] = {**orgs, **memberships(orgs)}
    people_at = contacts(orgs)
    records.update(people_at)
    records.update(interactions(orgs, users["staff"].id))
    records.update(pipeline(orgs))
    records.update(letters(orgs, str(tmp_path)))
    records.update(events(people_at))
    records.update(results(orgs, records["programme"], records["letter"].document_id))
    records.update(consultants(records["engagement"], records["letter"].document_id))
    records["indicator"] = db.session.scalars(select(Indicator).order_by(Indicator.id)).first()
    records.update(custom_indicators(records["indicator"], records["letter"].document_id))
    records.update(parks_and_agreements(orgs, records["letter"].document_id))
    records["module"] = db.session.scalars(select(TrainingModule).order_by(TrainingModule.id)).first()
    records["victim_user"] = users["victim_user"]
    records.update(machinery(users["staff"].id))
    records.update(captured(orgs, users["staff"].id, records["letter"].document_id))
    db.session.execute(
        liaison_associations.insert().values(user_id=users["liaison"].id, organisation_id=orgs["assoc"].id)
    )
    db.session.commit()
    records.update(jobs())
    ids = {key: getattr(record, "id", record) for key, record in records.items()}
    return SimpleNamespace(users=users, **ids)


# --- running the table -----------------------------------------------------------------------------------


def resolve(world: SimpleNamespace, values: dict[str, Any]) -> dict[str, Any]:
    """Replace values naming a world record by its id."""
    return {
        k: getattr(world, v) if isinstance(v, str) and hasattr(world, v) else v for k, v in values.items()
    }


def url_of(app, world: SimpleNamespace, entry: Row) -> str:
    """Build the row's URL from its endpoint and arguments (those the rule does not use form the query)."""
    rule = next(r for r in app.url_map.iter_rules(entry.endpoint))
    return rule.build(resolve(world, entry.args), append_unknown=True)[1]  # the rest: query string


def outcome(response) -> str:
    """Classify a response as one of the table's letters (anything else is shown as its status)."""
    code = response.status_code
    if code in (301, 302, 303) and "/auth/login?next=" in response.headers.get("Location", ""):
        return "L"
    if code == 404:
        return "N"
    if code == 405:
        return "M"
    if code == 401:
        return "U"
    if code in (403,) or code >= 500:
        return str(code)
    return "O"


def request_order(entry: Row) -> tuple[int, str]:
    """Run reads first, then writes, and sign out last."""
    return (2 if entry.endpoint == "auth.logout" else 0 if entry.method == "GET" else 1, entry.endpoint)


def sign_in(client, user) -> None:
    """Sign in through the real forms (password, then the authenticator's code)."""
    response = sign_in_fully(client, user, PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_every_endpoint_has_a_row(app):
    routes = {(r.endpoint, m) for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}}
    covered = {(entry.endpoint, entry.method) for entry in TABLE}
    missing = sorted(routes - covered)
    assert not missing, "endpoints without a row in TABLE (decide who may use them): " + ", ".join(
        f"{endpoint} {method}" for endpoint, method in missing
    )
    assert not sorted(covered - routes), (
        f"rows for endpoints that no longer exist: {sorted(covered - routes)}"
    )


def api_bearer(user) -> dict[str, str]:
    """Return the headers of a new API token of the user (API rows use it instead of the cookie)."""
    _token, secret = api_tokens.create_token(user, "matrix", 1, read_only=False)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def send(client, url: str, method: str, data: dict[str, Any], headers: dict[str, str] | None = None):
    """Send one request and read it whole (a streamed download must not keep its connection)."""
    response = client.open(url, method=method, data=data, headers=headers or {})
    response.get_data()
    response.close()
    return response


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, client, world, role, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # a crash is listed as 500, not fatal
    if role != "anonymous":
        sign_in(client, world.users[role])
    column = ROLES.index(role)
    token = api_bearer(world.users[role]) if role != "anonymous" else {}
    wrong = []
    for entry in sorted(TABLE, key=request_order):
        url = url_of(app, world, entry)
        headers = token if entry.endpoint.startswith("api.") else {}
        response = send(client, url, entry.method, resolve(world, entry.form), headers)
        got, expected = outcome(response), entry.expected[column]
        if got != expected:
            wrong.append(f"{entry.method} {url} ({entry.endpoint}): expected {expected}, got {got}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_post_only_endpoints_refuse_get(app, client, world):
    sign_in(client, world.users["admin"])
    adapter = app.url_map.bind("localhost")
    for entry in TABLE:
        url = url_of(app, world, entry)
        if entry.method == "POST" and not adapter.test(url.split("?")[0], method="GET"):
            assert client.get(url).status_code == 405, url


@pytest.mark.parametrize("role", ["staff", "liaison", "admin"])
def test_posts_without_csrf_token_are_rejected(app, client, world, role, monkeypatch):
    sign_in(client, world.users[role])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    for entry in TABLE:
        if entry.endpoint.startswith("api.") and entry.method != "GET":  # a cookie never opens the API
            assert send(client, url_of(app, world, entry), entry.method, {}).status_code == 401, entry
        elif entry.method == "POST" and entry.endpoint != "auth.logout":
            url = url_of(app, world, entry)
            response = client.post(url, data=resolve(world, entry.form))
            assert response.status_code == 400, (url, response.status_code)
            assert "The form expired or was not sent from this site" in response.get_data(as_text=True)
    assert client.post("/auth/logout").status_code == 400  # still signed in: the sign-out was refused too
    assert client.get("/auth/preferences").status_code == 200


def test_sign_in_without_csrf_token_is_rejected(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = world.users["staff"]
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["viewer", "liaison"])
def test_confidential_profile_is_absent_for_viewer_and_liaison(client, world, role):
    sign_in(client, world.users[role])
    html = client.get(f"/organisations/{world.member}").get_data(as_text=True)
    assert "Miembro Propio SAC" in html
    for secret in ("emission-profile", "98765", "98,765", "MWh", "u-POPs"):
        assert secret not in html, secret
    if role == "liaison":  # viewers read interactions; liaisons never do
        assert "Reunión reservada" not in html and "Enviar propuesta" not in html


@pytest.mark.parametrize("role", ["viewer", "liaison"])
def test_measured_results_are_absent_for_viewer_and_liaison(client, world, role):
    sign_in(client, world.users[role])
    html = client.get(f"/organisations/{world.member}").get_data(as_text=True)
    for secret in ('id="results"', "19753", "19,753", "tCO2eq", "/results/"):
        assert secret not in html, secret


def test_confidential_profile_is_shown_to_the_technical_team(client, world):
    sign_in(client, world.users["staff"])
    html = client.get(f"/organisations/{world.member}").get_data(as_text=True)
    assert 'id="emission-profile"' in html and "98,765.43" in html and "Reunión reservada" in html
