"""Sign-in, sign-out and preferences views."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from crm import outage
from crm.auth import flow, services, sessions
from crm.auth.blueprint import bp
from crm.auth.flow import failed_sign_in, login_limit
from crm.auth.forms import LoginForm, PreferencesForm
from crm.auth.twofactor_views import security_context
from crm.extensions import limiter
from crm.mail import preferences as mail_preferences


def login_key() -> str:
    """Throttle per account as well as per address, against spread-out guessing."""
    return "login:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], deduct_when=failed_sign_in)
@limiter.limit(login_limit, methods=["POST"], key_func=login_key, deduct_when=failed_sign_in)
def login():
    """Show the sign-in form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            current_app.logger.info("failed sign-in for %s", form.email.data)
            flash(_("Wrong e-mail or password."), "error")
        else:
            return flow.after_password(user, form.remember.data, request.args.get("next"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (POST only, with the CSRF token), ending the session's record."""
    sessions.end(current_user.id, sessions.current_id())
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    """Let users change their name, language and password."""
    form = PreferencesForm(obj=current_user)
    mail_preferences.offer(form, current_user)
    if form.validate_on_submit():
        if form.new_password.data and not services.change_password(
            current_user, form.current_password.data or "", form.new_password.data
        ):
            form.current_password.errors.append(_("The current password is wrong."))
            return render_template("auth/preferences.html", form=form, **security_context()), 400
        if form.new_password.data:  # a new password ends every other session (a thief's too)
            sessions.end_all(current_user.id, keep=sessions.current_id())
        services.update_preferences(current_user, form.name.data, form.locale.data)
        outage.remember_language(form.locale.data)
        if form.mail_shown.data:
            mail_preferences.set_subscriptions(current_user, form.mail_kinds.data or [])
        flash(_("Preferences saved."), "success")
        return redirect(url_for("auth.preferences"))
    return render_template("auth/preferences.html", form=form, **security_context())
