"""Letters with their co-finance materialisations."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import marshmallow as ma
from flask_login import current_user

from crm import clock
from crm.api import paging, resources
from crm.api.blueprint import bp
from crm.api.paging import Id, Sorting, page_schema
from crm.api.schemas import LetterSchema
from crm.api.schemas_in import LetterCreate, LetterIn
from crm.errors import StaleEditError
from crm.letters import services
from crm.letters.services import LetterValues, visible_letters
from crm.models import LETTER_KINDS, LETTER_STATUSES, Letter
from crm.permissions import require, visible_organisations

LETTER_SORTING = Sorting({"id": Letter.id, "updated_at": Letter.updated_at}, Letter.id)


class LetterArgs(paging.ListArgs):
    """Filters and sort of the letter list."""

    organisation_id = Id()
    programme_id = Id()
    kind = ma.fields.String(validate=ma.validate.OneOf(LETTER_KINDS))
    status = ma.fields.String(validate=ma.validate.OneOf(LETTER_STATUSES))
    sort = paging.sort_field(list(LETTER_SORTING.columns), "id")


class ListedLetter(LetterSchema):
    """A letter in a list (without its materialisations)."""

    class Meta:
        exclude = ("materialisations",)


@bp.route("/letters")
@require("letter.view")
@bp.arguments(LetterArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(ListedLetter, "LetterPage"))
def letters(args: dict[str, Any]):
    """List the letters the token's user may see."""
    query = visible_letters(current_user)
    for name in ("organisation_id", "programme_id", "kind", "status"):
        if args.get(name):
            query = query.where(getattr(Letter, name) == args[name])
    return paging.page(query, LETTER_SORTING, args, args["sort"], Letter.updated_at)


@bp.route("/letters/<int:letter_id>")
@require("letter.view")
@bp.response(200, LetterSchema, headers=resources.ETAG_HEADER)
def letter(letter_id: int):
    """Show a letter with its materialisations."""
    row = resources.first(visible_letters(current_user), letter_id)
    return row, 200, resources.etag(row.version_id)


def letter_values(letter: Letter | None, values: dict[str, Any]) -> LetterValues:
    """Return the letter's values as they are (none for a new one) with the sent ones over them."""
    names = [f.name for f in fields(LetterValues)]
    current = {name: getattr(letter, name) for name in names} if letter else {}
    return LetterValues(**(current | {k: v for k, v in values.items() if k in names}))


@bp.route("/letters", methods=["POST"])
@require("letter.edit")
@bp.arguments(LetterCreate)
@bp.response(201, LetterSchema, headers=resources.ETAG_HEADER)
def create_letter(values: dict[str, Any]):
    """Record a letter request (or a letter received) after the same rules as the form."""
    org = resources.first(visible_organisations(current_user), values["organisation_id"])
    row = services.create_letter(org.id, letter_values(None, values), current_user.id, clock.today())
    return row, 201, resources.etag(row.version_id)


@bp.route("/letters/<int:letter_id>", methods=["PATCH"])
@require("letter.edit")
@bp.arguments(LetterIn)
@bp.response(200, LetterSchema, headers=resources.ETAG_HEADER)
@bp.doc(parameters=[resources.IF_MATCH])
def update_letter(values: dict[str, Any], letter_id: int):
    """Change a letter's status, dates or amounts; the rules and the pipeline gate apply (If-Match)."""
    row = resources.first(visible_letters(current_user), letter_id)
    version = resources.expected_version()
    try:
        services.update_letter(row, letter_values(row, values), version, clock.today(), current_user.id)
    except StaleEditError:
        resources.stale()
    return row, 200, resources.etag(row.version_id)
