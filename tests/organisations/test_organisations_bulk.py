"""Bulk actions on the organisation list: one action on the ticked rows or on all found, all or nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from crm.clock import today
from crm.extensions import db
from crm.models import ChangeLog, Event, FollowUp, Invitation, Organisation, OutboxMessage


def post(client, form: dict, query: str = ""):
    """Send the bulk form (query: the list's filters, as the form's action carries them)."""
    return client.post(f"/organisations/bulk{query}", data=form)


def owners(*orgs) -> list[int | None]:
    """Return the organisations' owners as stored."""
    return [db.session.get(Organisation, org.id).owner_id for org in orgs]


def test_reassigning_the_ticked_organisations_records_each_change(client, staff, make_user, make_org):
    colleague = make_user("staff", name="Carla Colega")
    first, second, untouched = make_org("Alfa SAC"), make_org("Beta SAC"), make_org("Gamma SAC")
    response = post(client, {"action": "owner", "owner_id": colleague.id, "ids": [first.id, second.id]})
    assert response.status_code == 302
    db.session.expire_all()
    assert owners(first, second, untouched) == [colleague.id, colleague.id, None]
    changes = db.session.scalars(select(ChangeLog).where(ChangeLog.entity_type == "organisation")).all()
    updates = [c for c in changes if c.action == "update" and "owner_id" in c.changes]
    assert sorted(c.entity_id for c in updates) == sorted([first.id, second.id])
    assert len({c.save_id for c in updates}) == 1  # one transaction: one save in the history
    assert "2 organisations have a new owner." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_every_organisation_found_by_the_filters(client, staff, make_user, make_org):
    colleague = make_user("staff")
    found = [make_org("Fundición Norte SAC"), make_org("Fundición Sur SAC")]
    other = make_org("Textil Centro SAC")
    form = {"action": "owner", "owner_id": colleague.id, "everything": "y"}
    assert post(client, form, "?q=fundicion").status_code == 302
    db.session.expire_all()
    assert owners(*found, other) == [colleague.id, colleague.id, None]


def test_one_unknown_organisation_refuses_the_whole_action(client, staff, make_user, make_org):
    colleague = make_user("staff")
    org = make_org("Alfa SAC")
    response = post(client, {"action": "owner", "owner_id": colleague.id, "ids": [org.id, 987654]})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "1 of the selected organisations is not within your scope; nothing was changed." in page
    assert f'value="{org.id}" form="bulk-form" checked' in page  # the ticks survive the refusal
    db.session.expire_all()
    assert owners(org) == [None]


def test_an_inactive_or_unknown_owner_is_refused(client, staff, make_user, make_org):
    gone = make_user("staff", active=False)
    org = make_org("Alfa SAC")
    for owner in (gone.id, 987654, ""):
        response = post(client, {"action": "owner", "owner_id": owner, "ids": [org.id]})
        assert response.status_code == 400
        assert "Choose an active staff member as the new owner." in response.get_data(as_text=True)
    db.session.expire_all()
    assert owners(org) == [None]


def test_a_follow_up_on_each_organisation_without_a_flood_of_mail(client, staff, make_user, make_org):
    colleague = make_user("staff")
    orgs = [make_org(f"Empresa {n} SAC") for n in range(3)]
    due = today() + timedelta(days=5)
    form = {"action": "follow_up", "description": "Llamar por la carta", "assignee_id": colleague.id}
    response = post(client, {**form, "due_on": due.isoformat(), "ids": [o.id for o in orgs]})
    assert response.status_code == 302
    made = db.session.scalars(select(FollowUp).order_by(FollowUp.organisation_id)).all()
    assert [(f.organisation_id, f.assignee_id, f.due_on) for f in made] == [
        (o.id, colleague.id, due) for o in orgs
    ]
    mails = select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient_id == colleague.id)
    assert db.session.scalar(mails) == 0  # not one e-mail per company: My work and the digest list them
    post(client, {**form, "due_on": due.isoformat(), "ids": [orgs[0].id]})
    assert db.session.scalar(mails) == 1  # a single follow-up is announced as on its own page


def test_a_follow_up_due_in_the_past_adds_none(client, staff, make_user, make_org):
    colleague = make_user("staff")
    orgs = [make_org("Alfa SAC"), make_org("Beta SAC")]
    form = {"action": "follow_up", "description": "Tarde", "assignee_id": colleague.id}
    past = (today() - timedelta(days=1)).isoformat()
    response = post(client, {**form, "due_on": past, "ids": [o.id for o in orgs]})
    assert response.status_code == 400
    assert "The due date cannot be in the past." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(FollowUp.id))) == 0


def test_nothing_ticked_is_explained(client, staff, make_org):
    make_org("Alfa SAC")
    response = post(client, {"action": "export_csv"})
    assert response.status_code == 400
    assert "Tick at least one organisation, or choose all those found." in response.get_data(as_text=True)


def test_exporting_the_selection_gives_only_the_ticked_rows(client, staff, make_org):
    chosen, _other = make_org("Alfa Exportada SAC"), make_org("Beta Quedada SAC")
    response = post(client, {"action": "export_csv", "ids": [chosen.id]})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert "Alfa Exportada SAC" in body and "Beta Quedada SAC" not in body


def test_the_selection_as_xlsx_says_what_was_ticked_on_its_about_sheet(client, staff, make_org):
    import io

    from openpyxl import load_workbook

    chosen, _other = make_org("Alfa Exportada SAC"), make_org("Beta Quedada SAC")
    response = post(client, {"action": "export_xlsx", "ids": [chosen.id]})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    about = [tuple(r) for r in book[book.sheetnames[-1]].iter_rows(values_only=True)]
    data = [r[1] for r in book[book.sheetnames[0]].iter_rows(min_row=2, values_only=True)]
    assert data == ["Alfa Exportada SAC"]
    assert any(r and "1" in str(r[-1]) and "ticked" in str(r[-1]) for r in about), about


def test_readers_see_no_bulk_form_and_cannot_post_it(client, login, make_user, make_org):
    org = make_org("Alfa SAC")
    login(make_user("viewer"))
    assert 'id="bulk-form"' not in client.get("/organisations/").get_data(as_text=True)
    assert post(client, {"action": "export_csv", "ids": [org.id]}).status_code == 404


def test_the_ticked_organisations_people_are_invited_to_an_event_once(client, staff, make_org, make_contact):
    first, second, untouched = make_org("Alfa SAC"), make_org("Beta SAC"), make_org("Gamma SAC")
    make_contact(first, "Ana", "Quispe", email="ana@alfa.pe", email_consent=True)
    make_contact(first, "Rosa", "Flores", email="rosa@alfa.pe", email_consent=False)
    make_contact(second, "Luis", "Huamán", email="luis@beta.pe", email_consent=True)
    make_contact(untouched, "Eva", "Soto", email="eva@gamma.pe", email_consent=True)
    event = Event(title="Charla", type="awareness", held_on=today() + timedelta(days=5), place="Callao")
    past = Event(title="Pasada", type="awareness", held_on=today() - timedelta(days=5), place="Callao")
    db.session.add_all([event, past])
    db.session.commit()
    form = {"action": "invite", "event_id": event.id, "ids": [first.id, second.id]}
    response = post(client, form)
    assert response.status_code == 302
    assert "2 invitations will be sent." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert post(client, form).status_code == 302  # a second time invites nobody again
    invited = db.session.scalars(select(Invitation.contact_id).order_by(Invitation.contact_id)).all()
    assert len(invited) == 2 and db.session.scalar(select(func.count(OutboxMessage.id))) == 2
    refused = post(client, {**form, "event_id": past.id})
    assert refused.status_code == 400 and "Choose an upcoming event." in refused.get_data(as_text=True)
