"""Letters with their co-finance materialisations."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_login import current_user

from crm.api import paging, resources
from crm.api.blueprint import bp
from crm.api.paging import Id, Sorting, page_schema
from crm.api.schemas import LetterSchema
from crm.letters.services import visible_letters
from crm.models import LETTER_KINDS, LETTER_STATUSES, Letter
from crm.permissions import require

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
