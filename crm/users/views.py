"""User administration: list, create, edit, reset passwords, deactivate, link liaisons."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from crm.auth import twofactor
from crm.errors import UserError, discard_work, form_error
from crm.labels import options
from crm.models import User
from crm.pagination import paginate
from crm.permissions import get_or_404, require
from crm.users import services
from crm.users.blueprint import bp
from crm.users.forms import (
    AssociationsForm,
    ConfirmForm,
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
from crm.web import page_size


def render(template: str, form: FlaskForm, **context):
    """Render a form page: 400 when the form carries errors, else 200."""
    status = 400 if form.errors else 200
    return render_template(template, form=form, represents=services.represents, **context), status


def load_user(user_id: int) -> User:
    """Fetch an account or answer 404."""
    return get_or_404(select(User), user_id)


@bp.route("/")
@login_required
@require("user.admin")
def index():
    """List accounts with a search and a role filter."""
    form = UserFilterForm(request.args)
    valid = form.validate()
    query = services.user_query(form.q.data or "", form.role.data or "") if valid else services.user_query()
    page = paginate(query, page_size())
    return render_template("users/index.html", form=form, page=page, represents=services.represents)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require("user.admin")
def create():
    """Create an account with an initial password."""
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
                locale=form.locale.data,
            )
        except UserError as exc:
            form_error(form, exc)
        else:
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("users.edit", user_id=user.id))
    return render("users/form.html", form, user=None)


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
@require("user.admin")
def edit(user_id: int):
    """Edit an account's e-mail, name, role, language and status."""
    user = load_user(user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_user(
                current_user,
                user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                locale=form.locale.data,
                active=form.active.data,
            )
        except UserError as exc:
            form_error(form, exc)
        else:
            flash(_("Account saved."), "success")
            return redirect(url_for("users.edit", user_id=user.id))
    return render("users/form.html", form, user=user, confirm=ConfirmForm())


@bp.route("/<int:user_id>/password", methods=["GET", "POST"])
@login_required
@require("user.admin")
def password(user_id: int):
    """Set a new password for an account."""
    user = load_user(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(user, form.password.data)
        except UserError as exc:
            form_error(form, exc)
        else:
            flash(_("New password set for %(email)s.", email=user.email), "success")
            return redirect(url_for("users.edit", user_id=user.id))
    return render("users/password.html", form, user=user)


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@login_required
@require("user.admin")
def deactivate(user_id: int):
    """Deactivate an account so that it can no longer sign in."""
    user = load_user(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.deactivate_user(current_user, user)
        except UserError as exc:
            discard_work()  # the redirect that follows must save nothing
            flash(exc.message, "error")
        else:
            flash(_("Account %(email)s deactivated.", email=user.email), "success")
    return redirect(url_for("users.edit", user_id=user_id))


@bp.route("/<int:user_id>/two-factor/reset", methods=["POST"])
@login_required
@require("user.admin")
def reset_two_factor(user_id: int):
    """Remove an account's second factor (a lost phone) and end its sessions; recorded in the history."""
    user = load_user(user_id)
    if ConfirmForm().validate_on_submit():
        twofactor.reset(current_user, user)
        flash(_("Two-step sign-in of %(email)s was reset.", email=user.email), "success")
    return redirect(url_for("users.edit", user_id=user_id))


@bp.route("/<int:user_id>/associations", methods=["GET", "POST"])
@login_required
@require("user.admin")
def associations(user_id: int):
    """Choose the business associations a liaison works for."""
    user = load_user(user_id)
    form = AssociationsForm()
    form.associations.choices = options(services.association_options())
    if not form.is_submitted():
        form.associations.data = [a.id for a in user.associations]
    if form.validate_on_submit():
        try:
            services.set_associations(user, form.associations.data or [])
        except UserError as exc:
            form_error(form, exc)
        else:
            flash(_("Associations saved."), "success")
            return redirect(url_for("users.edit", user_id=user.id))
    return render("users/associations.html", form, user=user)
