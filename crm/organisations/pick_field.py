"""A form's organisation field for any number of organisations: chosen among a search's matches by id.

The field posts the chosen id (a radio button, or the hidden id of the organisation the form was opened
from) and a search text (`<name>_q`, with its Search button `<name>_find`). A form posted with a search
text, or by its Search button, is a search step: the view shows the form again with everything typed kept
and the best matches of the picker (crm.organisations.picker) in the user's scope, and saves nothing.
Otherwise the id is resolved through the same scope: an unknown id, or one the user may not see, is
refused under the field. No list of every organisation is ever read. With JavaScript
(static/js/orgpick.js) the search text suggests the same matches as the user types and choosing one checks
it, so the form posts the same thing. Rendered by org_pick() in templates/_org_picker.html.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from crm.errors import UserError
from crm.models import Organisation, User
from crm.organisations import picker


class OrganisationField(Field):
    """One organisation, chosen by id among the matches of a search in the user's scope."""

    widget = TextInput()  # never rendered by itself, and not hidden: hidden_tag() must not post a blank id

    def __init__(
        self, label: Any = None, validators: Any = None, *, optional: bool = False,
        kinds: Sequence[str] = (), **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(label, validators, **kwargs)
        self.optional, self.kinds = optional, tuple(kinds)
        self.term, self.finding, self.fixed = "", False, False
        self.org: Organisation | None = None
        self.matches: picker.Matches | None = None
        self.refusal: str | None = None

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        """Read the chosen id, and the search text and button, from the submission."""
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            self.term = (formdata.get(f"{self.name}_q") or "").strip()[: picker.TERM_MAX]
            self.finding = f"{self.name}_find" in formdata

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Keep the posted id as text (none posted: nothing chosen); prepare() resolves it."""
        self.data = (valuelist[0] or "").strip()[:20] if valuelist else None

    def _value(self) -> str:
        return str(self.org.id) if self.org else ""

    @property
    def searching(self) -> bool:
        """Return whether the form was posted to search rather than to save."""
        return not self.fixed and (self.finding or bool(self.term))

    def prepare(self, user: User, fixed: Organisation | None = None) -> None:
        """Resolve the chosen id in the user's scope and, on a search step, find the matches."""
        if fixed is not None:  # opened from this organisation's page: shown by name, not searched
            self.fixed, self.org = True, fixed
            return
        if self.data not in (None, ""):
            try:
                self.org = picker.chosen(user, self.data, self.kinds, self.name)
            except UserError as exc:
                self.refusal = exc.message
        if self.searching:
            self.matches = picker.matches(user, self.term, self.kinds)

    def offered(self) -> list[Organisation]:
        """Return the radio buttons' organisations: the chosen one, then a search's matches."""
        found = self.matches.found if self.matches else []
        chosen = [self.org] if self.org else []
        return chosen + [org for org in found if self.org is None or org.id != self.org.id]

    def checked_id(self) -> int | None:
        """Return the id checked when shown: the chosen one, else a search's only match."""
        if self.org is not None:
            return self.org.id
        found = self.matches.found if self.matches else []
        return found[0].id if len(found) == 1 else None

    def chosen_id(self) -> int | None:
        """Return the id of the organisation chosen and checked in the user's scope (None: none)."""
        return self.org.id if self.org else None

    def pre_validate(self, form: Any) -> None:
        """Refuse an id outside the user's scope, or no organisation when one is required."""
        if self.refusal:
            raise StopValidation(self.refusal)
        if self.org is None and not self.optional:
            raise StopValidation(_l("Choose the organisation: search by name, trade name or RUC."))
