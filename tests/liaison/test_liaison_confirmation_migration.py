"""Migration 0009: memberships recorded before it count as confirmed, and it downgrades cleanly."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from crm.extensions import db


def test_existing_memberships_migrate_as_confirmed(make_org):
    ids = {"c": make_org("Antigua Miembro SAC").id, "a": make_org("Gremio Antiguo", kind="association").id}
    db.session.close()
    downgrade(revision="0008")
    try:
        insert_old_membership(ids)
    finally:
        upgrade()  # the other tests need the head schema whatever happens here
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT confirmation, decided_by_id, follow_up_id FROM memberships")).one()
    assert tuple(row) == ("confirmed", None, None)


def insert_old_membership(ids: dict[str, int]) -> None:
    """Insert a membership the way the 0008 schema stores it."""
    assert "confirmation" not in {c["name"] for c in inspect(db.engine).get_columns("memberships")}
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO memberships (company_id, association_id, status, created_at, updated_at) "
                "VALUES (:c, :a, 'active', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            ids,
        )
