"""Reaching people: invite from the CRM → register from the e-mail → check in on a phone → the indicator."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from crm import clock
from crm.extensions import db
from crm.models import Attendance, Contact, Event, Registration
from crm.reports.indicators import awareness_people
from tests.browser.conftest import sign_in
from tests.browser.test_browser_journeys import PASSWORD, eventually, wait_for_mail
from tests.browser.test_layout_fits import SIZES


def test_invite_register_from_the_mail_check_in_on_a_phone_and_the_indicator_moves(
    page, fresh_page, live_server, make_user, make_org, make_contact
):
    staff = make_user("staff", email="rocio.eventos@pmu.pe", name="Rocío Eventos")
    org = make_org("Ladrillera Norte SAC")
    guest = make_contact(org, "Carmen", "Vargas", email="carmen@ladrillera-norte.pe", email_consent=True)
    make_contact(org, "Óscar", "Rojas", email="oscar@ladrillera-norte.pe", email_consent=False)
    event = Event(
        title="Charla de eficiencia en hornos",
        type="awareness",
        place="Trujillo",
        held_on=clock.today() + timedelta(days=7),
        created_by_id=staff.id,
    )
    db.session.add(event)
    db.session.commit()
    before = awareness_people(None)

    # The staff member invites the consenting people (Óscar did not consent: not invited).
    sign_in(page, staff.email, PASSWORD)
    page.goto(f"/events/{event.id}/invite")
    expect(page.locator("#recipients h2")).to_contain_text("1")
    page.get_by_role("button", name=re.compile("Enviar 1")).click()
    page.wait_for_url(f"**/events/{event.id}")

    # Carmen receives the invitation and registers from its link, on her phone, without an account.
    mail = wait_for_mail(live_server.smtp, guest.email)
    text = mail.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/inscripcion/\S+", text).group(0)
    tab = fresh_page()
    tab.set_viewport_size(SIZES["phone"])
    tab.goto(link)
    expect(tab.locator("input[name=last_name]")).to_have_value("Vargas")
    tab.select_option("select[name=gender]", "female")
    tab.get_by_role("button", name="Inscribirme").click()
    expect(tab.locator("main")).to_contain_text("quedó inscrito")
    eventually(lambda: db.session.scalar(select(Registration.contact_id)) == guest.id)

    # At the door, on a phone, the staff member finds her and ticks her arrival (one small request).
    page.set_viewport_size(SIZES["phone"])
    page.goto(f"/events/{event.id}/checkin?q=vargas")
    row = page.locator(f"#person-{guest.id}")
    row.locator("form[data-tick=in] button").click()
    expect(row.locator(".badge.ok")).to_be_visible()
    assert page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]") == [390, 390]

    def attended() -> bool:
        db.session.expire_all()
        return (
            db.session.scalar(select(Attendance.contact_id).where(Attendance.event_id == event.id))
            == guest.id
        )

    eventually(attended)
    db.session.expire_all()
    assert db.session.get(Contact, guest.id).gender == "female"  # her own link filled the unknown gender
    page.goto(f"/events/{event.id}")
    women = page.locator("#genders tbody tr").first  # Mujer: invited, registered, attended
    expect(women).to_contain_text("1")
    expect(women.locator("td").nth(2)).to_have_text("1")
    assert awareness_people(None) == before + 1
