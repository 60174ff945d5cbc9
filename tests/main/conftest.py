"""Fixtures for the start-page tests: a staff member's companies, engagements, letters and tasks."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from crm.clock import today
from crm.extensions import db
from crm.models import Engagement, FollowUp, Interaction, Letter, Programme, utcnow

# The thresholds the tests assume (set on the app, so they do not depend on config defaults).
STALE_BY_STAGE = {"identified": 60, "contacted": 21, "meeting_held": 30, "loi_signed": 30}
STALE_DEFAULT = 30


@pytest.fixture
def thresholds(app, monkeypatch):
    """Pin the quiet-days thresholds on the app; return (by stage, default)."""
    monkeypatch.setitem(app.config, "STALE_DAYS_BY_STAGE", dict(STALE_BY_STAGE))
    monkeypatch.setitem(app.config, "STALE_DAYS_DEFAULT", STALE_DEFAULT)
    return dict(STALE_BY_STAGE), STALE_DEFAULT


def programme(code: str) -> Programme:
    """Return a seeded programme."""
    return db.session.scalar(select(Programme).where(Programme.code == code))


@pytest.fixture
def portfolio(en_user, make_org, thresholds):
    """Companies owned by one staff member, at various stages, last contacted N days ago."""
    me, colleague = en_user("staff", name="Sofía Staff"), en_user("staff", name="Carlos Colega")
    zis, pei = programme("ZIS-CALLAO"), programme("PEI")
    day = today()

    def company(name, engagements=(), quiet=None, owner=me, kind="company"):
        """Create an owned organisation with (programme, stage) engagements, last contacted quiet days ago."""
        org = make_org(name, kind=kind, owner_id=owner.id)
        for prog, stage in engagements:
            db.session.add(
                Engagement(organisation_id=org.id, programme_id=prog.id, stage=stage, stage_since=day)
            )
        if quiet is not None:
            for days in (quiet, quiet + 10):  # the latest interaction is the one that counts
                db.session.add(
                    Interaction(
                        organisation_id=org.id,
                        kind="call",
                        occurred_on=day - timedelta(days=days),
                        staff_id=me.id,
                        summary="Llamada",
                    )
                )
        db.session.commit()
        return org

    orgs = {
        "old_identified": company("Identificada Vieja SAC", [(zis, "identified")], quiet=61),
        "recent_identified": company("Identificada Reciente SAC", [(zis, "identified")], quiet=60),
        "contacted": company("Contactada SAC", [(zis, "contacted")], quiet=22),
        "recent_contacted": company("Contactada Reciente SAC", [(zis, "contacted")], quiet=21),
        "never": company("Nunca Contactada SAC", [(zis, "meeting_held")]),
        "assessed": company("Evaluada SAC", [(zis, "assessed")], quiet=31),
        "recent_assessed": company("Evaluada Reciente SAC", [(zis, "assessed")], quiet=30),
        "two": company("Dos Programas SAC", [(zis, "identified"), (pei, "contacted")], quiet=40),
        "withdrawn": company("Retirada SAC", [(zis, "withdrawn")]),
        "unengaged": company("Sin Compromiso SAC", quiet=31),
        "association": company("Gremio Propio", kind="association"),
        "theirs": company("Ajena SAC", [(zis, "identified")], owner=colleague),
    }
    return SimpleNamespace(me=me, colleague=colleague, zis=zis, pei=pei, day=day, **orgs)


@pytest.fixture
def add_letter():
    """Create a letter of interest requested by someone days_ago days ago."""

    def factory(org, requester, days_ago=None, status="requested", kind="interest"):
        requested_on = today() - timedelta(days=days_ago) if days_ago is not None else None
        letter = Letter(
            kind=kind,
            organisation_id=org.id,
            status=status,
            requested_on=requested_on,
            requested_by_id=requester.id,
        )
        db.session.add(letter)
        db.session.commit()
        return letter

    return factory


@pytest.fixture
def add_task():
    """Create a follow-up due in due_in days."""

    def factory(org, assignee, due_in, description, done=False):
        task = FollowUp(
            organisation_id=org.id,
            assignee_id=assignee.id,
            due_on=today() + timedelta(days=due_in),
            description=description,
        )
        if done:
            task.done_at = utcnow()
        db.session.add(task)
        db.session.commit()
        return task

    return factory
