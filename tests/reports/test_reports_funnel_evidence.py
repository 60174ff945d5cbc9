"""The funnel counts apart the companies whose signed letter of interest has no scan yet."""

from __future__ import annotations

import secrets

from crm.extensions import db
from crm.labels import label
from crm.models import STAGES, Document
from crm.reports import funnel
from crm.reports.filters import ReportFilters
from tests.reports.conftest import engage, letter, programme
from tests.test_query_counts import counted

PATH = [
    ("identified", "2025-01-10"),
    ("contacted", "2025-02-10"),
    ("meeting_held", "2025-03-10"),
    ("loi_signed", "2025-04-10"),
    ("assessed", "2025-05-10"),
    ("technical_assistance", "2025-06-10"),
]


def document() -> Document:
    """Return a stored scan row."""
    row = Document(
        storage_name=secrets.token_hex(16),
        original_name="carta.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    db.session.add(row)
    db.session.flush()
    return row


def company(make_org, name, top, scanned=None, prog=None, letter_prog=None):
    """A company that went up to PATH[top]; scanned None means no signed letter at all."""
    org = make_org(name)
    zis = programme("ZIS-CALLAO")
    engage(org, prog or zis, PATH[: top + 1])
    if scanned is not None:
        fields = {"document_id": document().id} if scanned else {}
        if letter_prog is not None:
            fields["programme_id"] = letter_prog.id
        letter(org, "interest", "signed", "2025-04-01", **fields)
    return org


def pending(table) -> dict[str, object]:
    """Return the 'of which evidence pending' column of the funnel table, by stage label."""
    index = [c.key for c in table.columns].index("pending")
    return {row[0]: row[index] for row in table.rows}


def test_funnel_counts_companies_with_evidence_pending(make_org):
    company(make_org, "A Sin Escaneo", 3, scanned=False)
    company(make_org, "B Escaneada", 4, scanned=True)
    company(make_org, "C Evaluada Sin Escaneo", 4, scanned=False)
    company(make_org, "D Asistencia Sin Escaneo", 5, scanned=False)
    company(make_org, "E Reunida Con Carta", 2, scanned=False)  # letter signed, gate not reached
    company(make_org, "F Contactada", 1)
    db.session.commit()
    f = ReportFilters()
    counts = funnel.stage_counts(f)
    assert [counts[s] for s in STAGES] == [6, 6, 5, 4, 3, 1, 0, 0]
    assert funnel.pending_counts(f) == {
        "loi_signed": 3,
        "assessed": 2,
        "technical_assistance": 1,
        "feasibility_delivered": 0,
        "adopting": 0,
    }
    report = funnel.build(f, None, "en")
    column = pending(report.table("funnel"))
    assert column[label("stage", "meeting_held")] is None  # before the gate: nothing to prove
    assert column[label("stage", "loi_signed")] == 3 and column[label("stage", "assessed")] == 2


def test_only_letters_covering_the_programme_count(make_org):
    pei = programme("PEI")
    # The only scanned letter names another programme: the ZIS engagement's unscanned one is what counts.
    org = company(make_org, "G Dos Cartas", 3, scanned=False)
    letter(org, "interest", "signed", "2025-04-02", programme_id=pei.id, document_id=document().id)
    # A letter naming the engagement's programme with its scan clears the pending mark.
    other = company(make_org, "H Programa", 3, scanned=False)
    zis = programme("ZIS-CALLAO")
    letter(other, "interest", "signed", "2025-04-02", programme_id=zis.id, document_id=document().id)
    db.session.commit()
    assert funnel.pending_counts(ReportFilters())["loi_signed"] == 1
    assert funnel.pending_counts(ReportFilters(programme=pei.id))["loi_signed"] == 0


def test_funnel_page_shows_the_column_with_a_fixed_number_of_queries(client, login, en_user, make_org):
    login(en_user("manager"))
    company(make_org, "A Sin Escaneo", 3, scanned=False)
    db.session.commit()
    client.get("/reports/funnel")  # the first request also fills the per-process reference lists
    with counted() as few:
        page = client.get("/reports/funnel").get_data(as_text=True)
    assert "Of which evidence pending" in page
    for i in range(10):
        company(make_org, f"Más {i}", 3 + i % 3, scanned=bool(i % 2))
    db.session.commit()
    with counted() as many:
        assert client.get("/reports/funnel").status_code == 200
    assert len(many) == len(few)
