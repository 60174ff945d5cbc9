"""API lists: keyset pagination with an opaque cursor over (sort key, id), sorting and updated_since."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import marshmallow as ma
from flask_smorest import abort
from sqlalchemy import Select, and_, or_

from crm.extensions import db
from crm.web import MAX_ID

MAX_LIMIT = 200


class Text(ma.fields.String):
    """A string without NUL characters or lone surrogates (PostgreSQL refuses both)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text or not text.isascii() and not encodable(text):
            raise self.make_error("invalid")
        return text


def encodable(text: str) -> bool:
    """Return whether the text can be stored as UTF-8 (a JSON escape can carry a lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Money(ma.fields.Decimal):
    """An amount, written as a decimal string so that no cent is lost."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(as_string=True, **kwargs)


class UtcDateTime(ma.fields.DateTime):
    """A time in RFC 3339 with its zone (SQLite gives stored UTC times back without one)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def Id(**kwargs: Any) -> ma.fields.Integer:  # noqa: N802  (reads like a field class)
    """Return a database id field (positive, 32-bit)."""
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(1, MAX_ID), **kwargs)


class ListArgs(ma.Schema):
    """The arguments every list takes."""

    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, MAX_LIMIT))
    cursor = Text(metadata={"description": "next_cursor of the previous page"})
    updated_since = ma.fields.AwareDateTime(
        default_timezone=None, metadata={"description": "only records changed at or after this time"}
    )


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """Return the schema of one page of a list: its items and the cursor of the next page."""
    fields = {
        "items": ma.fields.List(ma.fields.Nested(item), required=True),
        "next_cursor": ma.fields.String(allow_none=True, required=True),
    }
    return ma.Schema.from_dict(fields, name=name)


@dataclass
class Sorting:
    """A sort column and the model's id, the tie-breaker of the keyset."""

    columns: dict[str, Any]
    ident: Any


def encode(sort: str, value: Any, ident: int) -> str:
    """Return the opaque cursor after this row."""
    raw = value.isoformat() if isinstance(value, date | datetime) else value
    text = json.dumps([sort, raw, ident], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def bad_cursor() -> None:
    """Refuse a cursor this list did not hand out."""
    abort(400, message=None)


def decode(cursor: str, sort: str, column: Any) -> tuple[Any, int]:
    """Return the sort value and id a cursor points after, or refuse it."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        name, raw, ident = data
        kind = column.type.python_type
        value = kind.fromisoformat(raw) if kind in (date, datetime) else kind(raw)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, NotImplementedError):
        bad_cursor()
    if name != sort or not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        bad_cursor()
    if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
        bad_cursor()
    return value, ident


def in_utc(moment: datetime) -> datetime:
    """Return the time in UTC (stored times are UTC; SQLite keeps no zone), refusing unreal ones."""
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        abort(400)
        raise


def after(column: Any, ident_col: Any, value: Any, ident: int, descending: bool) -> Any:
    """Return the keyset condition: rows strictly after (value, id) in the sort order."""
    if descending:
        return or_(column < value, and_(column == value, ident_col < ident))
    return or_(column > value, and_(column == value, ident_col > ident))


def page(query: Select, sorting: Sorting, args: dict[str, Any], sort: str, updated: Any = None) -> dict:
    """Return one page of a scoped query as {"items", "next_cursor"}."""
    key, descending = sort.lstrip("-"), sort.startswith("-")
    column = sorting.columns[key]
    if args.get("updated_since") is not None and updated is not None:
        query = query.where(updated >= in_utc(args["updated_since"]))
    if args.get("cursor"):
        value, ident = decode(args["cursor"], sort, column)
        query = query.where(after(column, sorting.ident, value, ident, descending))
    order = (column.desc(), sorting.ident.desc()) if descending else (column.asc(), sorting.ident.asc())
    limit = args["limit"]
    rows = list(db.session.scalars(query.order_by(None).order_by(*order).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    cursor = encode(sort, getattr(last, column.key), last.id) if last is not None else None
    return {"items": rows, "next_cursor": cursor}


def sort_field(keys: list[str], default: str) -> ma.fields.String:
    """Return the `sort` argument: a key, or a key after '-' for descending order."""
    choices = [*keys, *(f"-{key}" for key in keys)]
    return ma.fields.String(load_default=default, validate=ma.validate.OneOf(choices))
