"""Webhook pages: the list, create (secret shown once), enable/disable, delete, delivery log, replay."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.errors import UserError, form_error
from crm.pagination import paginate
from crm.permissions import MAX_ID, can, deny, get_or_404, require
from crm.web import page_size, to_id
from crm.webhooks import payloads, services
from crm.webhooks.blueprint import bp
from crm.webhooks.forms import EVENT_LABELS, ConfirmForm, SubscriptionForm


def subscription_form() -> SubscriptionForm:
    """Return the form with the events (and owners) the user may choose."""
    form = SubscriptionForm()
    form.events.choices = [(name, EVENT_LABELS[name]) for name in payloads.subscribable(current_user)]
    if can(current_user, "webhook.admin"):
        form.owner_id.choices = [(u.id, f"{u.name} ({u.email})") for u in payloads.owners()]
    else:
        del form.owner_id
    return form


def managed(sub_id: int):
    """Return a subscription the user manages, or answer 404 (ids beyond 32 bits included)."""
    return get_or_404(services.visible_subscriptions(current_user), sub_id)


@bp.route("/")
@login_required
@require("webhook.subscribe")
def index():
    """List the subscriptions the user manages."""
    query = services.visible_subscriptions(current_user)
    page = paginate(query, page_size(), to_id(request.args.get("page")))
    return render_template("webhooks/index.html", page=page, labels=EVENT_LABELS, confirm=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require("webhook.subscribe")
def create():
    """Create a subscription and show its signing secret once."""
    form = subscription_form()
    if form.validate_on_submit():
        owner = form.owner_id.data if form.owner_id is not None else None
        try:
            subscription, secret = services.create_subscription(current_user, form.url.data, form.events.data,
                                                                owner)
        except UserError as exc:
            form_error(form, exc)
        else:
            return render_template("webhooks/created.html", subscription=subscription, secret=secret)
    elif request.method == "GET" and form.owner_id is not None:
        form.owner_id.data = current_user.id
    return render_template("webhooks/form.html", form=form)


@bp.post("/<int:sub_id>/active")
@login_required
@require("webhook.subscribe")
def toggle(sub_id: int):
    """Enable or disable a subscription."""
    subscription = managed(sub_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.set_active(subscription, not subscription.active)
        except UserError as exc:
            flash(exc.message, "error")
        else:
            done = _("Subscription enabled.") if subscription.active else _("Subscription disabled.")
            flash(done, "success")
    return redirect(url_for("webhooks.index"))


@bp.post("/<int:sub_id>/delete")
@login_required
@require("webhook.subscribe")
def delete(sub_id: int):
    """Delete a subscription and its delivery log."""
    subscription = managed(sub_id)
    if ConfirmForm().validate_on_submit():
        services.delete_subscription(subscription)
        flash(_("Subscription deleted."), "success")
    return redirect(url_for("webhooks.index"))


@bp.route("/<int:sub_id>/deliveries")
@login_required
@require("webhook.subscribe")
def deliveries(sub_id: int):
    """Show a subscription's delivery log, newest first."""
    subscription = managed(sub_id)
    page = services.deliveries_page(subscription, page_size(), to_id(request.args.get("page")))
    return render_template("webhooks/deliveries.html", subscription=subscription, page=page,
                           labels=EVENT_LABELS, confirm=ConfirmForm())


@bp.post("/deliveries/<int:delivery_pk>/replay")
@login_required
@require("webhook.subscribe")
def replay(delivery_pk: int):
    """Send one delivery again, under the same delivery id."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not 0 < delivery_pk <= MAX_ID:  # PostgreSQL refuses an integer beyond 32 bits
        deny()
    try:
        row = services.replay(current_user, delivery_pk)
    except UserError as exc:
        flash(exc.message, "error")
        return redirect(request.referrer or url_for("webhooks.index"))
    if row is None:
        deny()
    flash(_("The delivery will be sent again."), "success")
    return redirect(url_for("webhooks.deliveries", sub_id=row.subscription_id))
