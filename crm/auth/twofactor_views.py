"""The second sign-in step, enrolling and turning off the second factor, and ending sessions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from crm.auth import flow, sessions, twofactor
from crm.auth.blueprint import bp
from crm.auth.flow import failed_sign_in, login_limit
from crm.auth.forms import CodeForm, TurnOffForm
from crm.extensions import limiter
from crm.models import User


def security_context() -> dict:
    """Return what the preferences page shows about the second factor and the sessions."""
    return {
        "two_factor_required": twofactor.required(current_user),
        "recovery_left": twofactor.recovery_codes_left(current_user) if current_user.two_factor else 0,
        "user_sessions": sessions.active(current_user),
        "current_session_id": sessions.current_id(),
        "device": sessions.device,
        "code_form": CodeForm(prefix="codes"),
        "off_form": TurnOffForm(prefix="off"),
        "plain_form": FlaskForm(),
    }


@bp.route("/two-factor", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], deduct_when=failed_sign_in)
@limiter.limit(login_limit, methods=["POST"], key_func=flow.pending_key, deduct_when=failed_sign_in)
def second_factor():
    """Ask the user who passed the password for their code."""
    user = flow.pending_user()
    if user is None or not user.two_factor:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if twofactor.check(user, form.code.data):
            return flow.finish_pending(user)
        flash(_("Wrong or already used code."), "error")
        return render_template("auth/second_factor.html", form=form), 400
    return render_template("auth/second_factor.html", form=form)


def enrolling_user() -> User | None:
    """Return who may enrol here: the signed-in user, or the one who must enrol before signing in."""
    if current_user.is_authenticated:
        return current_user
    return flow.pending_user()


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], deduct_when=failed_sign_in)
def two_factor_setup():
    """Show the QR code of a new secret and turn the factor on once a code from it is typed."""
    user = enrolling_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if user.two_factor:
        return redirect(url_for("auth.preferences"))
    twofactor.begin_enrolment(user)
    form = CodeForm()
    if form.validate_on_submit():
        codes = twofactor.confirm(user, form.code.data)
        if codes is not None:
            return enrolled(user, codes)
        flash(_("That code does not match: check the phone's clock and type the newest code."), "error")
    uri = twofactor.provisioning_uri(user)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "auth/two_factor_setup.html", form=form, qr=twofactor.qr_svg(uri), secret=user.totp_secret, user=user
    ), status


def enrolled(user: User, codes: list[str]):
    """Sign in (or mark the session as two-factor) and show the recovery codes once."""
    target = url_for("auth.preferences")
    if current_user.is_authenticated:
        sessions.mark_second_factor(sessions.current_id())
    else:
        target = flow.pending_target()
        flow.start_session(user, flow.pending_remember(), second_factor=True)
    flash(_("Two-step sign-in is on."), "success")
    return render_template("auth/recovery_codes.html", codes=codes, target=target)


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@login_required
@limiter.limit(login_limit, deduct_when=lambda r: r.status_code >= 400)
def recovery_codes():
    """Replace the recovery codes, after a code from the authenticator."""
    form = CodeForm(prefix="codes")
    if not current_user.two_factor:
        abort(404)
    if form.validate_on_submit() and twofactor.verify_totp(current_user, form.code.data.strip()):
        codes = twofactor.new_recovery_codes(current_user)
        return render_template("auth/recovery_codes.html", codes=codes, target=url_for("auth.preferences"))
    flash(_("Wrong or already used code."), "error")
    return redirect(url_for("auth.preferences") + "#two-factor")


@bp.route("/two-factor/off", methods=["POST"])
@login_required
@limiter.limit(login_limit, deduct_when=lambda r: r.status_code >= 400)
def two_factor_off():
    """Turn the second factor off, with the password, where the role does not require it."""
    form = TurnOffForm(prefix="off")
    if twofactor.required(current_user) or not current_user.two_factor:
        abort(404)
    if form.validate_on_submit() and current_user.check_password(form.password.data):
        twofactor.turn_off(current_user)
        sessions.end_all(current_user.id, keep=sessions.current_id())
        flash(_("Two-step sign-in is off."), "success")
    else:
        flash(_("The password is wrong."), "error")
    return redirect(url_for("auth.preferences") + "#two-factor")


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    """End one of the user's own sessions (another browser, a lost phone)."""
    if FlaskForm().validate_on_submit():
        sessions.end(current_user.id, session_id)
        flash(_("The session was ended."), "success")
    return redirect(url_for("auth.preferences") + "#sessions")


@bp.route("/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    """End every session of the user but this one."""
    if FlaskForm().validate_on_submit():
        count = sessions.end_all(current_user.id, keep=sessions.current_id())
        flash(_("%(n)s other sessions were ended.", n=count), "success")
    return redirect(url_for("auth.preferences") + "#sessions")
