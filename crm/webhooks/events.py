"""Turn changes into webhook deliveries, in the transaction of the change.

A flush hook notes what happened (new companies, stage moves, signed letters, materialised co-finance,
logged interactions, finished imports); just before the commit the notes become one delivery row (and
its job in the job outbox) per subscription whose owner may see the record. Nothing is written when no
subscription listens, so a change costs one small query only when it produced an event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from crm.models import (
    ImportBatch,
    Interaction,
    Letter,
    Materialisation,
    Organisation,
    StageTransition,
    WebhookSubscription,
)
from crm.webhooks import payloads

KEY = "webhook_events"
IGNORED_COLUMNS = {"updated_at", "version", "version_id"}


def changed(obj: Any, name: str) -> bool:
    """Return whether the attribute changed in this flush."""
    return inspect(obj).attrs[name].history.has_changes()


def updated_columns(obj: Any) -> bool:
    """Return whether a column other than bookkeeping changed."""
    state = inspect(obj)
    return any(state.attrs[c.key].history.has_changes() for c in state.mapper.column_attrs
               if c.key not in IGNORED_COLUMNS)


def new_events(session: Session) -> list[tuple[str, str, int]]:
    """Return (event, model, id) for the objects just inserted."""
    found = []
    for obj in session.new:
        kind = {Organisation: "organisation.created", StageTransition: "stage.moved",
                Materialisation: "cofinance.materialised", Interaction: "interaction.logged"}.get(type(obj))
        if kind:
            found.append((kind, type(obj).__name__, obj.id))
        if isinstance(obj, Letter) and obj.status == "signed":
            found.append(("letter.signed", "Letter", obj.id))
    return found


def dirty_events(session: Session) -> list[tuple[str, str, int]]:
    """Return (event, model, id) for the objects just updated."""
    found = []
    for obj in session.dirty:
        if isinstance(obj, Organisation) and updated_columns(obj):
            found.append(("organisation.updated", "Organisation", obj.id))
        elif isinstance(obj, Letter) and obj.status == "signed" and changed(obj, "status"):
            found.append(("letter.signed", "Letter", obj.id))
        elif isinstance(obj, ImportBatch) and obj.status == "done" and changed(obj, "status"):
            found.append(("import.finished", "ImportBatch", obj.id))
    return found


def note_changes(session: Session, _context: Any) -> None:
    """Note the events of this flush (ids are known now) for the commit."""
    found = new_events(session) + dirty_events(session)
    if found:
        noted = session.info.setdefault(KEY, [])
        noted.extend(item for item in found if item not in noted)


def write_deliveries(session: Session) -> None:
    """Turn the noted events into deliveries before the transaction commits."""
    if session.new or session.dirty or session.deleted:
        session.flush()  # what commit would flush next: its events are noted now, in this transaction
    noted = session.info.pop(KEY, [])
    if not noted:
        return
    events = {name for name, _model, _id in noted}
    subscriptions = session.scalars(
        select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    ).all()
    listening = [s for s in subscriptions if events & set(s.events or [])]
    if listening:
        payloads.deliver(noted, listening)


def forget(session: Session, *_args: Any) -> None:
    """Drop the notes of a transaction that rolled back."""
    session.info.pop(KEY, None)


def install() -> None:
    """Register the hooks once per process."""
    hooks = (("after_flush", note_changes), ("before_commit", write_deliveries), ("after_rollback", forget),
             ("after_commit", forget))
    for name, hook in hooks:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
