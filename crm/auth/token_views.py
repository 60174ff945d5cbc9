"""Personal access tokens for the API, on the preferences page: create (shown once) and revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from crm.api import tokens
from crm.auth.blueprint import bp
from crm.errors import UserError, form_error
from crm.permissions import can, require

EXPIRY_DAYS = (30, 90, 365)


class TokenForm(FlaskForm):
    """A new token: a name to recognise it, an expiry and whether it may only read."""

    token_name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)])
    days = SelectField(_l("Expires after"), coerce=int, default=90)
    read_only = BooleanField(_l("Read only"), default=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.days.choices = [(d, _l("%(n)s days", n=d)) for d in EXPIRY_DAYS] + [(0, _l("Never"))]


@bp.app_context_processor
def token_section() -> dict:
    """Give the preferences page its API-token section (the user's tokens and an empty form)."""
    if not can(current_user, "api.token"):
        return {}
    return {
        "api_tokens": lambda: tokens.tokens_of(current_user),
        "token_form": lambda: TokenForm(formdata=None),
    }


@bp.post("/preferences/tokens")
@login_required
@require("api.token")
def create_token():
    """Create a token and show its secret once."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = tokens.create_token(
                current_user, form.token_name.data, form.days.data or None, form.read_only.data
            )
        except UserError as exc:
            form_error(form, exc)
        else:
            return render_template("auth/token_created.html", token=token, secret=secret)
    flash(_("The token was not created: give it a name of at most 80 characters."), "error")
    return redirect(url_for("auth.preferences", _anchor="api-tokens"))


@bp.post("/preferences/tokens/<int:token_id>/revoke")
@login_required
@require("api.token")
def revoke_token(token_id: int):
    """Revoke one of the user's tokens."""
    form = FlaskForm()
    if form.validate_on_submit() and tokens.revoke_token(current_user, token_id) is not None:
        flash(_("The token was revoked; it no longer opens the API."), "success")
    return redirect(url_for("auth.preferences", _anchor="api-tokens"))
