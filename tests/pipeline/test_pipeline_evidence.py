"""Evidence pending: a signed letter of interest without its scan is marked on the board, the
organisation page and My work until the scan is uploaded."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select

from crm.extensions import db
from crm.main import services
from crm.models import Document, Letter
from tests.test_query_counts import counted

MARK = "Evidence pending"


def scan(org) -> Document:
    """Attach a scan to every signed letter of interest of the company."""
    document = Document(
        storage_name=secrets.token_hex(16),
        original_name="carta.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    db.session.add(document)
    db.session.flush()
    for letter in db.session.scalars(select(Letter).where(Letter.organisation_id == org.id)):
        letter.document_id = document.id
    db.session.commit()
    return document


def card(page: str, engagement_id: int) -> str:
    """Return the HTML of one board card."""
    match = re.search(rf'<li class="deal[^"]*" id="engagement-{engagement_id}".*?</li>', page, re.S)
    assert match, engagement_id
    return match.group(0)


def article(page: str, engagement_id: int) -> str:
    """Return the HTML of one engagement of the organisation page's pipeline section."""
    pattern = rf'<article class="engagement" id="engagement-{engagement_id}".*?</article>'
    match = re.search(pattern, page, re.S)
    assert match, engagement_id
    return match.group(0)


def section(page: str, key: str) -> str:
    """Return the HTML of one section of the start page."""
    match = re.search(rf'<section class="card" id="{key}">.*?</section>', page, re.S)
    assert match, key
    return match.group(0)


def world(make_org, make_engagement, make_letter, owner):
    """Engagements past the gate with and without a scan, and one before the gate with a letter."""
    unscanned = make_engagement(make_org("Sin Escaneo SAC", owner_id=owner.id), stage="loi_signed")
    later = make_engagement(make_org("Evaluada Sin Escaneo SAC", owner_id=owner.id), stage="assessed")
    scanned_org = make_org("Escaneada SAC", owner_id=owner.id)
    scanned = make_engagement(scanned_org, stage="assessed")
    scan(scanned_org)
    early_org = make_org("Reunida SAC", owner_id=owner.id)
    early = make_engagement(early_org, stage="meeting_held")
    make_letter(early_org)  # signed, not scanned, but the gate is not passed yet
    return unscanned, later, scanned, early


def test_board_card_marks_evidence_pending(client, staff, make_org, make_engagement, make_letter):
    unscanned, later, scanned, early = world(make_org, make_engagement, make_letter, staff)
    page = client.get("/pipeline/").get_data(as_text=True)
    assert MARK in card(page, unscanned.id) and MARK in card(page, later.id)
    assert MARK not in card(page, scanned.id) and MARK not in card(page, early.id)
    scan(unscanned.organisation)
    page = client.get("/pipeline/").get_data(as_text=True)
    assert MARK not in card(page, unscanned.id)


def test_board_card_mark_is_in_spanish_by_default(client, login, make_user, make_org, make_engagement):
    user = login(make_user("staff"))
    engagement = make_engagement(make_org("Sin Escaneo SAC", owner_id=user.id), stage="loi_signed")
    page = client.get("/pipeline/").get_data(as_text=True)
    assert "Evidencia pendiente" in card(page, engagement.id)


def test_a_scanned_letter_for_the_programme_clears_an_unscanned_general_one(
    client, staff, make_org, make_engagement, make_letter, zis
):
    org = make_org("Dos Cartas SAC")
    engagement = make_engagement(org, stage="loi_signed")  # an unscanned letter naming no programme
    other = make_letter(org, zis)
    assert MARK in card(client.get("/pipeline/").get_data(as_text=True), engagement.id)
    other.document_id = scan(make_org("Otra SAC")).id
    db.session.commit()
    assert MARK not in card(client.get("/pipeline/").get_data(as_text=True), engagement.id)


def test_organisation_page_marks_the_engagement(client, staff, make_org, make_engagement, make_letter):
    unscanned, _later, scanned, early = world(make_org, make_engagement, make_letter, staff)
    page = client.get(f"/organisations/{unscanned.organisation_id}").get_data(as_text=True)
    assert MARK in article(page, unscanned.id)
    assert "Missing scan" in section(page, "letters")
    for engagement in (scanned, early):
        page = client.get(f"/organisations/{engagement.organisation_id}").get_data(as_text=True)
        assert MARK not in article(page, engagement.id)


def test_my_work_lists_my_engagements_with_evidence_pending(
    client, login, en_user, make_org, make_engagement, make_letter
):
    me, colleague = en_user("staff"), en_user("staff")
    world(make_org, make_engagement, make_letter, me)
    make_engagement(make_org("Ajena Sin Escaneo SAC", owner_id=colleague.id), stage="loi_signed")
    login(me)
    block = section(client.get("/").get_data(as_text=True), "evidence")
    assert "Signed letters without a scan" in block
    assert "Sin Escaneo SAC" in block and "Evaluada Sin Escaneo SAC" in block
    for name in ("Escaneada SAC", "Reunida SAC", "Ajena Sin Escaneo SAC"):
        assert f">{name}<" not in block
    assert re.search(r'href="/letters/\d+/edit"', block)


def test_my_work_shows_managers_every_engagement_with_evidence_pending(
    client, login, en_user, make_org, make_engagement, make_letter
):
    me, manager = en_user("staff"), en_user("manager")
    world(make_org, make_engagement, make_letter, me)
    login(manager)
    block = section(client.get("/work").get_data(as_text=True), "evidence")
    assert ">Sin Escaneo SAC<" in block and ">Evaluada Sin Escaneo SAC<" in block
    assert ">Escaneada SAC<" not in block


def test_pending_is_one_sql_statement_whatever_the_rows(app, make_org, make_engagement, en_user):
    me = en_user("staff")
    for i in range(3):
        make_engagement(make_org(f"Pendiente {i}", owner_id=me.id), stage="loi_signed")
    assert me.role == "staff"  # loads the user (expired by the commits) before counting
    with counted() as few:
        assert len(services.evidence_pending(me).items) == 3
    for i in range(3, 15):
        make_engagement(make_org(f"Pendiente {i}", owner_id=me.id), stage="loi_signed")
    assert me.role == "staff"
    with counted() as many:
        found = services.evidence_pending(me)
    assert len(many) == len(few) == 1
    assert len(found.items) == services.LIST_LIMIT and found.more
