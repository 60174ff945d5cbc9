"""The four journeys of issue 8 in a real browser, against the live server, its worker and a real SMTP server.

1. Outreach staff: search a company, log a meeting with a follow-up, move it along the board, record a
   signed letter of interest with its PDF, move it past the letter gate.
2. Association liaison: portal, confirm every member as reviewed, change a status with a note, create
   and refer a new company.
3. Manager: funnel and conversion by sector, a filter that changes the tables, XLSX export, print.
4. The assignee of a follow-up gets the e-mail and its link opens the right page after signing in.

The data each journey needs is built with the fixtures and committed before the browser acts; the
assertions read the database afterwards. Selectors use ids, names and URLs; a few Spanish words (checked
in the es catalogue) prove that the interface is Spanish.
"""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from email.message import EmailMessage

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import func, or_, select

from crm import clock
from crm.extensions import db
from crm.models import (
    ChangeLog,
    Document,
    Engagement,
    FollowUp,
    Interaction,
    Letter,
    Membership,
    Organisation,
    OutboxMessage,
    Programme,
    Sector,
    StageTransition,
)
from crm.ruc import make_ruc
from tests.browser.conftest import pass_second_step, sign_in
from tests.conftest import PASSWORD

MAIL_WAIT_SECONDS = 60


# --- helpers ---------------------------------------------------------------------------------------------


def tiny_pdf(text: str = "Carta de interes") -> bytes:
    """Return a small, valid one-page PDF (with a correct cross-reference table)."""
    content = f"BT /F1 12 Tf 20 50 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def programme(code: str = "ZIS-CALLAO") -> Programme:
    """Return a programme loaded by the migrations."""
    return db.session.scalars(select(Programme).filter_by(code=code)).one()


def sector(code: str) -> Sector:
    """Return an ISIC sector loaded by the migrations."""
    return db.session.scalars(select(Sector).filter_by(code=code)).one()


def fresh(model, row_id: int):
    """Read a row again from the database (the live server changed it)."""
    db.session.expire_all()
    return db.session.get(model, row_id)


def submit(page, form_selector: str) -> None:
    """Click the submit button of the form the selector names."""
    page.locator(f"{form_selector} button[type=submit]").first.click()


def engage_with_history(org: Organisation, prog: Programme, steps: list[str], since: date) -> Engagement:
    """Create an engagement that went through the stages one day apart, the first on `since`."""
    engagement = Engagement(
        organisation_id=org.id,
        programme_id=prog.id,
        stage=steps[-1],
        stage_since=since + timedelta(days=len(steps) - 1),
    )
    previous = None
    for offset, stage in enumerate(steps):
        engagement.transitions.append(
            StageTransition(from_stage=previous, to_stage=stage, occurred_on=since + timedelta(days=offset))
        )
        previous = stage
    if "loi_signed" in steps:  # past the gate means a signed letter, as the app requires
        db.session.add(
            Letter(
                kind="interest",
                status="signed",
                organisation_id=org.id,
                signed_on=since,
                programme_id=prog.id,
            )
        )
    db.session.add(engagement)
    db.session.commit()
    return engagement


def wait_for_mail(smtp, address: str, seconds: float = MAIL_WAIT_SECONDS) -> EmailMessage:
    """Poll the SMTP server's inbox until a message to the address arrives (or fail after `seconds`)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in list(smtp.messages):
            if address in str(message.get("To", "")):
                return message
        time.sleep(0.25)
    raise AssertionError(f"no e-mail to {address} within {seconds} s; outbox: {outbox_summary()}")


def eventually(check, seconds: float = 15) -> None:
    """Poll the database until check() holds (the worker writes after the SMTP server answered)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {seconds} s; outbox: {outbox_summary()}")
        time.sleep(0.25)
        db.session.expire_all()


def outbox_summary() -> list[tuple]:
    """Describe the outbox rows, to explain a missing e-mail."""
    db.session.expire_all()
    rows = db.session.execute(select(OutboxMessage.kind, OutboxMessage.status, OutboxMessage.last_error))
    return [tuple(row) for row in rows]


def cell_texts(row) -> list[str]:
    """Return the trimmed texts of a table row's cells."""
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def computed_display(page, selector: str) -> str:
    """Return the computed CSS display of the first element the selector matches."""
    return page.locator(selector).first.evaluate("el => getComputedStyle(el).display")


# --- 1. outreach staff --------------------------------------------------------------------------------


def test_outreach_staff_logs_a_meeting_moves_the_company_and_records_its_signed_letter(
    page, live_server, make_user, make_org, make_contact
):
    staff = make_user("staff", email="olga.outreach@pmu.pe", name="Olga Outreach")
    org = make_org("Fundición Recorrido S.A.C.", ruc=make_ruc("20", "55501234"))
    make_org("Textil Distinta SAC")
    signatory = make_contact(org, "Rosa", "Gerente", email="rosa@recorrido.pe")
    zis = programme()
    today = clock.today()
    due = today + timedelta(days=7)
    pdf = tiny_pdf()

    sign_in(page, staff.email, PASSWORD)
    assert page.locator("html").get_attribute("lang") == "es-PE"

    # Find the company by searching the organisation list.
    page.goto("/organisations/")
    page.fill("#q", "recorrido")
    page.press("#q", "Enter")
    page.wait_for_url("**q=recorrido**")
    expect(page.get_by_role("link", name="Textil Distinta SAC")).to_have_count(0)
    page.get_by_role("link", name=org.legal_name).click()
    page.wait_for_url(f"**/organisations/{org.id}")

    # Log a meeting with a follow-up for oneself.
    page.get_by_role("link", name="Registrar interacción").first.click()
    page.wait_for_url(f"**/interactions/new?organisation_id={org.id}")
    page.select_option("#kind", "meeting")
    page.check(f"input[name=contact_ids][value='{signatory.id}']")
    page.fill("#summary", "Reunión con gerencia: interés en diagnóstico energético del horno de inducción.")
    page.fill("#next_step", "Enviar modelo de carta de interés")
    page.fill("#follow_up_due", due.isoformat())
    page.select_option("#follow_up_assignee", str(staff.id))
    page.fill("#follow_up_description", "Llamar para recoger la carta firmada")
    submit(page, "form:has(#summary)")
    page.wait_for_url(f"**/organisations/{org.id}")
    expect(page.locator(".flash-success")).to_contain_text("Interacción registrada")

    # Engage the company in the programme from its page.
    page.select_option("#engage-programme_id", str(zis.id))
    page.select_option("#engage-to_stage", "contacted")
    submit(page, f"form[action$='/pipeline/organisations/{org.id}/engage']")
    page.wait_for_url(f"**/organisations/{org.id}#pipeline")
    engagement = db.session.scalars(select(Engagement).filter_by(organisation_id=org.id)).one()

    # Move it along the board with the card's move page: contacted → meeting held.
    page.goto(f"/pipeline/?programme={zis.id}")
    card = page.locator(f"#engagement-{engagement.id}")
    expect(card).to_have_attribute("data-next", "meeting_held")
    page.goto(card.locator("a.deal-move").get_attribute("href"))  # the move page, as without script
    page.wait_for_url(f"**/engagements/{engagement.id}/move?**")
    expect(page.locator("#to_stage")).to_have_value("meeting_held")
    submit(page, "form:has(#to_stage)")
    page.wait_for_url("**/pipeline/?**")
    expect(page.locator('[data-count="meeting_held"]')).to_have_text("1")

    # Record the signed letter of interest with its scan.
    page.goto(f"/organisations/{org.id}")
    page.locator(f"a[href$='/letters/new?organisation_id={org.id}']").click()
    page.select_option("#kind", "interest")
    page.select_option("#status", "signed")
    page.select_option("#programme_id", str(zis.id))
    page.select_option("#signatory_id", str(signatory.id))
    page.fill("#signed_on", today.isoformat())
    page.set_input_files(
        "#document", files=[{"name": "carta-interes.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    submit(page, "form.letter-form")
    page.wait_for_url(re.compile(r"/letters/\d+$"))
    letter_id = int(page.url.rsplit("/", 1)[1])
    download = page.locator(f"a[href$='/letters/{letter_id}/document']").first
    expect(download).to_be_visible()
    assert page.request.get(download.get_attribute("href")).body() == pdf

    # The gate is satisfied: the move page asks for no letter, and the move to loi_signed goes through.
    page.goto(f"/pipeline/?programme={zis.id}")
    card = page.locator(f"#engagement-{engagement.id}")
    expect(card).to_have_attribute("data-next", "loi_signed")
    page.goto(card.locator("a.deal-move").get_attribute("href"))  # the move page, as without script
    page.wait_for_url(f"**/engagements/{engagement.id}/move?**")
    expect(page.locator(".letter-gate")).to_have_count(0)
    submit(page, "form:has(#to_stage)")
    page.wait_for_url("**/pipeline/?**")
    expect(page.locator('[data-count="loi_signed"]')).to_have_text("1")

    engagement = fresh(Engagement, engagement.id)
    assert engagement.stage == "loi_signed"
    steps = [(t.from_stage, t.to_stage, t.by_id) for t in engagement.transitions]
    assert steps == [
        (None, "contacted", staff.id),
        ("contacted", "meeting_held", staff.id),
        ("meeting_held", "loi_signed", staff.id),
    ]
    letter = db.session.get(Letter, letter_id)
    assert (letter.kind, letter.status, letter.signed_on) == ("interest", "signed", today)
    assert (letter.organisation_id, letter.programme_id, letter.signatory_id) == (
        org.id,
        zis.id,
        signatory.id,
    )
    document = db.session.get(Document, letter.document_id)
    assert (document.content_type, document.size, document.original_name) == (
        "application/pdf",
        len(pdf),
        "carta-interes.pdf",
    )
    interaction = db.session.scalars(select(Interaction).filter_by(organisation_id=org.id)).one()
    assert (interaction.kind, interaction.staff_id, interaction.occurred_on) == ("meeting", staff.id, today)
    assert [c.id for c in interaction.contacts] == [signatory.id]
    follow_up = db.session.scalars(select(FollowUp).filter_by(organisation_id=org.id)).one()
    assert (follow_up.interaction_id, follow_up.assignee_id, follow_up.due_on) == (
        interaction.id,
        staff.id,
        due,
    )
    assert follow_up.description == "Llamar para recoger la carta firmada" and follow_up.done_at is None


# --- 2. association liaison ---------------------------------------------------------------------------


def test_liaison_reviews_members_changes_a_status_and_refers_a_new_company(
    page, live_server, make_user, make_org, make_membership
):
    assoc = make_org("Asociación de Fundidores del Callao", kind="association")
    other_assoc = make_org("Cámara Ajena de Comercio", kind="association")
    first = make_membership(make_org("Fundición Socia Uno SAC"), assoc)
    second = make_membership(make_org("Galvanizados Socio Dos SAC"), assoc)
    foreign = make_membership(make_org("Empresa De Otro Gremio SAC"), other_assoc)
    liaison = make_user("liaison", email="enlace@fundidores.pe", name="Lucía Enlace")
    liaison.associations.append(assoc)
    db.session.commit()
    manager = make_user("manager", email="coordinacion@pmu.pe", name="Marco Coordinador")
    zis = programme()
    ruc = make_ruc("20", "60708090")

    # Sign in: the liaison lands on the portal of her association, in Spanish.
    sign_in(page, liaison.email, PASSWORD)
    page.wait_for_url(f"**/portal/{assoc.id}")
    assert page.locator("html").get_attribute("lang") == "es-PE"
    expect(page.locator("#members h2")).to_have_text("Miembros")
    expect(page.locator(f"#m-{first.id}")).to_be_visible()
    expect(page.locator(f"#m-{foreign.id}")).to_have_count(0)

    # Confirm every listed member as reviewed (the button asks for confirmation first).
    page.once("dialog", lambda dialog: dialog.accept())
    submit(page, f"form[action$='/portal/{assoc.id}/confirm']")
    expect(page.locator(".flash-success")).to_contain_text("2")
    for membership in (first, second):
        assert fresh(Membership, membership.id).last_reviewed_at is not None
    assert fresh(Membership, foreign.id).last_reviewed_at is None

    # Change one member's status with a note (saved in place by the portal's script).
    row = page.locator(f"#m-{second.id}")
    row.locator("select[name=status]").select_option("lapsed")
    row.locator("input[name=note]").fill("Dejó de pagar las cuotas en marzo")
    row.locator("form[data-row-save] button[type=submit]").click()
    expect(row.locator(".row-result")).to_have_class(re.compile(r"\bok\b"))
    changed = fresh(Membership, second.id)
    assert (changed.status, changed.last_reviewed_by_id) == ("lapsed", liaison.id)
    notes = db.session.scalars(
        select(ChangeLog.changes).where(
            ChangeLog.entity_type == "membership", ChangeLog.entity_id == second.id
        )
    ).all()
    assert any((c or {}).get("note") == [None, "Dejó de pagar las cuotas en marzo"] for c in notes)
    assert fresh(Membership, first.id).status == "active"

    # Create a company that is not in the CRM yet and refer it to the programme.
    page.locator(f"a[href$='/portal/{assoc.id}/add']").click()
    page.wait_for_url(f"**/portal/{assoc.id}/add")
    page.fill("#legal_name", "Fundición Nueva Referida SAC")
    page.fill("#ruc", ruc)
    page.select_option("#sector_id", str(sector("24").id))
    page.select_option("#status", "prospective")
    page.select_option("#programme_id", str(zis.id))
    submit(page, f"form[action$='/portal/{assoc.id}/new-company']")
    page.wait_for_url(f"**/portal/{assoc.id}?**")
    expect(page.get_by_role("link", name="Fundición Nueva Referida SAC")).to_be_visible()

    db.session.expire_all()
    company = db.session.scalars(select(Organisation).filter_by(ruc=ruc)).one()
    assert (company.kind, company.legal_name, company.sector_id) == (
        "company",
        "Fundición Nueva Referida SAC",
        sector("24").id,
    )
    membership = db.session.scalars(select(Membership).filter_by(company_id=company.id)).one()
    assert (membership.association_id, membership.status) == (assoc.id, "prospective")
    engagement = db.session.scalars(select(Engagement).filter_by(organisation_id=company.id)).one()
    assert (engagement.programme_id, engagement.stage) == (zis.id, "identified")
    assert (engagement.source_association_id, engagement.referred_by_id) == (assoc.id, liaison.id)
    referral = db.session.scalars(select(OutboxMessage).filter_by(kind="referral")).one()
    assert (referral.recipient_id, referral.subject_type, referral.subject_id) == (
        manager.id,
        "engagement",
        engagement.id,
    )
    # The worker tells the manager (the company has no owner yet); waiting also lets it finish before cleanup.
    mail = wait_for_mail(live_server.smtp, manager.email)
    assert "Fundición Nueva Referida SAC" in mail.get_body(preferencelist=("plain",)).get_content()


# --- 3. manager -----------------------------------------------------------------------------------------


def contacted_in_section(code: str) -> int:
    """Count in SQL the companies of an ISIC section (or its divisions) that reached 'contacted'."""
    section = sector(code)
    later = ("contacted", "meeting_held", "loi_signed", "assessed", "technical_assistance")
    query = (
        select(func.count(func.distinct(Engagement.organisation_id)))
        .join(StageTransition, StageTransition.engagement_id == Engagement.id)
        .join(Organisation, Organisation.id == Engagement.organisation_id)
        .join(Sector, Sector.id == Organisation.sector_id)
        .where(StageTransition.to_stage.in_(later))
        .where(or_(Sector.id == section.id, Sector.parent_id == section.id))
    )
    return db.session.scalar(query)


def test_manager_filters_reports_exports_xlsx_and_prints(page, live_server, make_user, make_org, tmp_path):
    manager = make_user("manager", email="gerencia@pmu.pe", name="Marta Gerente")
    zis = programme()
    start = clock.today() - timedelta(days=60)
    metals, food, power = sector("24"), sector("10"), sector("D")
    world = [
        ("Fundición Embudo SAC", metals, ["contacted", "meeting_held", "loi_signed"]),
        ("Acería Embudo SAC", metals, ["contacted"]),
        ("Conservas Embudo SAC", food, ["contacted", "meeting_held"]),
        ("Termoeléctrica Embudo SAC", power, ["contacted", "meeting_held", "loi_signed"]),
    ]
    for name, where, steps in world:  # section C: 3 contacted, 1 letter; section D: 1 and 1
        engage_with_history(make_org(name, sector_id=where.id), zis, steps, start)

    sign_in(page, manager.email, PASSWORD)
    page.goto("/reports/")
    page.locator("#main a[href$='/reports/funnel']").first.click()
    page.wait_for_url("**/reports/funnel")
    expect(page.locator("h1")).to_have_text("Embudo de captación")
    contacted_row = page.locator("#funnel table.report tbody tr").nth(1)
    assert cell_texts(contacted_row)[1] == "4"

    # A sector filter narrows the funnel.
    page.select_option("#f-sector", str(power.id))
    submit(page, "form.report-filters")
    page.wait_for_url(f"**/reports/funnel?*sector={power.id}*")
    expect(page.locator("#funnel table.report tbody tr").nth(1).locator("td").nth(1)).to_have_text("1")

    # Conversion by sector: one row per ISIC section, then only the section chosen.
    page.locator("nav.report-nav a[href$='/reports/conversion']").click()
    page.wait_for_url("**/reports/conversion")
    rows = page.locator("#conversion table.report tbody tr")
    expect(rows).to_have_count(2)
    page.select_option("#f-sector", str(sector("C").id))
    submit(page, "form.report-filters")
    page.wait_for_url(f"**/reports/conversion?*sector={sector('C').id}*")
    expect(rows).to_have_count(1)
    shown = cell_texts(rows.first)
    assert shown[0].startswith("C – ") and shown[1:3] == ["3", "1"]

    # Export the filtered table as XLSX and check it against the page and the database.
    titles = page.locator("#conversion thead th").all_inner_texts()
    headers = [re.sub(r"\s*[▲▼]$", "", title.strip()) for title in titles]  # without the sort arrow
    with page.expect_download() as info:
        page.locator("#conversion a[href*='/reports/export/conversion/conversion.xlsx']").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0] == headers
    section_rows = [row for row in table[1:] if str(row[0]).startswith("C – ")]
    assert len(section_rows) == 1
    assert section_rows[0][1] == contacted_in_section("C") == 3
    assert not any(str(row[0]).startswith("D – ") for row in table[1:])

    # Print: navigation and filters disappear, the table stays, and chromium renders a PDF.
    page.emulate_media(media="print")
    for hidden in ("header.topbar", "nav.report-nav", "form.report-filters", "p.exports"):
        assert computed_display(page, hidden) == "none", hidden
    assert computed_display(page, "#conversion table.report") != "none"
    assert page.pdf()[:5] == b"%PDF-"


# --- 4. the follow-up e-mail ----------------------------------------------------------------------------


def test_assignee_gets_the_follow_up_email_and_its_link_opens_the_organisation_after_sign_in(
    page, fresh_page, live_server, make_user, make_org
):
    author = make_user("staff", email="ana.autora@pmu.pe", name="Ana Autora")
    assignee = make_user("staff", email="bruno.asignado@pmu.pe", name="Bruno Asignado")
    org = make_org("Cementera Aviso SAC")
    due = clock.today() + timedelta(days=3)
    task = "Enviar propuesta de diagnóstico a Cementera"

    # Staff A creates a follow-up for staff B from the organisation.
    sign_in(page, author.email, PASSWORD)
    page.goto(f"/interactions/follow-ups/new?organisation_id={org.id}")
    expect(page.locator("#organisation_id")).to_have_value(str(org.id))
    page.fill("#description", task)
    page.select_option("#assignee_id", str(assignee.id))
    page.fill("#due_on", due.isoformat())
    submit(page, "form:has(#description)")
    page.wait_for_url(f"**/organisations/{org.id}")
    follow_up = db.session.scalars(select(FollowUp).filter_by(organisation_id=org.id)).one()
    assert (follow_up.assignee_id, follow_up.created_by_id, follow_up.due_on) == (assignee.id, author.id, due)

    # The live server's worker delivers the e-mail to B at the SMTP server.
    message = wait_for_mail(live_server.smtp, assignee.email)
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert task in text and org.legal_name in text
    link = f"{live_server.url}/organisations/{org.id}"
    assert re.search(rf"{re.escape(link)}\b(?!/)", text), text
    assert f'href="{link}"' in html
    sent = db.session.scalars(select(OutboxMessage).filter_by(kind="follow_up_assigned")).one()
    assert (sent.recipient_id, sent.subject_type, sent.subject_id) == (assignee.id, "followup", follow_up.id)
    eventually(lambda: fresh(OutboxMessage, sent.id).status == "sent")

    # B opens the link in a browser where nobody is signed in, signs in, and lands on the organisation.
    tab = fresh_page()
    tab.goto(link)
    tab.wait_for_url("**/auth/login?**")
    tab.fill("input[name=email]", assignee.email)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(lambda url: "/auth/login" not in url)
    pass_second_step(tab, assignee.email)
    tab.wait_for_url(link)
    expect(tab.locator("h1")).to_contain_text(org.legal_name)
    expect(tab.locator(f"#follow-ups a[href$='/interactions/follow-ups/{follow_up.id}']")).to_have_text(task)
