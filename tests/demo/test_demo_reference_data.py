"""Migration 0002 loads ISIC Rev.4 sections and divisions and the districts around Callao."""

from __future__ import annotations

import re
import string

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from crm.extensions import db
from crm.models import District, Sector

SECTIONS = set(string.ascii_uppercase[:21])  # A-U


def isic_rows() -> tuple[dict[str, Sector], dict[str, Sector]]:
    """Return the ISIC sections and divisions by code (other tests may add test codes)."""
    rows = db.session.scalars(select(Sector)).all()
    sections = {s.code: s for s in rows if s.code in SECTIONS}
    divisions = {s.code: s for s in rows if re.fullmatch(r"\d\d", s.code)}
    return sections, divisions


def test_all_21_sections_and_88_divisions_with_both_languages():
    sections, divisions = isic_rows()
    assert set(sections) == SECTIONS
    assert len(divisions) == 88
    assert {"04", "34", "40", "44", "48", "54", "57", "67", "76", "83", "89"}.isdisjoint(divisions)
    assert divisions["24"].name_en == "Manufacture of basic metals"
    assert divisions["24"].name_es == "Fabricación de metales comunes"
    assert sections["C"].name_es == "Industrias manufactureras"
    assert all(s.name_es and s.name_en for s in [*sections.values(), *divisions.values()])


def test_every_division_points_at_its_section():
    sections, divisions = isic_rows()
    assert all(s.parent_id is None for s in sections.values())
    parent = {code: division.parent.code for code, division in divisions.items()}
    assert parent["01"] == "A" and parent["10"] == "C" and parent["25"] == "C" and parent["33"] == "C"
    assert parent["38"] == "E" and parent["52"] == "H" and parent["94"] == "S" and parent["99"] == "U"
    assert set(parent.values()) == SECTIONS


def test_callao_lima_and_canete_districts_with_inei_ubigeo():
    rows = {d.ubigeo: d for d in db.session.scalars(select(District))}
    callao = {u: d.name for u, d in rows.items() if d.province == "Callao"}
    assert callao == {
        "070101": "Callao",
        "070102": "Bellavista",
        "070103": "Carmen de la Legua Reynoso",
        "070104": "La Perla",
        "070105": "La Punta",
        "070106": "Ventanilla",
        "070107": "Mi Perú",
    }
    lima = {u: d.name for u, d in rows.items() if d.province == "Lima"}
    assert len(lima) == 43 and all(u.startswith("1501") for u in lima)
    assert (
        lima["150119"] == "Lurín"
        and lima["150142"] == "Villa El Salvador"
        and lima["150101"] == "Cercado de Lima"
    )
    assert rows["150505"].name == "Chilca" and rows["150505"].province == "Cañete"
    assert rows["070106"].region == "Callao" and rows["150124"].region == "Lima"


def test_downgrade_removes_the_reference_rows_and_upgrade_restores_them():
    db.session.remove()
    downgrade(revision="0001")
    sections, divisions = isic_rows()
    assert not sections and not divisions
    assert db.session.scalar(select(func.count()).where(District.ubigeo.like("07%"))) == 0
    db.session.remove()
    upgrade()
    sections, divisions = isic_rows()
    assert len(sections) == 21 and len(divisions) == 88
    child = aliased(Sector)
    linked = select(func.count()).select_from(child).join(Sector, child.parent_id == Sector.id)
    assert db.session.scalar(linked.where(Sector.code.in_(SECTIONS))) == 88
