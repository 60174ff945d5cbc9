"""Logging a captured e-mail with an organisation found by typing part of its name, in chromium, in Spanish.

The review page never lists every organisation: as the user types, the field's datalist is filled with
the organisation pickers' matches (static/js/orgsuggest.js), each as "Name (#id)", which the page takes.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from crm.extensions import db
from crm.mailcapture.ingest import Fetched, Tally, ingest_batch
from crm.mailcapture.matching import load_address_book
from crm.mailcapture.services import save_mailbox
from crm.models import EmailMessage
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.test_browser_journeys import fresh
from tests.browser.test_daily_journeys import fits
from tests.browser.test_layout_fits import SIZES
from tests.conftest import PASSWORD
from tests.mailcapture.conftest import corpus
from tests.mailcapture.test_capture_views import MAILBOX, UNKNOWN, by_id


def capture_unknown(owner_id: int) -> EmailMessage:
    """Record the corpus e-mail whose sender nobody knows, as the shared mailbox's reader would."""
    mailbox = save_mailbox(None, {**MAILBOX, "owner_id": owner_id}, "imap-secret")
    ingest_batch(mailbox, load_address_book(), [Fetched(1, corpus("13_unknown_sender.eml"), None)], Tally())
    db.session.commit()
    return by_id(UNKNOWN)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_staff_logs_a_waiting_email_with_a_suggested_organisation(page, size, make_user, make_org):
    admin = make_user("admin", email=f"ana.buzon.{size}@pmu.pe", name="Ana Buzón")
    staff = make_user("staff", email=f"rosa.revisa.{size}@pmu.pe", name="Rosa Revisa")
    make_org("Fundición Callao SAC")
    lurin = make_org("Fundición Lurín SAC")
    make_org("Textil Ventura SAC")
    email = capture_unknown(admin.id)
    page.set_viewport_size(SIZES[size])
    sign_in(page, staff.email, PASSWORD)

    page.goto("/mail-capture/review")
    expect(page.locator("main")).not_to_contain_text("Textil Ventura")
    field = page.locator(f"#org-{email.id}")
    field.press_sequentially("fundicion lu", delay=40)
    options = page.locator(f"#org-{email.id}-matches option")
    expect(options).to_have_count(1)
    chosen = options.first.get_attribute("value")
    assert chosen == f"Fundición Lurín SAC (#{lurin.id})"
    fits(page)
    page.screenshot(path=str(ARTIFACTS / f"mail-review-suggest-{size}.png"), full_page=True)
    field.fill(chosen)  # what choosing the suggestion puts in the field
    page.get_by_role("button", name="Registrar con la organización").click()
    expect(page.locator(".flash").first).to_contain_text("Fundición Lurín SAC")
    assert fresh(EmailMessage, email.id).organisation_id == lurin.id
