"""The portal does each thing the one way (issue 12): boundary commits, UserError, named permissions.

The request commits or rolls back (crm.transactions); refusals are crm.errors.UserError; what a role may
see or do is a permission of crm.permissions, never a role name compared in the portal or in its scope.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm import permissions
from crm.extensions import db
from crm.models import FollowUp, Membership, Organisation, OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
ROLES = "admin|manager|staff|liaison|viewer"
SCOPES = ("visible_organisations", "visible_contacts", "visible_memberships", "editable_memberships")


def sources() -> list[Path]:
    """Return the portal's Python modules and templates (its __init__ wires the blueprint only)."""
    python = [p for p in (ROOT / "crm" / "liaison").glob("*.py") if p.name != "__init__.py"]
    return sorted(python) + sorted((ROOT / "templates" / "liaison").glob("*.html"))


def offending(pattern: str) -> list[str]:
    """Return 'file:line: text' for each line of the portal matching the pattern."""
    found = []
    for path in sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_no_commit_or_rollback_outside_the_request_boundary():
    assert offending(r"session\.(commit|rollback)\(") == []


def test_refusals_are_user_errors():
    assert offending(r"^class \w+\((ValueError|Exception|\w+Error)\)") == []
    assert offending(r"\b(LiaisonError|OrganisationError|DuplicateRucError|MembershipError)\b") == []


def test_no_role_names_compared():
    compares = offending(r"\.role\s*(==|!=|in\b|not\s+in\b)")
    literals = [line for line in offending(rf"""["']({ROLES})["']""") if "Blueprint(" not in line]
    assert compares + literals == []


def test_no_local_request_helpers():
    pattern = r"get_locale\(|config\[\"PAGE_SIZE\"\]|def (to_int|to_id|locale)\(|listing import.*to_id"
    assert offending(pattern) == []


@pytest.mark.parametrize("name", SCOPES)
def test_the_scopes_ask_permissions_not_roles(name):
    source = inspect.getsource(getattr(permissions, name))
    assert not re.search(r"\.role\b|\bTECH\b|\bREADERS\b", source)


def test_the_scope_follows_the_permission(world, monkeypatch):
    ids = visible_ids(world.liaison)
    assert world.other_member.id not in ids
    monkeypatch.setitem(permissions.PERMISSIONS, "scope.all_organisations", permissions.ALL)
    assert world.other_member.id in visible_ids(world.liaison)


def visible_ids(user) -> set[int]:
    """Return the ids of the organisations the user may see."""
    query = permissions.visible_organisations(user).with_only_columns(Organisation.id)
    return set(db.session.scalars(query))


def test_who_hears_of_a_referral_without_owner_is_a_permission(world, monkeypatch, en_user):
    from crm.liaison.services import referral_recipient

    admin = en_user("admin", name="Ada Admin")
    world.member2.owner_id = None
    db.session.commit()
    assert referral_recipient(world.member2).id == world.manager.id
    monkeypatch.setitem(permissions.PERMISSIONS, "referral.receive", frozenset({"admin"}))
    assert referral_recipient(world.member2).id == admin.id


def counts() -> tuple[int, int, int]:
    """Count memberships, follow-ups and queued e-mails."""
    return tuple(
        db.session.scalar(select(func.count()).select_from(m)) for m in (Membership, FollowUp, OutboxMessage)
    )


def test_a_refused_add_keeps_nothing_it_did_before_the_refusal(client, world, as_liaison, make_org):
    # Adding a company someone else keeps asks its owner (a follow-up and an e-mail) before the membership
    # is inserted; when the insert is refused, the redirect must not commit the question.
    company = make_org("Cementos Pendientes SAC", owner_id=world.staff.id)
    data = {"organisation_id": company.id, "status": "active", "programme_id": ""}
    assert client.post(f"/portal/{world.assoc.id}/add", data=data).status_code == 302
    before = counts()
    again = client.post(f"/portal/{world.assoc.id}/add", data=data, follow_redirects=True)
    assert (
        "Cementos Pendientes SAC is already a member of Sociedad Nacional de Industrias."
        in again.get_data(as_text=True)
    )
    db.session.expire_all()
    assert counts() == before
