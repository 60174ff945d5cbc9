"""Duplicate lists and the merge pages (admins and managers)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.errors import StaleEditError, UserError, discard_work
from crm.labels import LABELS, label
from crm.merge import duplicates, engagements, services
from crm.merge.blueprint import bp
from crm.merge.forms import choice_name, merge_choices, merge_form
from crm.organisations.services import ORG_FIELDS, PROFILE_FIELDS
from crm.pagination import page_number
from crm.permissions import can, get_or_404, require, visible_contacts, visible_organisations
from crm.web import locale, page_size, to_id

DUPLICATES_PAGE = 20
ENUMS = ("kind", "size", "gender")


@bp.route("/duplicates/organisations")
@login_required
@require("record.merge")
def duplicate_organisations():
    """List groups of organisations with the same normalised name and district, with a score."""
    page = duplicates.organisation_groups(DUPLICATES_PAGE, page_number("page"))
    return render_template("merge/duplicates.html", page=page, entity="organisation")


@bp.route("/duplicates/contacts")
@login_required
@require("record.merge")
def duplicate_contacts():
    """List groups of contacts sharing an e-mail address."""
    page = duplicates.contact_groups(DUPLICATES_PAGE, page_number("page"))
    return render_template("merge/duplicates.html", page=page, entity="contact")


def shown(record: Any, key: str) -> str:
    """Return a field's value in words."""
    if key.startswith("profile."):
        record, key = record.profile, key.removeprefix("profile.")
        if record is None:
            return ""
    value = getattr(record, key)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    names = {
        "sector_id": lambda: record.sector.label(locale()),
        "district_id": lambda: record.district.name,
        "owner_id": lambda: record.owner.name,
        "organisation_id": lambda: record.organisation.legal_name,
    }
    if key in names:
        return names[key]()
    return label(key, value) if key in ENUMS else str(value)


def comparison(keep: Any, drop: Any, keys: list[str], conflicts: list[str]) -> list[dict[str, Any]]:
    """Return the rows of the side-by-side table."""
    return [
        {
            "key": key,
            "label": LABELS["field"].get(key.removeprefix("profile."), key),
            "keep": shown(keep, key),
            "drop": shown(drop, key),
            "choice": choice_name(key) if key in conflicts else None,
        }
        for key in keys
    ]


def versions_of(form: Any) -> tuple[int, int]:
    """Return the record versions the form was loaded with (-1 when missing or odd)."""
    return to_id(form.keep_version.data) or -1, to_id(form.drop_version.data) or -1


@bp.route("/merge/organisations/<int:keep_id>/<int:drop_id>", methods=["GET", "POST"])
@login_required
@require("record.merge")
def organisations(keep_id: int, drop_id: int):
    """Compare two organisations and merge the second into the first."""
    keep = get_or_404(visible_organisations(current_user), keep_id)
    drop = get_or_404(visible_organisations(current_user), drop_id)
    with_profile = can(current_user, "profile.view") and (
        keep.profile is not None or drop.profile is not None
    )
    conflicts = services.org_conflicts(keep, drop, with_profile)
    keys = list(ORG_FIELDS) + ([f"profile.{k}" for k in PROFILE_FIELDS] if with_profile else [])
    done, status = run_merge(
        services.merge_organisations, keep, drop, conflicts, "organisations.detail", "org_id"
    )
    if done is not None:
        return done
    combined = engagements.plan(keep.id, drop.id, locale())
    rows = comparison(keep, drop, keys, conflicts)
    # Loading the two profiles above wrote the read trail (crm/privacy/trail.py).
    return render_merge(keep, drop, rows, conflicts, "organisation", status, engagements=combined)


@bp.route("/merge/contacts/<int:keep_id>/<int:drop_id>", methods=["GET", "POST"])
@login_required
@require("record.merge")
def contacts(keep_id: int, drop_id: int):
    """Compare two contacts and merge the second into the first."""
    keep = get_or_404(visible_contacts(current_user), keep_id)
    drop = get_or_404(visible_contacts(current_user), drop_id)
    conflicts = services.contact_conflicts(keep, drop)
    done, status = run_merge(services.merge_contacts, keep, drop, conflicts, "contacts.detail", "contact_id")
    if done is not None:
        return done
    rows = comparison(keep, drop, list(services.CONTACT_FIELDS), conflicts)
    return render_merge(keep, drop, rows, conflicts, "contact", status)


def run_merge(
    service: Any, keep: Any, drop: Any, conflicts: list[str], endpoint: str, arg: str
) -> tuple[Any, int]:
    """On a valid POST, merge and redirect to the survivor; else (None, status) to show the page."""
    form = merge_form({k: ("", "") for k in conflicts}, (keep.version_id, drop.version_id))
    if not form.validate_on_submit():
        return None, 400 if request.method == "POST" else 200
    try:
        service(keep, drop, merge_choices(form, conflicts), versions_of(form), current_user.id)
    except StaleEditError:
        discard_work()
        flash(
            _("One of the two records was changed by someone else meanwhile. Check the values again."),
            "error",
        )
        return None, 409
    except UserError as exc:
        discard_work()
        flash(exc.message, "error")
        return None, 409
    flash(_("The two records were merged."), "success")
    return redirect(url_for(endpoint, **{arg: keep.id})), 302


def render_merge(
    keep: Any,
    drop: Any,
    rows: list[dict[str, Any]],
    conflicts: list[str],
    entity: str,
    status: int,
    engagements: list[dict[str, str]] | None = None,
):
    """Render the comparison page with a choice for every field that differs, and the engagements combined."""
    display = {k: (shown(keep, k), shown(drop, k)) for k in conflicts}
    form = merge_form(display, (keep.version_id, drop.version_id))
    return render_template(
        "merge/merge.html",
        keep=keep,
        drop=drop,
        rows=rows,
        form=form,
        entity=entity,
        engagements=engagements or [],
        page_size=page_size(),
    ), status
