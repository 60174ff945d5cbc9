"""Co-finance commitments load through the letters feature; the CLI prints counts and errors, exit codes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from flask_babel import force_locale, gettext
from imports_support import counts, ruc, text
from sqlalchemy import func, select

from crm.extensions import db
from crm.letters.cofinance import totals
from crm.models import ImportBatch, Letter, Organisation

CHECK_DIGIT = "The last digit (check digit) of this RUC is wrong. Check the number."
ANNEX = Path(__file__).resolve().parents[2] / "crm" / "demo" / "data" / "cofinance_commitments_2021.csv"


def spanish(msgid: str, **values) -> str:
    """Return a message in Spanish, the language of the CLI."""
    with force_locale("es"):
        return gettext(msgid, **values)


def said(output: str, msgid: str, **values) -> bool:
    """Return whether the CLI printed the message (in Spanish, its default language, or English)."""
    english = msgid % values if values else msgid
    return english in output or spanish(msgid, **values) in output


def run(app, *args: str):
    """Invoke `flask crm ...`."""
    return app.test_cli_runner().invoke(args=["crm", *args])


def test_the_mid_term_commitment_table_imports_as_signed_letters(client, staff, imported):
    batch = imported(ANNEX.read_bytes(), kind="cofinance", filename="cofinance.csv")
    assert batch.status == "done", batch.error
    result = totals()
    assert (result.letters, result.committed, result.materialised) == (
        40,
        Decimal("52029264.00"),
        Decimal("9737523.00"),
    )
    assert batch.counts["letters"] == 40
    statuses = db.session.scalars(select(Letter.status).distinct()).all()
    assert statuses == ["signed"]
    page = text(client.get(f"/imports/{batch.id}"))
    assert "co-finance letters" in page


def test_cofinance_rows_with_errors_and_repeats_are_reported_by_column(staff, previewed):
    content = (
        "Fuente;Tipo de cofinanciador;Tipo de cofinanciamiento;Comprometido;Materializado\n"
        "Empresa Uno SAC;privado;efectivo;150.000,50;1000\n"
        "Empresa Dos SAC;marciano;efectivo;1000;0\n"
        "Empresa Tres SAC;privado;efectivo;0;0\n"
        "Empresa Uno SAC;privado;efectivo;150.000,50;1000\n"
    )
    ident, page = previewed(content, kind="cofinance", show="error")
    body = text(page)
    assert "<strong>Row 3, Tipo de cofinanciador:</strong> Unknown type “marciano”." in body
    assert "<strong>Row 4, Comprometido:</strong> Enter the committed amount (more than zero)." in body
    assert "<strong>Row 5, Fuente:</strong> This row repeats row 2 of the file." in body
    assert db.session.get(ImportBatch, ident).counts["create"] == 1
    assert db.session.scalar(select(func.count(Letter.id))) == 0


def test_cli_dry_run_prints_counts_and_writes_nothing(app, tmp_path):
    path = tmp_path / "empresas.csv"
    path.write_text(f"Razón social;RUC\nUna SAC;{ruc(1)}\nDos SAC;\n", encoding="cp1252")
    before = counts()
    result = run(app, "import", "organisations", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Filas: 2; nuevas: 2; por actualizar: 0" in result.output and said(
        result.output, "Dry run: nothing was written."
    )
    assert counts() == before and db.session.scalar(select(ImportBatch.id)) is None


def test_cli_exits_non_zero_on_errors_and_writes_nothing(app, tmp_path):
    path = tmp_path / "empresas.csv"
    path.write_text(f"Razón social;RUC\nUna SAC;{ruc(1)}\nMala SAC;20100047219\n", encoding="utf-8")
    for extra in ([], ["--dry-run"]):
        result = run(app, "import", "organisations", str(path), *extra)
        assert result.exit_code == 1, result.output
        assert f"fila 3, RUC: {spanish(CHECK_DIGIT)}" in result.output  # scripts get the default language
        assert said(result.output, "The file has errors: nothing was written.")
        assert "con errores: 1" in result.output
    assert db.session.scalar(select(func.count(Organisation.id))) == 0
    assert db.session.scalar(select(ImportBatch.id)) is None


def test_cli_imports_and_records_a_batch(app, tmp_path, make_user):
    admin = make_user("admin", email="admin@pmu.pe")
    path = tmp_path / "cofinance.csv"
    path.write_bytes(ANNEX.read_bytes())
    result = run(app, "import", "cofinance", str(path), "--as", "admin@pmu.pe")
    assert result.exit_code == 0, result.output
    batch = db.session.scalars(select(ImportBatch)).one()
    assert (batch.status, batch.user_id, batch.kind, batch.filename) == (
        "done",
        admin.id,
        "cofinance",
        "cofinance.csv",
    )
    assert totals().letters == 40
    again = run(app, "import", "cofinance", str(path))
    assert again.exit_code == 0 and "sin cambios: 40" in again.output
    assert totals().letters == 40


def test_cli_refuses_unreadable_files_and_unknown_users(app, tmp_path):
    empty = tmp_path / "vacio.csv"
    empty.write_bytes(b"")
    result = run(app, "import", "contacts", str(empty))
    assert result.exit_code == 1 and said(result.output, "The file is empty.")
    result = run(app, "import", "contacts", str(empty), "--as", "nadie@pmu.pe")
    assert result.exit_code == 1 and said(
        result.output, "No active user has the e-mail %(email)s.", email="nadie@pmu.pe"
    )
