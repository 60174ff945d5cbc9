"""The contact's "qualified consultant" flag only mirrors the registry: whatever sequence of contact form
saves, contact imports, API writes, history restores, registry changes and merges, flag == (a qualified
entry exists)."""

from __future__ import annotations

import io
import re
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import and_, exists, select

from crm.api import tokens
from crm.extensions import db
from crm.imports.jobs import run_import
from crm.models import ChangeLog, Consultant, Contact
from crm.models.consultant import ConsultantStatus

PEOPLE = 3
SERIAL = count(1)
INDEX = st.integers(0, PEOPLE - 1)
ACTIONS = st.one_of(
    st.tuples(st.just("form"), INDEX, st.booleans()),
    st.tuples(st.just("import"), INDEX, st.booleans()),
    st.tuples(st.just("api_patch"), INDEX, st.booleans()),
    st.tuples(st.just("api_create"), INDEX, st.booleans()),
    st.tuples(st.just("register"), INDEX, st.booleans()),
    st.tuples(st.just("status"), INDEX, st.sampled_from([s.value for s in ConsultantStatus])),
    st.tuples(st.just("merge"), INDEX, INDEX),
    st.tuples(st.just("restore"), INDEX, st.booleans()),
)


def drifted() -> list[int]:
    """Return the contacts whose flag disagrees with the registry."""
    qualified = exists().where(
        and_(Consultant.contact_id == Contact.id, Consultant.status == ConsultantStatus.QUALIFIED)
    )
    db.session.expire_all()
    return list(db.session.scalars(select(Contact.id).where(Contact.qualified_consultant != qualified)))


def people() -> list[Contact]:
    """Return the test's people, topping them up to PEOPLE after merges removed some."""
    found = list(
        db.session.scalars(select(Contact).where(Contact.email.like("%@flag.pe")).order_by(Contact.id))
    )
    while len(found) < PEOPLE:
        n = next(SERIAL)
        contact = Contact(first_name=f"Persona{n}", last_name=f"Prueba{n}", email=f"p{n}@flag.pe")
        db.session.add(contact)
        db.session.commit()
        found.append(contact)
    return found[:PEOPLE]


def entry_of(contact: Contact) -> Consultant | None:
    """Return a contact's registry entry."""
    return db.session.scalars(select(Consultant).where(Consultant.contact_id == contact.id)).first()


class Actor:
    """Does each action through its real entry point: pages, the import job, the API."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def form(self, person: Contact, tick: bool) -> None:
        data = {"first_name": person.first_name, "last_name": person.last_name, "gender": "not_recorded",
                "organisation_id": "", "email": person.email, "version": person.version_id}  # fmt: skip
        if tick:
            data["qualified_consultant"] = "y"
        response = self.client.post(f"/contacts/{person.id}/edit", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:800]

    def import_(self, person: Contact, tick: bool) -> None:
        """Import the person again with a new position (so the row is an update) and the flag column."""
        text = "Nombres;Apellidos;Correo;Cargo;Consultor calificado\n"
        text += f"{person.first_name};{person.last_name};{person.email};Cargo {next(SERIAL)};"
        text += f"{'sí' if tick else 'no'}\n"
        form = {"kind": "contacts", "upload": (io.BytesIO(text.encode()), "personas.csv")}
        response = self.client.post("/imports/new", data=form, content_type="multipart/form-data")
        ident = int(re.search(r"/imports/(\d+)", response.headers["Location"]).group(1))
        assert self.client.get(f"/imports/{ident}").status_code == 200
        assert self.client.post(f"/imports/{ident}/commit").status_code == 302
        assert run_import(ident) == "done"

    def api_patch(self, person: Contact, value: bool) -> None:
        headers = self.headers | {"If-Match": f'"{person.version_id}"'}
        body = {"position": "Consultora", "qualified_consultant": value}
        response = self.client.patch(f"/api/v1/contacts/{person.id}", json=body, headers=headers)
        assert response.status_code == 422  # refused whole: nothing else changed either
        assert "qualified_consultant" in response.get_json()["errors"]["json"]

    def api_create(self, person: Contact, value: bool) -> None:
        body = {"first_name": "Nueva", "last_name": person.last_name, "qualified_consultant": value}
        assert self.client.post("/api/v1/contacts", json=body, headers=self.headers).status_code == 422

    def register(self, person: Contact, qualified: bool) -> None:
        data = {"contact_id": person.id, "specialisms": ["recp"]}
        if qualified:
            data["qualified_on"] = "2026-01-15"
        assert self.client.post("/consultants/new", data=data).status_code in (302, 400)

    def status(self, person: Contact, status: str) -> None:
        consultant = entry_of(person)
        if consultant is not None:
            self.client.post(f"/consultants/{consultant.id}/status", data={"status": status})

    def restore(self, person: Contact, _whole: bool):
        """Try to put the flag back from the history (a manager's restore button)."""
        rows = select(ChangeLog).where(ChangeLog.entity_type == "contact", ChangeLog.entity_id == person.id)
        for row in db.session.scalars(rows.order_by(ChangeLog.id.desc())):
            if "qualified_consultant" in (row.changes or {}):
                form = {"field": "qualified_consultant", "next": f"/contacts/{person.id}"}
                return self.client.post(f"/changes/{row.id}/restore", data=form, follow_redirects=True)
        return None

    def merge(self, keep: Contact, drop: Contact) -> None:
        if keep.id == drop.id:
            return
        form = {f"choice_{name}": "keep" for name in ("first_name", "last_name", "email", "organisation_id")}
        form |= {"keep_version": keep.version_id, "drop_version": drop.version_id}
        assert self.client.post(f"/imports/merge/contacts/{keep.id}/{drop.id}", data=form).status_code == 302


@pytest.fixture
def actor(client, login, en_user):
    """Sign in a manager (who may do every action) and give them an API token."""
    manager = login(en_user("manager"))
    _token, secret = tokens.create_token(manager, "flag", 30, False)
    db.session.commit()
    return Actor(client, {"Authorization": f"Bearer {secret}"})


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(ACTIONS, min_size=1, max_size=8))
def test_the_flag_always_equals_a_qualified_registry_entry(actor, actions):
    for name, first, second in actions:
        everyone = people()
        target = everyone[first]
        if name == "merge":
            actor.merge(target, everyone[second])
        else:
            getattr(actor, "import_" if name == "import" else name)(target, second)
        assert drifted() == [], (name, first, second)


def test_a_ticked_form_import_or_api_call_never_makes_a_consultant(actor):
    rosa = people()[0]
    actor.form(rosa, True)
    actor.import_(rosa, True)
    actor.api_patch(rosa, True)
    db.session.expire_all()
    assert db.session.get(Contact, rosa.id).qualified_consultant is False and entry_of(rosa) is None
    actor.register(rosa, True)
    actor.form(rosa, False)  # unticking (the form has no such box any more) changes nothing
    actor.import_(rosa, False)
    refused = actor.restore(rosa, False)  # the history shows the flag's change but cannot undo it
    assert "cannot be restored from the history" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert (
        db.session.get(Contact, rosa.id).qualified_consultant is True and entry_of(rosa).status == "qualified"
    )
