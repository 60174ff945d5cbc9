"""Reference values written by hand: kinds, sizes, stages, sectors, districts, owners, associations."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale
from sqlalchemy import select

from crm.extensions import db
from crm.imports.matching import name_key
from crm.imports.parsing import choice_key
from crm.labels import LABELS
from crm.models import District, Organisation, Programme, Sector, User
from crm.models.organisation import OrgKind
from crm.permissions import roles_with
from crm.text import fold

# Words seen in the PMU's Spanish sheets, beside the translated labels and the codes.
SYNONYMS = {
    "kind": {
        "empresa": OrgKind.COMPANY, "industria": OrgKind.COMPANY,
        "gremio": "association", "asociacion": "association",
        "gobierno": "government", "ministerio": "government", "banco": "bank", "ong": "ngo",
        "proveedor_de_tecnologia": "technology_provider", "consultora": "consultancy",
        "universidad": "academia", "donante": "donor", "cooperante": "donor",
        "agencia_implementadora": "implementing_agency",
    },
    "size": {
        "microempresa": "micro", "pequena": "small", "pequena_empresa": "small", "mediana": "medium",
        "mediana_empresa": "medium", "grande": "large", "gran_empresa": "large",
    },
    "gender": {
        "f": "female", "femenino": "female", "mujer": "female", "m": "male", "masculino": "male",
        "hombre": "male", "otro": "other", "no_registrado": "not_recorded",
    },
    "membership_status": {
        "prospecto": "prospective", "potencial": "prospective", "activo": "active", "activa": "active",
        "vigente": "active", "inactivo": "lapsed", "inactiva": "lapsed", "retirado": "left",
        "retirada": "left",
    },
    "stage": {
        "identificada": "identified", "identificado": "identified", "contactada": "contacted",
        "contactado": "contacted", "reunion_realizada": "meeting_held",
        "carta_de_interes_firmada": "loi_signed",
        "evaluada": "assessed", "asistencia_tecnica": "technical_assistance",
        "factibilidad_entregada": "feasibility_delivered", "adoptando": "adopting", "rechazo": "declined",
        "en_pausa": "on_hold", "retirada": "withdrawn",
    },
}  # fmt: skip


def enum_index(group: str) -> dict[str, str]:
    """Map codes, English and Spanish labels and known synonyms of an enumeration to its codes."""
    index = {choice_key(code): code for code in LABELS[group]}
    for locale in ("en", "es"):
        with force_locale(locale):
            index.update({choice_key(str(text)): code for code, text in LABELS[group].items()})
    index.update(SYNONYMS.get(group, {}))
    return index


def unique_index(pairs: list[tuple[str, int]]) -> dict[str, int | None]:
    """Map keys to ids; a key shared by several ids maps to None (ambiguous)."""
    index: dict[str, int | None] = {}
    for key, ident in pairs:
        if key and key in index and index[key] != ident:
            index[key] = None
        elif key:
            index.setdefault(key, ident)
    return index


@dataclass
class Lookups:
    """Everything a row may refer to, loaded once per pass."""

    enums: dict[str, dict[str, str]] = field(default_factory=dict)
    sectors: dict[str, int | None] = field(default_factory=dict)
    districts: dict[str, int | None] = field(default_factory=dict)
    users: dict[str, int | None] = field(default_factory=dict)
    associations: dict[str, int | None] = field(default_factory=dict)
    programmes: dict[str, int | None] = field(default_factory=dict)
    default_programme: int | None = None

    @classmethod
    def load(cls, with_associations: bool = True) -> Lookups:
        """Load the reference lists (a few hundred rows)."""
        groups = ("kind", "size", "gender", "membership_status", "stage")
        lookups = cls(enums={g: enum_index(g) for g in groups})
        lookups.sectors = sector_index()
        lookups.districts = district_index()
        lookups.users = user_index()
        lookups.associations = association_index() if with_associations else {}
        lookups.programmes, lookups.default_programme = programme_index()
        return lookups

    def enum(self, group: str, raw: str) -> str | None:
        """Return the code of an enumerated value written by hand, or None if unknown."""
        return self.enums[group].get(choice_key(raw))


def sector_index() -> dict[str, int | None]:
    """Map ISIC codes (also 4-digit classes, by their division) and folded names to sector ids."""
    pairs: list[tuple[str, int]] = []
    for sector in db.session.scalars(select(Sector)):
        pairs += [(sector.code.lower(), sector.id), (fold(sector.name_es), sector.id)]
        pairs.append((fold(sector.name_en), sector.id))
    return unique_index(pairs)


def sector_id(index: dict[str, int | None], raw: str) -> int | None:
    """Find a sector by code ('C', '24', '2410', 'C24', 'C – Manufacturing') or by name."""
    key = fold(raw)
    head = key.replace("–", " ").replace("-", " ").split()[0] if key.split() else ""
    candidates = [key, head, head[:2] if head.isdigit() else "", head[1:3] if head[:1].isalpha() else ""]
    for candidate in candidates:
        if candidate and index.get(candidate):
            return index[candidate]
    return None


def district_index() -> dict[str, int | None]:
    """Map folded district names and ubigeos to district ids."""
    pairs: list[tuple[str, int]] = []
    for district in db.session.scalars(select(District)):
        pairs += [(fold(district.name), district.id), (district.ubigeo, district.id)]
    return unique_index(pairs)


def district_id(index: dict[str, int | None], raw: str) -> int | None:
    """Find a district by name or ubigeo (a spreadsheet may have dropped the leading zero)."""
    key = fold(raw)
    return index.get(key.zfill(6) if key.isdigit() else key)


def user_index() -> dict[str, int | None]:
    """Map e-mails and folded names of the active users who may own organisations to user ids."""
    query = select(User.id, User.email, User.name).where(
        User.active.is_(True), User.role.in_(roles_with("org.own"))
    )
    pairs: list[tuple[str, int]] = []
    for user_id, email, name in db.session.execute(query):
        pairs += [(email.lower(), user_id), (fold(name), user_id)]
    return unique_index(pairs)


def association_index() -> dict[str, int | None]:
    """Map association names, name keys and trade names (acronyms) to their ids."""
    query = select(Organisation.id, Organisation.legal_name, Organisation.trade_name).where(
        Organisation.kind == "association"
    )
    pairs: list[tuple[str, int]] = []
    for org_id, legal, trade in db.session.execute(query):
        pairs += [(fold(legal), org_id), (name_key(legal), org_id), (fold(trade), org_id)]
    return unique_index(pairs)


def association_id(index: dict[str, int | None], raw: str) -> int | None:
    """Find an association by name, acronym or normalised name."""
    return index.get(fold(raw)) or index.get(name_key(raw))


def programme_index() -> tuple[dict[str, int | None], int | None]:
    """Map programme codes and names to ids; the default is the first active programme."""
    programmes = db.session.scalars(select(Programme).order_by(Programme.id)).all()
    pairs: list[tuple[str, int]] = []
    for p in programmes:
        pairs += [(fold(p.code), p.id), (fold(p.name_es), p.id), (fold(p.name_en), p.id)]
    default = next((p.id for p in programmes if p.active), None)
    return unique_index(pairs), default
