"""Every CSV and XLSX export survives any stored text, even control characters stored before this fix."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from crm.clock import today
from crm.exports.writer import to_csv, to_xlsx
from crm.extensions import db
from crm.models import Organisation
from crm.reports import registry
from crm.reports.filters import ReportFilters
from crm.reports.registry import REPORTS

HOSTILE = "\x0b\x0c\x01"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spoil_every_name(make_contact) -> None:
    """Store control characters in every organisation's names and notes, bypassing the import."""
    orgs = db.session.scalars(select(Organisation)).all()
    for org in orgs:
        org.legal_name = f"{org.legal_name}{HOSTILE}"
        org.trade_name = f"\x01={org.legal_name}"
        org.notes = f"Pegado\x0bdesde\x0cPowerPoint\x01 @{org.id}"
    db.session.commit()
    make_contact(orgs[0], f"Ana{HOSTILE}", "\x0c-Pérez", position="Gerente\x01")


def export_urls() -> list[str]:
    """Return the URL of every list and report export, in CSV and XLSX."""
    formats = ("csv", "xlsx")
    urls = [f"/imports/export/{what}.{fmt}" for what in ("organisations", "contacts") for fmt in formats]
    for name in REPORTS:
        report = registry.build(name, ReportFilters(), {}, "es", today())
        urls += [f"/reports/export/{name}/{t.key}.{fmt}" for t in report.tables for fmt in formats]
    # Grouped by association, the conversion table names organisations.
    return urls + [f"/reports/export/conversion/conversion.{fmt}?by=membership" for fmt in formats]


def cells_of(url: str, body: bytes) -> list[str]:
    """Open an exported file as a spreadsheet would and return its text cells."""
    if ".csv" in url:
        return [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]
    sheet = load_workbook(io.BytesIO(body)).active
    return [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]


def test_every_export_answers_and_opens_whatever_stored_text(client, world, make_user, login, make_contact):
    spoil_every_name(make_contact)
    login(make_user("admin"))
    written: list[str] = []
    for url in export_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        cells = cells_of(url, response.data)
        assert not any(CONTROL.search(c) for c in cells), url
        written += cells
    assert "Textil Tres" in written and "'=Textil Tres" in written  # names went out, cleaned and defused
    assert "PegadodesdePowerPoint @" + str(world.c.c3.id) in written
    assert "Ana" in written and "'-Pérez" in written
    reports = [url for url in export_urls() if url.startswith("/reports")]
    reports_text = {c for url in reports for c in cells_of(url, client.get(url).data)}
    assert "Sociedad Nacional de Industrias" in reports_text  # a report table held a spoiled name too


def test_the_shared_writers_strip_controls_then_defuse_formulas():
    rows = [["\x01=1+1", "a\x0bb\tc\nd", 5]]
    assert list(csv.reader(io.StringIO(to_csv(["h\x0c"], rows)))) == [["h"], ["'=1+1", "ab\tc\nd", "5"]]
    sheet = load_workbook(io.BytesIO(to_xlsx(["h\x0c"], rows, title="Hoja\x01"))).active
    assert sheet.title == "Hoja"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [["h", None, None], ["'=1+1", "ab\tc\nd", 5]]
