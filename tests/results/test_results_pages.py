"""The results pages: recording a verified result with its evidence, the confidential trail, the gap page."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import AccessLog, Baseline, EmissionFactor, Indicator, MeasureResult, Organisation
from crm.models.organisation import EmissionProfile
from crm.reports import indicators

PDF = b"%PDF-1.4\n% verificacion\n"


def reads(what: str = "emission_results") -> int:
    """Count the access-log rows of result reads."""
    return db.session.scalar(select(func.count()).select_from(AccessLog).where(AccessLog.what == what))


def gef(code: str) -> Decimal | None:
    """Return a GEF indicator's live value."""
    row = db.session.scalars(select(Indicator).where(Indicator.code == code)).one()
    return indicators.compute(row, None).value


def cells(page: str, css: str) -> list[str]:
    """Return the text of the table cells of a class, in page order."""
    return re.findall(rf'<td class="{css}">([^<]*)</td>', page)


def digits(text: str | list[str]) -> str:
    """Keep the digits of a number as shown (the separators follow the locale)."""
    joined = " ".join(text) if isinstance(text, list) else text
    return re.sub(r"(?<=\d)[.,\u00a0\u202f](?=\d)", "", joined).replace(",", "").strip()


def form(world, **extra) -> dict:
    """A complete result form."""
    data = {"programme_id": world.programme.id, "measure_id": world.furnace.id, "status": "verified",
            "occurred_on": "2026-04-15", "teq_unit": "g", "achieved_electricity": "1250.5",
            "achieved_upops": "0.5", "expected_electricity": "2000"}  # fmt: skip
    return data | extra


@pytest.fixture
def upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    return tmp_path


def test_staff_records_a_verified_result_and_the_indicators_move(client, login, world, upload_dir):
    login(world.staff)
    assert gef("GEF-6") == 0
    data = form(world, evidence=(io.BytesIO(PDF), "verificación.pdf"))
    response = client.post(f"/results/organisations/{world.company.id}/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    result = db.session.scalars(select(MeasureResult)).one()
    assert result.status == "verified" and result.verified_by_id == world.staff.id and result.evidence_id
    assert gef("GEF-6") == Decimal("250.1")  # 1,250.5 MWh × 0.2
    assert gef("GEF-10") == Decimal(500000)  # 0.5 g TEQ in the target's µg TEQ/yr
    assert gef("GEF-6.3") == Decimal("4501800")  # 1,250.5 × 3,600 MJ
    page = client.get(f"/results/organisations/{world.company.id}").get_data(as_text=True)
    assert "verificación.pdf" in page and digits(cells(page, "num")).count("2501") == 2  # 250.1 t in two rows
    assert client.get(f"/results/{result.id}/evidence").data == PDF


def test_verified_without_evidence_is_refused_and_changes_nothing(client, login, world):
    login(world.staff)
    response = client.post(f"/results/organisations/{world.company.id}/new", data=form(world))
    assert response.status_code == 400
    assert "necesita su evidencia" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MeasureResult)) == 0


def test_bad_numbers_get_a_message_not_an_error(client, login, world):
    login(world.staff)
    data = form(world, status="estimated", achieved_electricity="mucho", achieved_upops="-3")
    response = client.post(f"/results/organisations/{world.company.id}/new", data=data)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(MeasureResult)) == 0


def test_staff_records_a_baseline_in_the_units_chosen(client, login, world):
    login(world.staff)
    data = {"programme_id": world.programme.id, "year": "2024", "baseline_electricity": "5200.5",
            "baseline_process": "12", "baseline_upops": "1.5", "teq_unit": "mg"}  # fmt: skip
    url = f"/results/organisations/{world.company.id}/baseline"
    assert client.post(url, data=data).status_code == 302
    baseline = db.session.scalars(select(Baseline)).one()
    assert (baseline.year, baseline.electricity, baseline.process) == (2024, Decimal("5200.5"), Decimal(12))
    assert baseline.upops == Decimal(1500)  # 1.5 mg TEQ stored as µg
    assert client.get(url).status_code == 200
    assert client.post(url, data=data | {"year": "dos mil"}).status_code == 400


def test_every_read_is_recorded(client, login, world, record):
    record("reported", a_electricity="10")
    login(world.staff)
    assert client.get(f"/results/organisations/{world.company.id}").status_code == 200
    client.get(f"/organisations/{world.company.id}")
    assert reads() == 2


@pytest.mark.parametrize("role", ["viewer", "liaison"])
def test_viewers_and_liaisons_never_see_results(client, login, make_user, world, record, role):
    record("verified", a_electricity="98765.4321")
    login(make_user(role))
    assert client.get(f"/results/organisations/{world.company.id}").status_code == 404
    page = client.get(f"/organisations/{world.company.id}").get_data(as_text=True)
    assert 'id="results"' not in page and "19753" not in page
    assert reads() == 0


def test_the_organisation_page_shows_results_by_status_to_staff(client, login, world, record):
    record("estimated", a_electricity="1000")
    record("verified", a_electricity="50")
    login(world.staff)
    page = client.get(f"/organisations/{world.company.id}").get_data(as_text=True)
    assert 'id="results"' in page and "Verificado" in page and "Estimado" in page


def test_admin_adds_a_factor_version_old_results_keep_theirs(client, login, world, record):
    old = record("verified", a_electricity="1000")  # 200 t with v1
    login(world.admin)
    data = {"carrier": "electricity", "value": "0.3", "source": "MINAM 2025 (prueba)", "year": "2025"}
    assert client.post("/results/admin/factors/new", data=data).status_code == 302
    versions = db.session.scalars(
        select(EmissionFactor.version).where(EmissionFactor.carrier == "electricity")
    )
    assert sorted(versions) == [1, 2]
    assert db.session.get(MeasureResult, old).lines[0].tco2e == Decimal(200)
    assert "MINAM 2025 (prueba)" in client.get("/results/admin/factors").get_data(as_text=True)


def test_admin_adds_a_measure_and_a_duplicate_code_is_refused(client, login, world):
    login(world.admin)
    data = {"code": "biomass", "name_es": "Caldera de biomasa", "name_en": "Biomass boiler", "active": "y"}
    assert client.post("/results/admin/measures/new", data=data).status_code == 302
    again = client.post("/results/admin/measures/new", data=data)
    assert again.status_code == 400 and "ya tiene este código" in again.get_data(as_text=True)


def test_gap_page_ranks_prospects_by_potential(client, login, world, make_org, record):
    big, small = make_org("Acería Grande SAC"), make_org("Textil Pequeña SAC")
    db.session.add_all([
        EmissionProfile(organisation_id=big.id, reduction_potential_tco2e=Decimal("5000")),
        EmissionProfile(organisation_id=small.id, reduction_potential_tco2e=Decimal("120")),
    ])  # fmt: skip
    db.session.commit()
    record("verified", a_electricity="1000", e_electricity="5000")
    login(world.manager)
    page = client.get("/results/gap").get_data(as_text=True)
    assert page.index("Acería Grande SAC") < page.index("Textil Pequeña SAC")
    gef6 = [digits(c) for c in (cells(page, "num gef-verified")[0], cells(page, "num gef-expected")[0])]
    assert gef6 == ["200", "1000"] and "305" in page  # verified 1,000 MWh × 0.2; expected 5,000 × 0.2
    shown = db.session.scalars(select(AccessLog.organisation_id).where(AccessLog.what == "emission_profile"))
    assert {big.id, small.id} <= set(shown)
    assert db.session.get(Organisation, world.company.id) is not None
