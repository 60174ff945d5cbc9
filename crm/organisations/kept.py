"""A column of organisations kept equal to an aggregate of their rows in another table, in SQL.

One mechanism for every such column (the last interaction date, the furthest current stage): a flush
hook notes the organisations whose rows were added, deleted, moved or changed in a watched attribute and
recomputes their value on the flush's own connection, so it commits or rolls back with the change.
Writers that go around the ORM call refresh(); `flask crm rebuild-aggregates` calls rebuild(). The update
leaves updated_at and version_id alone: the aggregate moving is not an edit of the company.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from crm.models import Organisation

CHUNK = 500  # organisation ids per statement (SQLite's bound-parameter limit)


class KeptColumn:
    """organisations.<column> = <aggregate> over <model>'s rows of the organisation."""

    def __init__(self, column: str, model: type, aggregate: Any, watched: tuple[str, ...]) -> None:
        self.column, self.model, self.aggregate, self.watched = column, model, aggregate, watched
        self.hook = self.after_flush  # one object, so the hook is registered once per process

    def recompute(self) -> Any:
        """Return an UPDATE of organisations setting the column from their rows (add a WHERE)."""
        orgs = Organisation.__table__
        value = select(self.aggregate).where(self.model.organisation_id == orgs.c.id).scalar_subquery()
        return update(orgs).values({self.column: value, "updated_at": orgs.c.updated_at})

    def refresh(self, connection: Connection, organisation_ids: Iterable[int]) -> None:
        """Recompute the column of these organisations (idempotent)."""
        ids = sorted({i for i in organisation_ids if i is not None})
        for start in range(0, len(ids), CHUNK):
            chunk = Organisation.__table__.c.id.in_(ids[start : start + CHUNK])
            connection.execute(self.recompute().where(chunk))

    def rebuild(self, connection: Connection) -> None:
        """Recompute the column of every organisation (one grouped pass, not one per row)."""
        orgs = Organisation.__table__
        grouped = select(self.model.organisation_id.label("org_id"), self.aggregate.label("value"))
        grouped = grouped.group_by(self.model.organisation_id).subquery()
        keep = {"updated_at": orgs.c.updated_at}
        connection.execute(update(orgs).values({self.column: None, **keep}))
        found = update(orgs).where(orgs.c.id == grouped.c.org_id)
        connection.execute(found.values({self.column: grouped.c.value, **keep}))

    def changed_organisations(self, session: Session) -> set[int]:
        """Return the organisations whose value this flush may have changed."""
        found: set[int] = set()
        for obj in chain(session.new, session.dirty, session.deleted):
            if not isinstance(obj, self.model):
                continue
            state = inspect(obj).attrs
            if obj in session.dirty and not any(state[key].history.has_changes() for key in self.watched):
                continue
            found.add(obj.organisation_id)
            found.update(v for v in state.organisation_id.history.deleted or () if v is not None)
        return found

    def after_flush(self, session: Session, _context: Any) -> None:
        """Recompute the column of the organisations this flush touched."""
        ids = self.changed_organisations(session)
        if ids:
            self.refresh(session.connection(), ids)

    def install(self) -> None:
        """Register the flush hook once per process."""
        if not event.contains(Session, "after_flush", self.hook):
            event.listen(Session, "after_flush", self.hook)
