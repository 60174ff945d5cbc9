"""The schema comes from Alembic alone: one head, no drift from the models, a working downgrade."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from crm.extensions import db
from crm.models import Letter


def script_directory() -> ScriptDirectory:
    """Return the project's Alembic scripts."""
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config)


def test_there_is_exactly_one_head():
    assert len(script_directory().get_heads()) == 1


def test_every_migration_has_a_readable_title_and_a_downgrade():
    for revision in script_directory().walk_revisions():
        assert revision.doc and len(revision.doc) > 5
        source = Path(revision.path).read_text()
        assert "def downgrade" in source and "pass\n\n\ndef" not in source.split("def downgrade")[1][:40]


def postgres_only_index(obj, name, type_, reflected, compare_to) -> bool:
    """Skip the search indexes (0007, 0017) and FTS5 tables (0017), as migrations/env.py does."""
    if type_ == "table" and name and name.startswith("fts_"):
        return False
    return not (type_ == "index" and name and name.endswith("_trgm"))


def test_upgraded_database_matches_the_models():
    with db.engine.connect() as conn:
        opts = {"compare_type": True, "include_object": postgres_only_index}
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_downgrade_to_base_and_upgrade_again():
    head = script_directory().get_current_head()
    downgrade(revision="base")
    assert "organisations" not in inspect(db.engine).get_table_names()
    upgrade()
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
    assert "organisations" in inspect(db.engine).get_table_names()


def test_sqlite_enforces_foreign_keys_and_0037_settles_what_earlier_deletions_left(make_org, make_contact):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL always enforced its foreign keys: 0037 does nothing there")
    gone, kept = make_org("Fundición Borrada SAC"), make_org("Textil Andina SAC")
    signatory = make_contact(kept, "Rosa", "Huamán")
    orphan = Letter(organisation_id=gone.id, kind="interest", status="signed", signatory_id=signatory.id)
    detached = Letter(organisation_id=kept.id, kind="interest", status="signed", signatory_id=signatory.id)
    db.session.add_all([orphan, detached])
    db.session.commit()
    ids = (gone.id, signatory.id, orphan.id, detached.id)
    db.session.remove()
    with db.engine.connect() as conn:  # the app's connections enforce keys: this one refuses a dangling id
        with pytest.raises(IntegrityError):
            conn.exec_driver_sql("UPDATE letters SET organisation_id = 999999 WHERE id = ?", (ids[3],))
        conn.rollback()
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")  # what every connection did before 0037
        conn.exec_driver_sql("DELETE FROM organisations WHERE id = ?", (ids[0],))
        conn.exec_driver_sql("DELETE FROM contacts WHERE id = ?", (ids[1],))
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys = ON")

    downgrade(revision="0036_cofinance_lines")
    upgrade()

    assert db.session.get(Letter, ids[2]) is None  # its organisation's deletion cascades, late
    assert db.session.get(Letter, ids[3]).signatory_id is None  # its signatory's deletion sets NULL
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
