"""Organisation rows: parse, match, compare with the stored record, and write."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.imports import bulk, extras, parsing
from crm.imports.lookups import Lookups, district_id, sector_id
from crm.imports.matching import ContactIndex, OrgIndex, name_key
from crm.imports.rows import PassContext, RowResult, resolve
from crm.models import EmissionProfile, Organisation
from crm.models.organisation import OrgKind
from crm.text import fold

TEXTS = {"legal_name": 200, "trade_name": 200, "notes": 5000}
PROFILE_NUMBERS = ("electricity_mwh_year", "natural_gas_m3_year", "reduction_potential_tco2e")
PROFILE_KEYS = (*PROFILE_NUMBERS, "emits_upops")
UNKNOWN = {
    "kind": _l("Unknown kind of organisation “%(value)s”."),
    "size": _l("Unknown company size “%(value)s”."),
}
# Field key in the file → column of the organisation.
COLUMNS = {"sector": "sector_id", "district": "district_id", "owner": "owner_id"}
# Every new record carries every column a file can fill, blank ones as None, so that all rows of a
# bulk insert have the same keys whatever cells each row leaves blank.
BLANK_ORG = dict.fromkeys((*TEXTS, "ruc", "website", "kind", "size", *COLUMNS.values()))
BLANK_PROFILE = dict.fromkeys(PROFILE_KEYS)


class OrganisationRows:
    """Check and write the rows of an organisation file."""

    def __init__(self, ctx: PassContext) -> None:
        self.ctx = ctx
        self.index = OrgIndex.load()
        self.lookups = Lookups.load()
        wants_contacts = any(k.startswith("contact_") for k in ctx.mapping)
        self.contacts = ContactIndex.load() if wants_contacts else ContactIndex()
        self.cache: dict[tuple[str, str], Any] = {}
        self.texts = {k: partial(parsing.text, max_length=n) for k, n in TEXTS.items()}

    def memo(self, key: str, raw: str, find: Any) -> Any:
        """Look a reference value up once per file (sheets repeat the same few sectors and districts)."""
        cache_key = (key, raw)
        if cache_key not in self.cache:
            self.cache[cache_key] = find()
        return self.cache[cache_key]

    # --- checking one row -------------------------------------------------------------------------------

    def check(self, row: RowResult) -> None:
        """Parse the row, find duplicates within the file and match it to a stored organisation."""
        values = self.parse(row)
        row.label = values.get("legal_name") or row.cells.get("legal_name", "")
        if not values.get("legal_name") and not any(k == "legal_name" for k, _m in row.errors):
            row.error("legal_name", _("The legal name is empty."))
        row.values = {"org": values, "profile": self.parse_profile(row)}
        row.values.update(extras.parse(row, self.lookups, self.ctx))
        self.check_repeats(row, values)
        if not row.errors:
            match = self.index.match(values.get("ruc"), values.get("legal_name"))
            resolve(row, match, self.ctx, self.index.names, "legal_name")

    def parse(self, row: RowResult) -> dict[str, Any]:
        """Return the organisation fields the row fills (blank cells are left out)."""
        values: dict[str, Any] = {k: row.cell(k, self.texts[k]) for k in TEXTS}
        values["ruc"] = row.cell("ruc", parsing.ruc)
        values["website"] = row.cell("website", parsing.website)
        values["kind"] = self.enum(row, "kind")
        values["size"] = self.enum(row, "size")
        values["sector_id"] = self.reference(row, "sector", sector_id, self.lookups.sectors)
        values["district_id"] = self.reference(row, "district", district_id, self.lookups.districts)
        values["owner_id"] = self.reference(
            row, "owner", lambda idx, raw: idx.get(fold(raw)), self.lookups.users
        )
        return {k: v for k, v in values.items() if v is not None}

    def enum(self, row: RowResult, key: str) -> str | None:
        """Return the code of an enumerated cell, or record why it is unknown."""
        raw = row.cells.get(key, "").strip()
        if not raw:
            return None
        code = self.memo(key, raw, lambda: self.lookups.enum(key, raw))
        if code is None:
            row.error(key, str(UNKNOWN[key]) % {"value": raw})
        return code

    def reference(self, row: RowResult, key: str, find: Any, index: dict) -> int | None:
        """Return the id of a referenced sector, district or owner, or record why it is unknown."""
        raw = row.cells.get(key, "").strip()
        if not raw:
            return None
        found = self.memo(key, raw, lambda: find(index, raw))
        if found is None:
            row.error(key, unknown_reference(key, raw))
        return found

    def parse_profile(self, row: RowResult) -> dict[str, Any]:
        """Return the emission profile values the row fills."""
        values = {k: self.ctx.number(row, k, partial(profile_number, key=k)) for k in PROFILE_NUMBERS}
        values["emits_upops"] = row.cell("emits_upops", parsing.boolean)
        return {k: v for k, v in values.items() if v is not None}

    def check_repeats(self, row: RowResult, values: dict[str, Any]) -> None:
        """Refuse a RUC, or a name without RUC, that an earlier row of the file already has."""
        ruc = values.get("ruc")
        if ruc and (earlier := self.ctx.first_seen(row, ("ruc", ruc))):
            row.error("ruc", _("This RUC already appears in row %(row)s of the file.", row=earlier))
        elif not ruc and (earlier := self.ctx.first_seen(row, ("name", name_key(values.get("legal_name"))))):
            row.error(
                "legal_name", _("This organisation already appears in row %(row)s of the file.", row=earlier)
            )

    # --- a chunk of rows ---------------------------------------------------------------------------------

    def chunk(self, rows: list[RowResult]) -> None:
        """Compare the chunk's rows with the stored records, then write them when applying."""
        live = [r for r in rows if not r.errors]
        targets = load_targets({r.target_id for r in live if r.action == "update"})
        for row in live:
            target = targets.get(row.target_id) if row.action == "update" else None
            self.compare(row, target)
        state = extras.load_state([r.target_id for r in live if r.action == "update"], self.ctx)
        for row in live:
            extras.plan(row, targets.get(row.target_id), state, self.contacts, self.ctx)
        if self.ctx.apply:
            self.write([r for r in live if not r.errors], targets, state)

    def compare(self, row: RowResult, target: Organisation | None) -> None:
        """List the fields an update changes; refuse what a company-only field asks of another kind."""
        org, profile = row.values["org"], row.values["profile"]
        kind = org.get("kind") or (target.kind if target else OrgKind.COMPANY)
        if profile and kind != OrgKind.COMPANY:
            row.error(PROFILE_KEYS[0], _("Only companies have an emission profile."))
        if target is None:
            return
        row.changes = [key_of(k) for k, v in org.items() if getattr(target, k) != v]
        stored = target.profile
        row.changes += [k for k, v in profile.items() if stored is None or profile_value(stored, k) != v]

    # --- writing -----------------------------------------------------------------------------------------

    def write(self, rows: list[RowResult], targets: dict[int, Organisation], state: extras.State) -> None:
        """Create the chunk's organisations in bulk, update the others, then write their extra parts."""
        created = [r for r in rows if r.action == "create"]
        records = [{**BLANK_ORG, **r.values["org"]} for r in created]
        ids = bulk.create_many(Organisation, records, self.ctx.batch_id)
        for row, ident in zip(created, ids, strict=True):
            row.target_id = ident
        profiles = [
            {**BLANK_PROFILE, "organisation_id": r.target_id, **r.values["profile"]}
            for r in created
            if r.values["profile"]
        ]
        bulk.create_many(EmissionProfile, profiles, self.ctx.batch_id)
        for row in rows:
            if row.action == "update" and row.target_id in targets:
                update(row, targets[row.target_id])
        db.session.flush()
        extras.write(rows, targets, state, self.contacts, self.ctx)


def column_limit(key: str) -> Decimal:
    """Return the smallest number a profile column cannot hold: 10^(precision - scale)."""
    column_type = EmissionProfile.__table__.c[key].type
    return Decimal(10) ** (column_type.precision - column_type.scale)


def profile_number(raw: str, key: str, style: str = "auto") -> Decimal | None:
    """Parse a profile number, refusing one larger than its column holds (PostgreSQL would fail the job)."""
    value = parsing.decimal(raw, style=style)
    limit = column_limit(key)
    if value is not None and value >= limit:
        largest = format_decimal(limit - Decimal("0.01"))
        raise parsing.CellError(_("The number is too large: this column holds at most %(max)s.", max=largest))
    return value


def unknown_reference(key: str, raw: str) -> str:
    """Return the message for a sector, district or owner that is not on the lists."""
    messages = {
        "sector": _("Unknown sector “%(value)s”: write an ISIC code (such as C or 24) or its name."),
        "district": _("Unknown district “%(value)s”: write its name or its ubigeo."),
        "owner": _("No active staff member is called “%(value)s” (write their e-mail)."),
    }
    return messages[key] % {"value": raw}


def key_of(column: str) -> str:
    """Return the file field key of an organisation column."""
    return {v: k for k, v in COLUMNS.items()}.get(column, column)


def profile_value(profile: EmissionProfile, key: str) -> Any:
    """Return a stored profile value comparable with a parsed one."""
    value = getattr(profile, key)
    return Decimal(value).quantize(Decimal("0.01")) if isinstance(value, Decimal) else value


def load_targets(ids: set[int | None]) -> dict[int, Organisation]:
    """Load the organisations a chunk updates, with their profiles, in two queries."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    query = (
        select(Organisation).where(Organisation.id.in_(wanted)).options(selectinload(Organisation.profile))
    )
    return {org.id: org for org in db.session.scalars(query).unique()}


def update(row: RowResult, org: Organisation) -> Organisation:
    """Set the fields the file changes (blank cells leave stored values alone)."""
    for key, value in row.values["org"].items():
        if getattr(org, key) != value:
            setattr(org, key, value)
    profile = row.values["profile"]
    if profile and org.profile is None:
        org.profile = EmissionProfile(**{"emits_upops": False, **profile})
    elif profile:
        for key, value in profile.items():
            if profile_value(org.profile, key) != value:
                setattr(org.profile, key, value)
    return org
