"""An import moving companies through the pipeline, and its undo, keep stage_reach equal to the history."""

from __future__ import annotations

from sqlalchemy import select
from test_imports_commit import FILE

from crm.extensions import db
from crm.models.pipeline import StageReach
from crm.pipeline import reach


def rows() -> tuple[set[tuple], set[tuple]]:
    """Return the stored stage_reach rows and those the history implies."""
    stored = {tuple(r) for r in db.session.execute(select(*[getattr(StageReach, c) for c in reach.COLUMNS]))}
    return stored, {tuple(r) for r in db.session.execute(reach.reach_rows())}


def test_import_and_undo_keep_stage_reach_current(client, admin, make_org, imported, undone):
    make_org("Sociedad Nacional de Industrias", kind="association", trade_name="SNI")
    batch = imported(FILE)
    assert batch.status == "done", batch.error
    stored, expected = rows()
    assert stored == expected and len(stored) == 1
    undone(batch.id)
    assert rows() == (set(), set())
