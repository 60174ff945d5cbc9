"""Which column holds which field: Spanish and English header names, remembered per file layout."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.extensions import db
from crm.imports.parsing import NUMBER_STYLES
from crm.models import ColumnMapping
from crm.text import fold

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Field:
    """A field a column can fill, with the header names people use for it."""

    key: str
    label: Any
    synonyms: tuple[str, ...]
    required: bool = False
    number: bool = False  # read as a number: the file's decimal convention matters


def _f(key: str, label: Any, *synonyms: str, required: bool = False, number: bool = False) -> Field:
    """Build a field; its own key always counts as a synonym."""
    return Field(key, label, (key.replace("_", " "), *synonyms), required, number)


ORGANISATION_FIELDS = (
    _f("legal_name", _l("Legal name"), "razon social", "nombre", "empresa", "organizacion",
       "nombre de la empresa",
       "legal name", "name", "company", "company name", "organisation", "organization", required=True),
    _f("trade_name", _l("Trade name"), "nombre comercial", "marca", "trade name", "brand"),
    _f("ruc", _l("RUC"), "n ruc", "nro ruc", "numero de ruc", "ruc de la empresa", "tax id",
       "taxpayer number"),
    _f("kind", _l("Kind"), "tipo", "tipo de organizacion", "type", "organisation type", "organization type"),
    _f("sector", _l("Sector"), "ciiu", "actividad", "actividad economica", "isic", "industry", "sector ciiu"),
    _f("size", _l("Size"), "tamano", "tamano de empresa", "company size"),
    _f("district", _l("District"), "distrito", "ubigeo"),
    _f("website", _l("Website"), "web", "sitio web", "pagina web", "url"),
    _f("owner", _l("Owner"), "responsable", "encargado", "owner email", "account owner"),
    _f("notes", _l("Notes"), "notas", "observaciones", "comentarios", "comments"),
    _f("electricity_mwh_year", _l("Electricity use (MWh/year)"), "electricidad mwh ano",
       "consumo electrico mwh",
       "electricidad mwh", "electricity mwh", "electricity mwh year", "electricity use mwh year",
       number=True),
    _f("natural_gas_m3_year", _l("Natural gas use (m³/year)"), "gas natural m3 ano", "gas natural m3",
       "gas natural", "natural gas", "natural gas m3", "natural gas m3 year", "natural gas use m3 year",
       number=True),
    _f("emits_upops", _l("Emits u-POPs"), "emite cop ni", "emite copni", "cop ni", "u pops", "upops",
       "emits u pops"),
    _f("reduction_potential_tco2e", _l("Emission-reduction potential (tCO2e)"), "potencial de reduccion",
       "potencial de reduccion tco2e", "reduction potential", "reduction potential tco2e",
       "emission reduction potential tco2e", number=True),
    _f("contact_name", _l("Contact (full name)"), "contacto", "nombre del contacto", "contact"),
    _f("contact_first_name", _l("Contact first name"), "nombres del contacto", "nombre contacto"),
    _f("contact_last_name", _l("Contact last name"), "apellidos del contacto", "apellido contacto"),
    _f("contact_position", _l("Contact position"), "cargo", "puesto", "position", "job title"),
    _f("contact_email", _l("Contact e-mail"), "correo", "email", "e mail", "correo electronico",
       "contact e mail"),
    _f("contact_phone", _l("Contact phone"), "telefono", "celular", "phone", "telephone"),
    _f("contact_gender", _l("Contact gender"), "sexo", "genero", "gender", "sex"),
    _f("association", _l("Association"), "gremio", "asociacion", "business association"),
    _f("membership_status", _l("Membership status"), "estado de membresia", "estado en el gremio",
       "estado membresia"),
    _f("membership_since", _l("Member since"), "miembro desde", "fecha de afiliacion", "afiliado desde"),
    _f("programme", _l("Programme"), "programa", "program"),
    _f("stage", _l("Stage"), "etapa", "etapa del programa", "pipeline stage"),
    _f("stage_date", _l("Stage date"), "fecha de etapa", "fecha de la etapa", "fecha etapa"),
)  # fmt: skip

CONTACT_FIELDS = (
    _f("first_name", _l("First name"), "nombres", "nombre", "given name"),
    _f("last_name", _l("Last name"), "apellidos", "apellido", "surname", "family name"),
    _f("full_name", _l("Full name"), "nombre completo", "nombres y apellidos", "contacto", "name", "contact"),
    _f("position", _l("Position"), "cargo", "puesto", "job title"),
    _f("email", _l("E-mail"), "correo", "e mail", "correo electronico"),
    _f("phone", _l("Phone"), "telefono", "celular", "telephone"),
    _f("gender", _l("Gender"), "sexo", "genero", "sex"),
    _f("email_consent", _l("Accepts e-mail"), "acepta correos", "acepta correo", "acepta email",
       "consentimiento",
       "accepts email", "accepts e mail"),
    _f("organisation_ruc", _l("Organisation RUC"), "ruc", "ruc de la empresa", "company ruc"),
    _f("organisation", _l("Organisation"), "empresa", "organizacion", "razon social", "organization",
       "company"),
)  # fmt: skip

COFINANCE_FIELDS = (
    _f("source", _l("Source"), "fuente", "cofinanciador", "entidad", "organizacion", "cofinancier",
       required=True),
    _f("cofinancier_type", _l("Co-financier type"), "tipo de cofinanciador", "tipo de fuente",
       "cofinancier type",
       "co financier type", required=True),
    _f("cofinance_type", _l("Co-finance type"), "tipo de cofinanciamiento", "tipo de aporte", "tipo",
       "cofinance type", "co finance type", "type", required=True),
    _f("committed_usd", _l("Committed (USD)"), "comprometido", "monto comprometido", "comprometido usd",
       "committed", required=True, number=True),
    _f("materialized_usd", _l("Materialised (USD)"), "materializado", "monto materializado",
       "materializado usd",
       "materialised", "materialized", "materialised usd", number=True),
)  # fmt: skip

# An event's sign-in sheet ("apellidos y nombres" is left to the user: it puts the surnames first).
ATTENDANCE_FIELDS = (
    _f("first_name", _l("First name"), "nombres", "nombre", "given name"),
    _f("last_name", _l("Last name"), "apellidos", "apellido", "surname", "family name"),
    _f("full_name", _l("Full name"), "nombre completo", "nombres y apellidos", "participante", "asistente",
       "name", "attendee", "participant"),
    _f("email", _l("E-mail"), "correo", "e mail", "correo electronico", "email address"),
    _f("organisation", _l("Organisation (name or RUC)"), "empresa", "organizacion", "institucion",
       "entidad", "razon social", "organization", "company", "institution"),
    _f("organisation_ruc", _l("Organisation RUC"), "ruc", "ruc de la empresa", "company ruc"),
    _f("position", _l("Position"), "cargo", "puesto", "job title"),
    _f("gender", _l("Gender"), "sexo", "genero", "sex"),
)  # fmt: skip

FIELDS = {
    "organisations": ORGANISATION_FIELDS,
    "contacts": CONTACT_FIELDS,
    "cofinance": COFINANCE_FIELDS,
    "attendance": ATTENDANCE_FIELDS,
}
NAMED_KINDS = ("contacts", "attendance")  # kinds whose rows are people: a last name or a full name
# The file's number convention rides in the batch's mapping under a key no field has (not remembered).
NUMBERS_KEY = "_numbers"


def normalise(header: str) -> str:
    """Return a header as a comparison key: folded, punctuation as single spaces."""
    return _NOT_ALNUM.sub(" ", fold(header)).strip()


def fields_of(kind: str) -> dict[str, Field]:
    """Return the fields of an import kind by key."""
    return {f.key: f for f in FIELDS[kind]}


def reads_numbers(kind: str) -> bool:
    """Return whether a kind has number fields (so the file's decimal convention matters)."""
    return any(f.number for f in FIELDS[kind])


def number_style(mapping: Any) -> str:
    """Return the number convention kept in a batch's mapping ("auto" unless the user chose one)."""
    style = mapping.get(NUMBERS_KEY) if isinstance(mapping, dict) else None
    return style if style in NUMBER_STYLES else "auto"


def with_style(mapping: dict[str, int], style: str) -> dict[str, Any]:
    """Return a batch mapping that keeps a chosen number convention ("auto" is the default, not kept)."""
    fields = {k: v for k, v in mapping.items() if k != NUMBERS_KEY}
    return {**fields, NUMBERS_KEY: style} if style in NUMBER_STYLES and style != "auto" else fields


def synonym_index(kind: str) -> dict[str, str]:
    """Map every normalised synonym to its field (the first field listing it wins)."""
    index: dict[str, str] = {}
    for field in FIELDS[kind]:
        for synonym in field.synonyms:
            index.setdefault(normalise(synonym), field.key)
    return index


def guess_mapping(kind: str, headers: list[str]) -> dict[str, int]:
    """Guess {field: column} from header names: exact synonyms first, then leading words."""
    index, mapping = synonym_index(kind), {}
    keys = [normalise(h) for h in headers]
    for column, key in enumerate(keys):
        field = index.get(key)
        if field and field not in mapping:
            mapping[field] = column
    taken = set(mapping.values())
    for column, key in enumerate(keys):
        if column in taken or not key:
            continue
        for synonym, field in index.items():
            if field not in mapping and key.startswith(synonym + " "):
                mapping[field] = column
                break
    return mapping


def layout_key(kind: str, headers: list[str]) -> str:
    """Return the fingerprint of a file layout: the kind and its normalised headers."""
    text = "\x1f".join([kind, *(normalise(h) for h in headers)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def remembered(kind: str, headers: list[str]) -> dict[str, int] | None:
    """Return the mapping last chosen for this layout, if any."""
    query = select(ColumnMapping).where(ColumnMapping.layout == layout_key(kind, headers))
    row = db.session.scalars(query).first()
    return clean_mapping(kind, row.mapping, len(headers)) if row else None


def initial_mapping(kind: str, headers: list[str]) -> dict[str, int]:
    """Return the remembered mapping of this layout, else a guess."""
    return remembered(kind, headers) or guess_mapping(kind, headers)


def remember(kind: str, headers: list[str], mapping: dict[str, int]) -> None:
    """Store the mapping for this layout (one row per layout, replaced on change)."""
    layout = layout_key(kind, headers)
    row = db.session.scalars(select(ColumnMapping).where(ColumnMapping.layout == layout)).first()
    if row is None:
        row = ColumnMapping(kind=kind, layout=layout)
        db.session.add(row)
    row.mapping = dict(mapping)
    db.session.flush()


def clean_mapping(kind: str, raw: Any, columns: int) -> dict[str, int]:
    """Keep the entries of a stored mapping that name a known field and an existing column."""
    known = fields_of(kind)
    if not isinstance(raw, dict):
        return {}
    valid = {k: v for k, v in raw.items() if k in known and isinstance(v, int) and not isinstance(v, bool)}
    return {k: v for k, v in valid.items() if 0 <= v < columns}


def mapping_problems(kind: str, mapping: dict[str, int]) -> list[str]:
    """Return what is wrong with a mapping: required fields without a column."""
    problems = [
        _("Choose the column that holds: %(field)s.", field=str(f.label))
        for f in FIELDS[kind]
        if f.required and f.key not in mapping
    ]
    if kind in NAMED_KINDS and not ({"last_name", "full_name"} & mapping.keys()):
        problems.append(_("Choose the column that holds the last name or the full name."))
    return problems
