"""The events section of the organisation page: events its people attended, hidden from liaisons."""

from __future__ import annotations

from datetime import date

from crm.events.panels import org_panel


def test_org_page_lists_events_its_people_attended(
    client, login, en_user, make_org, make_contact, make_event
):
    org, other = make_org("Fundición Callao SAC"), make_org("Textil Lima SAC")
    ana, rosa = make_contact(org, "Ana", "Pérez"), make_contact(org, "Rosa", "Quispe")
    outsider = make_contact(other, "Oscar", "Otro")
    old = make_event("Charla 2024", [ana], held_on=date(2024, 1, 5))
    new = make_event("Curso 2025", [ana, rosa, outsider], held_on=date(2025, 2, 5))
    make_event("Taller sin ellos", [outsider])
    user = en_user("viewer")
    data = org_panel(user, org)
    assert [(event.title, people) for event, people in data["events"]] == [
        ("Curso 2025", 2),
        ("Charla 2024", 1),
    ]
    login(user)
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    block = page[page.index('id="events"') :].split("</section>")[0]
    assert f"/events/{new.id}" in block and f"/events/{old.id}" in block and "Taller sin ellos" not in block
    assert "2 people" in block and "1 person" in block
    empty = client.get(f"/organisations/{make_org('Sin eventos SAC').id}").get_data(as_text=True)
    assert "Nobody from this organisation has attended an event yet." in empty


def test_liaisons_do_not_get_the_section(client, login, liaison_world, make_event):
    make_event("Charla", [liaison_world.member_contact])
    assert org_panel(liaison_world.liaison, liaison_world.member) is None
    login(liaison_world.liaison)
    page = client.get(f"/organisations/{liaison_world.member.id}").get_data(as_text=True)
    assert 'id="events"' not in page and "Charla" not in page
