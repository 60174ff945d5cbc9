"""Daily journeys of issue 13 in a real browser, in Spanish, at 1366×768 (and the search on a phone too).

1. Staff: the header's search box finds a company and one of its people from part of the name typed without
   accents, and opens the person.
2. Manager: filters the organisation list, ticks three companies, gives them a new owner in one bulk action,
   then saves the filters as a view and opens the list again from the view's chip.
3. Manager: edits two fields of a company in one save, reads the history in words and restores the whole
   save (the one-field restore is in test_record_journeys.py).
4. Manager: lands on the dashboard, reads the funnel and the overdue letters built here, and follows the
   overdue tile to the filtered letters list.
5. Staff: filters the contact list, saves the filters as a shared view and opens the list again from its chip.
6. Liaison: saves one member's row in place, then ticks two members and gives them a new status in one go
   (desktop and phone).

The data is built with the fixtures and committed before the browser acts; the assertions read what the
page shows and what the database holds afterwards.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm import clock
from crm.extensions import db
from crm.models import ChangeLog, Contact, Letter, Membership, Organisation, SavedView
from tests.browser.conftest import sign_in
from tests.browser.test_browser_journeys import engage_with_history, fresh, programme
from tests.browser.test_layout_fits import SIZES, WIDTH
from tests.conftest import PASSWORD


def fits(page) -> None:
    """Fail when the document is wider than the window (something sticks out to the right)."""
    width, window = page.evaluate(WIDTH)
    assert width <= window, f"{page.url} is {width} px wide in a {window} px window"


# --- 1. the header's search box ----------------------------------------------------------------------


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_staff_finds_a_company_and_its_person_from_the_header_search_box(
    page, size, make_user, make_org, make_contact
):
    staff = make_user("staff", email=f"tomas.busca.{size}@pmu.pe", name="Tomás Busca")
    org = make_org("Metalúrgica Ventanilla Perú S.A.C.", trade_name="MetalVent")
    person = make_contact(org, "José", "Ramírez Núñez", email="jramirez@metalurgica-ventanilla.pe")
    make_org("Textil Ventura SAC")  # shares no word with the query: not found
    page.set_viewport_size(SIZES[size])
    sign_in(page, staff.email, PASSWORD)

    box = page.locator("form.topsearch #topsearch-q")
    expect(box).to_be_visible()
    expect(box).to_have_attribute("placeholder", "Buscar…")
    box.fill("metalurgica ventan")  # no accent, lower case, the second word cut short
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=metalurgica"))
    organisations, contacts = page.locator("#organisations"), page.locator("#contacts")
    expect(organisations.locator("h2")).to_have_text("Organizaciones")
    found = organisations.get_by_role("link", name="Metalúrgica Ventanilla Perú S.A.C. (MetalVent)")
    expect(found).to_have_attribute("href", f"/organisations/{org.id}")
    expect(organisations).not_to_contain_text("Textil Ventura")
    expect(contacts.get_by_role("link", name="José Ramírez Núñez")).to_be_visible()
    expect(contacts).to_contain_text("jramirez@metalurgica-ventanilla.pe")
    fits(page)

    contacts.get_by_role("link", name="José Ramírez Núñez").click()
    page.wait_for_url(f"**/contacts/{person.id}")
    expect(page.locator("h1")).to_contain_text("José Ramírez Núñez")
    expect(page.locator("main")).to_contain_text("Metalúrgica Ventanilla Perú S.A.C.")
    fits(page)
    stored = fresh(Contact, person.id)  # the page showed the stored person, at the stored company
    assert (stored.first_name, stored.organisation_id) == ("José", org.id)


# --- 2. bulk owner change and a saved view -----------------------------------------------------------


def test_manager_reassigns_three_filtered_companies_and_saves_the_filters_as_a_view(
    page, make_user, make_org
):
    manager = make_user("manager", email="mercedes.lote@pmu.pe", name="Mercedes Lote")
    before = make_user("staff", email="pablo.antes@pmu.pe", name="Pablo Antes")
    after = make_user("staff", email="nora.nueva@pmu.pe", name="Nora Nueva")
    lot = [make_org(f"Fundición Lote {name} SAC", owner_id=before.id) for name in ("Alfa", "Beta", "Gamma")]
    kept = make_org("Fundición Lote Delta SAC", owner_id=before.id)  # found, not ticked
    other = make_org("Química Distinta SAC", owner_id=before.id)  # not found
    page.set_viewport_size(SIZES["desktop"])
    sign_in(page, manager.email, PASSWORD)

    page.goto("/organisations/")
    page.fill("#q", "fundicion lote")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(r"q=fundicion\+lote"))
    expect(page.locator("p[role=status]")).to_contain_text("4 organizaciones")
    expect(page.get_by_role("link", name=other.legal_name)).to_have_count(0)

    for org in lot:
        page.check(f"input[name=ids][value='{org.id}']")
    page.locator("details.bulk > summary").click()
    expect(page.locator("details.bulk > summary")).to_contain_text("Acciones en lote")
    page.select_option("#action", "owner")
    page.select_option("#owner_id", label="Nora Nueva")
    page.locator("#bulk-form button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("3 organizaciones tienen un nuevo responsable.")
    page.wait_for_url(re.compile(r"q=fundicion\+lote"))  # back on the same filtered list
    for org in lot:
        row = page.locator("tbody tr", has=page.get_by_role("link", name=org.legal_name))
        expect(row).to_contain_text("Nora Nueva")
    expect(page.locator("tbody tr", has=page.get_by_role("link", name=kept.legal_name))).to_contain_text(
        "Pablo Antes"
    )
    assert [fresh(Organisation, org.id).owner_id for org in lot] == [after.id] * 3
    assert fresh(Organisation, kept.id).owner_id == before.id
    assert fresh(Organisation, other.id).owner_id == before.id
    audited = db.session.scalars(
        select(ChangeLog.entity_id).where(
            ChangeLog.entity_type == "organisation", ChangeLog.user_id == manager.id
        )
    ).all()
    assert set(audited) == {org.id for org in lot}  # each change in the history, by the manager

    # Save the filters as a view, then come back to them from the chip.
    page.locator("details.save-view > summary", has_text="Guardar estos filtros como vista").click()
    page.fill("#view-name", "Fundiciones del lote")
    page.get_by_role("button", name="Guardar vista").click()
    expect(page.locator(".flash")).to_contain_text("Fundiciones del lote")
    view = db.session.scalars(select(SavedView).where(SavedView.user_id == manager.id)).one()
    assert view.name == "Fundiciones del lote" and "q=fundicion+lote" in view.query

    page.goto("/organisations/")
    expect(page.locator("p[role=status]")).to_contain_text("5 organizaciones")
    chips = page.get_by_role("navigation", name="Vistas guardadas")
    chips.get_by_role("link", name="Fundiciones del lote").click()
    page.wait_for_url(re.compile(r"q=fundicion\+lote"))
    expect(chips.get_by_role("link", name="Fundiciones del lote")).to_have_attribute("aria-current", "true")
    expect(page.locator("#q")).to_have_value("fundicion lote")
    expect(page.locator("p[role=status]")).to_contain_text("4 organizaciones")
    expect(page.get_by_role("link", name=other.legal_name)).to_have_count(0)
    fits(page)


# --- 3. restoring a whole save from the history ------------------------------------------------------


def test_manager_undoes_a_whole_save_from_the_history_in_words(page, make_user, make_org):
    manager = make_user("manager", email="ines.historia@pmu.pe", name="Inés Historia")
    org = make_org("Curtiembre Huachipa SAC", trade_name="Curtiembre H", website="https://huachipa.pe")
    page.set_viewport_size(SIZES["desktop"])
    sign_in(page, manager.email, PASSWORD)

    # One save through the form changes two fields.
    page.goto(f"/organisations/{org.id}")
    page.locator(".actions").get_by_role("link", name="Editar").click()
    page.wait_for_url(f"**/organisations/{org.id}/edit")
    page.fill("#trade_name", "Cueros Huachipa")
    page.fill("#website", "https://cueros-huachipa.pe")
    page.locator("form:has(#trade_name) button[type=submit]").first.click()
    page.wait_for_url(re.compile(rf"/organisations/{org.id}(\?|#|$)"))
    profile = page.locator("#profile")
    expect(profile).to_contain_text("Cueros Huachipa")
    assert fresh(Organisation, org.id).website == "https://cueros-huachipa.pe"

    # The history tells it in words, grouped per save: labels, not column names.
    page.goto(f"/organisations/{org.id}#history")
    history = page.locator("#history")
    expect(history.locator("h2")).to_have_text("Historial de cambios")
    save = history.locator("li.save", has_text="Cueros Huachipa")
    expect(save).to_have_count(1)
    expect(save).to_contain_text("Nombre comercial")
    expect(save).to_contain_text("Sitio web")
    expect(save).to_contain_text("Curtiembre H → Cueros Huachipa")
    expect(save).to_contain_text("Inés Historia")
    expect(history).not_to_contain_text("trade_name")

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    save.get_by_role("button", name="Restaurar todo el guardado").click()
    expect(page.locator(".flash")).to_contain_text("Se deshizo el guardado: 2 campos restaurados.")
    assert questions == ["¿Devolver cada campo de este guardado a su valor anterior?"]
    expect(page.locator("#profile")).to_contain_text("Curtiembre H")
    expect(page.locator("#profile")).to_contain_text("https://huachipa.pe")
    expect(page.locator("#profile")).not_to_contain_text("Cueros Huachipa")

    restored = fresh(Organisation, org.id)
    assert (restored.trade_name, restored.website) == ("Curtiembre H", "https://huachipa.pe")
    last = db.session.scalars(select(ChangeLog).order_by(ChangeLog.id.desc())).first()
    assert last.user_id == manager.id and last.entity_id == org.id
    assert last.changes == {
        "trade_name": ["Cueros Huachipa", "Curtiembre H"],
        "website": ["https://cueros-huachipa.pe", "https://huachipa.pe"],
    }
    # The undo is itself a save in the history, newest first.
    page.goto(f"/organisations/{org.id}#history")
    expect(page.locator("#history li.save").first).to_contain_text("Cueros Huachipa → Curtiembre H")


# --- 4. the managers' dashboard ----------------------------------------------------------------------


def test_manager_lands_on_the_dashboard_and_follows_the_overdue_letters_tile(page, make_user, make_org):
    from crm.reports.services import period_bounds, period_of  # the app's import order, not ours

    manager = make_user("manager", email="dora.tablero@pmu.pe", name="Dora Tablero")
    today = clock.today()
    this_start, _end = period_bounds(period_of(today))
    last_start, _last_end = period_bounds(period_of(this_start - timedelta(days=1)))
    zis = programme()
    for n in range(3):
        engage_with_history(make_org(f"Contactada {n} SAC"), zis, ["contacted"], this_start)
    engage_with_history(make_org("Firmante SAC"), zis, ["contacted", "loi_signed"], this_start)
    for n in range(2):
        engage_with_history(make_org(f"Semestre Pasado {n} SAC"), zis, ["contacted"], last_start)
    late = [make_org("Atrasada Uno SAC"), make_org("Atrasada Dos SAC")]
    recent = make_org("Pedida Ayer SAC")
    for org, days in ((late[0], 45), (late[1], 31), (recent, 1)):
        db.session.add(
            Letter(
                kind="interest",
                status="requested",
                organisation_id=org.id,
                requested_on=today - timedelta(days=days),
            )
        )
    db.session.commit()
    page.set_viewport_size(SIZES["desktop"])

    sign_in(page, manager.email, PASSWORD)
    assert re.fullmatch(r"https?://[^/]+/", page.url), page.url  # the start page, no detour
    expect(page.locator("h1")).to_have_text("Buen día, Dora Tablero")

    funnel = page.locator("#funnel")
    expect(funnel.locator("h2")).to_have_text("Captación de este semestre")
    contacted, letters, conversion = (funnel.locator("tbody tr").nth(n).locator("td") for n in range(3))
    expect(contacted.nth(0)).to_contain_text(re.compile(r"^4\b"))  # 3 contacted + the one who signed
    expect(contacted.nth(0)).to_contain_text("▲ 2")
    expect(contacted.nth(1)).to_have_text("2")
    expect(letters.nth(0)).to_contain_text(re.compile(r"^1\b"))
    expect(letters.nth(1)).to_have_text("0")
    expect(conversion.nth(0)).to_contain_text("25")
    expect(conversion.nth(0)).to_contain_text("1/4")

    tile = page.locator("#overdue-letters")
    expect(tile.locator("h2")).to_contain_text("Cartas atrasadas")
    expect(tile.locator("h2 .badge")).to_have_text("2")
    expect(tile.locator("li")).to_have_count(2)
    expect(tile.locator("li").first).to_contain_text("Atrasada Uno SAC")  # the oldest first
    expect(tile).not_to_contain_text("Pedida Ayer SAC")
    fits(page)

    tile.get_by_role("link", name=re.compile("Ver todo")).click()
    page.wait_for_url(re.compile(r"/letters/\?overdue=1"))
    expect(page.locator("#overdue")).to_be_checked()
    table = page.locator("table tbody")
    for org in late:
        expect(table).to_contain_text(org.legal_name)
    expect(table).not_to_contain_text(recent.legal_name)
    expect(table.locator("tr")).to_have_count(2)
    overdue = db.session.scalars(
        select(Letter.organisation_id).where(
            Letter.status == "requested", Letter.requested_on < today - timedelta(days=30)
        )
    ).all()
    assert sorted(overdue) == sorted(org.id for org in late)


# --- 5. a saved view of the contact list -------------------------------------------------------------


def test_staff_saves_a_view_of_the_contact_list_and_reopens_it(page, make_user, make_org, make_contact):
    staff = make_user("staff", email="vera.vistas@pmu.pe", name="Vera Vistas")
    org = make_org("Cementos Vista Alegre SAC")
    make_contact(org, "Rosa", "Consultora Vista", gender="female", qualified_consultant=True)
    make_contact(org, "Raúl", "Gerente Vista", gender="male")
    page.set_viewport_size(SIZES["desktop"])
    sign_in(page, staff.email, PASSWORD)

    page.goto("/contacts/")
    page.select_option("#gender", "female")
    page.locator("form[role=search] > button[type=submit]").click()
    page.wait_for_url(re.compile(r"gender=female"))
    page.locator("details.save-view > summary", has_text="Guardar estos filtros como vista").click()
    page.fill("#view-name", "Mujeres")
    page.check("#view-shared")
    page.get_by_role("button", name="Guardar vista").click()
    expect(page.locator(".flash")).to_contain_text("Mujeres")
    view = db.session.scalars(select(SavedView).where(SavedView.user_id == staff.id)).one()
    assert (view.page, view.shared) == ("contacts", True) and "gender=female" in view.query

    page.goto("/contacts/")
    expect(page.locator("main")).to_contain_text("Gerente Vista")
    page.get_by_role("navigation", name="Vistas guardadas").get_by_role("link", name="Mujeres").click()
    page.wait_for_url(re.compile(r"gender=female"))
    expect(page.locator("#gender")).to_have_value("female")
    expect(page.locator("main")).to_contain_text("Consultora Vista")
    expect(page.locator("main")).not_to_contain_text("Gerente Vista")
    fits(page)


# --- 6. a liaison's bulk membership status -----------------------------------------------------------


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_liaison_gives_two_ticked_members_a_new_status_at_once(
    page, size, make_user, make_org, make_membership
):
    assoc = make_org("Asociación Textil del Rímac", kind="association")
    lapsing = [make_membership(make_org(f"Tejidos {name} SAC"), assoc) for name in ("Uno", "Dos")]
    kept = make_membership(make_org("Hilados Tres SAC"), assoc)
    liaison = make_user("liaison", email=f"enlace.lote.{size}@textil.pe", name="Elsa Lote")
    liaison.associations.append(assoc)
    db.session.commit()
    page.set_viewport_size(SIZES[size])
    sign_in(page, liaison.email, PASSWORD)
    page.wait_for_url(f"**/portal/{assoc.id}")

    # One row saved in place first (the portal's script): its box takes the new version, so the bulk
    # change that follows is not refused as based on an older copy.
    row = page.locator(f"#m-{lapsing[0].id}")
    row.locator("input[name=note]").fill("Revisado por teléfono")
    row.locator("form[data-row-save] button[type=submit]").click()
    expect(row.locator(".row-result")).to_have_class(re.compile(r"\bok\b"))
    for membership in lapsing:
        page.check(f"input[name=ids][value^='{membership.id}:']")
    page.select_option("#bulk-status-value", "lapsed")
    page.locator("#bulk-status button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("2 membresías actualizadas.")
    for membership in lapsing:  # the status column (after the box and the name) shows the new status
        expect(page.locator(f"#m-{membership.id} td").nth(2)).to_have_text("Vencido")
    expect(page.locator(f"#m-{kept.id} td").nth(2)).to_have_text("Activo")
    assert [fresh(Membership, m.id).status for m in (*lapsing, kept)] == ["lapsed", "lapsed", "active"]
    assert fresh(Membership, lapsing[0].id).last_reviewed_by_id == liaison.id
    fits(page)
