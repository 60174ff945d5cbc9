"""Races for the tests: another process commits its write just before the request's own flush."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from crm.extensions import db


@contextmanager
def rival_before_flush(write: Callable[[Session], None]) -> Iterator[None]:
    """Run `write` on a session of its own and commit it, once, just before this session's next flush."""

    def rival(_session, _context, _instances):
        with Session(db.engine) as other:
            write(other)
            other.commit()

    event.listen(db.session, "before_flush", rival, once=True)
    try:
        yield
    finally:
        if event.contains(db.session, "before_flush", rival):
            event.remove(db.session, "before_flush", rival)


def rival_save_before_flush(model: type, record_id: int, column: str, value: object):
    """Have another process save one column of a record just before this request's UPDATE."""
    return rival_before_flush(lambda other: setattr(other.get(model, record_id), column, value))
