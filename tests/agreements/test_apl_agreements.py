"""Clean production agreements (APL): staff record them with parties; viewers read; liaisons see nothing."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from crm.extensions import db
from crm.models import Agreement, AgreementParty


def test_staff_records_an_apl_with_parties_shown_on_their_pages(client, login, en_user, make_org):
    produce = make_org("Ministerio de la Producción", kind="government")
    company = make_org("Fundición Callao SAC")
    login(en_user("staff"))
    data = {"kind": "apl", "title": "APL de fundición", "signed_on": "2025-04-10", "starts_on": "2025-05-01",
            "ends_on": "2027-04-30", "commitments": "Reducir 10 % el consumo de gas"}  # fmt: skip
    assert client.post("/agreements/new", data=data).status_code == 302
    agreement = db.session.scalar(select(Agreement))
    assert (agreement.kind, agreement.signed_on) == ("apl", date(2025, 4, 10))
    for org, role in ((produce, "promoter"), (company, "signatory")):
        client.post(f"/agreements/{agreement.id}/parties", data={"organisation_id": org.id, "role": role})
    roles = dict(db.session.execute(select(AgreementParty.organisation_id, AgreementParty.role)).all())
    assert roles == {produce.id: "promoter", company.id: "signatory"}
    page = client.get(f"/organisations/{company.id}").get_data(as_text=True)
    assert 'id="agreements"' in page and "APL de fundición" in page and "Signatory" in page
    bad = client.post("/agreements/new", data=data | {"ends_on": "2024-01-01"})
    assert bad.status_code == 400 and "The end cannot be before the start." in bad.get_data(as_text=True)


def test_edit_attaches_the_signed_document(app, client, login, en_user, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    agreement = Agreement(kind="apl", title="APL textil")
    db.session.add(agreement)
    db.session.commit()
    login(en_user("staff"))
    data = {"kind": "apl", "title": "APL textil", "scan": (io.BytesIO(b"%PDF-1.4 apl"), "apl.pdf")}
    assert client.post(f"/agreements/{agreement.id}/edit", data=data).status_code == 302
    assert (
        client.post(f"/agreements/{agreement.id}/edit", data={"kind": "apl", "title": "APL"}).status_code
        == 302
    )
    response = client.get(f"/agreements/{agreement.id}/document")
    assert response.status_code == 200 and response.data == b"%PDF-1.4 apl"


def test_viewer_reads_and_liaison_sees_nothing(client, login, en_user, make_org):
    agreement = Agreement(kind="apl", title="APL textil")
    db.session.add(agreement)
    db.session.commit()
    login(en_user("viewer"))
    assert "APL textil" in client.get("/agreements/").get_data(as_text=True)
    assert client.get(f"/agreements/{agreement.id}").status_code == 200
    assert client.get("/agreements/new").status_code == 404
    assert client.post(f"/agreements/{agreement.id}/delete").status_code == 404
    client.post("/auth/logout")
    login(en_user("liaison"))
    assert client.get(f"/agreements/{agreement.id}").status_code == 404
