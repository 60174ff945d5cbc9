"""Training modules: the reference list, the event form's select, the counts per theme, the migration."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from crm.extensions import db
from crm.models import Attendance, Event, TrainingModule


def module(code: str) -> TrainingModule:
    """Return a module the migration seeded."""
    return db.session.scalar(select(TrainingModule).where(TrainingModule.code == code))


def trained(title: str, code: str, *people) -> None:
    """Add a training of a module with its attendees."""
    event = Event(title=title, type="training", held_on=date(2025, 6, 10), online=True)
    event.training_module_id = module(code).id
    db.session.add(event)
    db.session.flush()
    db.session.add_all(Attendance(event_id=event.id, contact_id=person.id) for person in people)
    db.session.commit()


def test_event_form_offers_active_modules_and_saves_the_choice(client, login, en_user):
    login(en_user("staff"))
    chemicals, retired = module("M2"), module("M7")
    retired.active = False
    db.session.commit()
    form = client.get("/events/new").get_data(as_text=True)
    assert f'value="{chemicals.id}"' in form and f'value="{retired.id}"' not in form
    data = {"title": "Curso COP", "type": "training", "held_on": "2025-06-10", "place": "Callao"}
    refused = client.post("/events/new", data=data | {"training_module_id": str(retired.id)})
    assert refused.status_code == 400 and "Choose one of the training modules." in refused.get_data(
        as_text=True
    )
    assert (
        client.post("/events/new", data=data | {"training_module_id": str(chemicals.id)}).status_code == 302
    )
    event = db.session.scalar(select(Event))
    assert event.training_module_id == chemicals.id
    assert "Sound chemicals management" in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_admin_edits_the_list_and_staff_cannot(client, login, en_user):
    login(en_user("staff"))
    assert client.get("/training/admin/modules").status_code == 404
    client.post("/auth/logout")
    login(en_user("admin"))
    assert "M5" in client.get("/training/admin/modules").get_data(as_text=True)
    new = {"code": "M9", "name_es": "Módulo 9", "name_en": "Module 9", "theme": "recp", "active": "y"}
    assert client.post("/training/admin/modules/new", data=new).status_code == 302
    assert client.post("/training/admin/modules/new", data=new).status_code == 422  # the code is taken
    assert module("M9").theme == "recp" and module("M9").active
    client.post(f"/training/admin/modules/{module('M9').id}/active")
    assert not module("M9").active


def test_events_report_counts_people_and_women_per_theme(client, login, en_user, make_contact):
    ana, eva = make_contact(None, "Ana", gender="female"), make_contact(None, "Eva", gender="female")
    luis = make_contact(None, "Luis", gender="male")
    trained("Curso 1", "M1", ana, luis)
    trained("Curso 2", "M3", ana, eva)
    trained("Curso 3", "M2", luis)
    login(en_user("manager"))
    html = client.get("/reports/events").get_data(as_text=True)
    themes = html[html.index("Trainings by theme") :]
    recp = themes[themes.index("RECP / energy efficiency") :].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in recp.split("</td>")[1:6]]
    assert cells == ["2", "2", "3", "2", "66.7 %"], cells  # modules, trainings, people, women, share
    assert "Trainings by module" in html and "M3 – Module 3" in html


def test_migration_maps_free_text_to_modules(app):
    downgrade(revision="0027_org_name_key")
    events = sa.table(
        "events",
        *(
            sa.column(c)
            for c in (
                "title",
                "type",
                "held_on",
                "training_module",
                "online",
                "gender_specific",
                "registration_open",
                "version_id",
                "created_at",
                "updated_at",
            )
        ),
    )
    now = sa.func.current_timestamp()
    common = {
        "type": "training",
        "held_on": date(2024, 1, 1),
        "online": True,
        "gender_specific": False,
        "registration_open": False,
        "version_id": 1,
        "created_at": now,
        "updated_at": now,
    }
    texts = ["Módulo 2 – Inventario y reducción de COP no intencionales", "m5", "Otro curso"]
    with db.engine.begin() as conn:
        for n, text in enumerate(texts):
            conn.execute(events.insert().values(title=f"E{n}", training_module=text, **common))
    upgrade()
    db.session.remove()
    found = dict(db.session.execute(select(Event.title, Event.training_module_id)).all())
    assert found == {"E0": module("M2").id, "E1": module("M5").id, "E2": None}
    assert db.session.scalar(select(Event.training_module).where(Event.title == "E2")) == "Otro curso"
    assert db.session.query(Attendance).count() == 0
