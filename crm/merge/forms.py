"""The merge form: one choice per field the two records disagree on, and both records' versions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField

from crm.labels import options


def choice_name(key: str) -> str:
    """Return the form field name of a merge choice ('profile.x' becomes 'choice_profile__x')."""
    return "choice_" + key.replace(".", "__")


def merge_choices(form: FlaskForm, keys: list[str]) -> dict[str, str]:
    """Return {field: 'keep' | 'drop'} from a submitted merge form."""
    return {key: getattr(form, choice_name(key)).data or "keep" for key in keys}


def merge_form(conflicts: dict[str, tuple[str, str]], versions: tuple[int, int]) -> FlaskForm:
    """Build the merge form: one choice per conflicting field, and both records' versions."""

    class MergeForm(FlaskForm):
        """Pick the value kept for each field the two records disagree on."""

        keep_version = HiddenField(default=str(versions[0]))
        drop_version = HiddenField(default=str(versions[1]))

    for key, (kept, dropped) in conflicts.items():
        choices = options([("keep", kept), ("drop", dropped)])
        setattr(MergeForm, choice_name(key), RadioField(key, choices=choices, default="keep"))
    return MergeForm()
