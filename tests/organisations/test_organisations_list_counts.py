"""Lists of every company in the country count their matches only up to a cap; the exact count on demand."""

from __future__ import annotations

import re

from sqlalchemy import insert

from crm.extensions import db
from crm.models import Contact, Organisation
from crm.pagination import LIST_COUNT_CAP

MANY = LIST_COUNT_CAP + 5


def add_companies(n: int) -> int:
    """Insert n companies in one statement (and one contact each on the first); return the first's id."""
    rows = [{"kind": "company", "legal_name": f"Empresa {i:05d}", "search_text": f"empresa {i:05d}",
             "version_id": 1} for i in range(n)]  # fmt: skip
    db.session.execute(insert(Organisation), rows)
    first = db.session.query(Organisation.id).order_by(Organisation.id).first()[0]
    people = [{"organisation_id": first, "first_name": "Ana", "last_name": f"Pérez {i:05d}",
               "search_text": f"ana perez {i:05d}", "version_id": 1} for i in range(n)]  # fmt: skip
    db.session.execute(insert(Contact), people)
    db.session.commit()
    return first


def test_the_organisation_list_caps_its_count_and_counts_exactly_on_demand(client, make_user, login):
    login(make_user("manager"))
    add_companies(MANY)
    html = client.get("/organisations/").get_data(as_text=True)
    # The grouping mark follows the locale's conventions (es: 1.000, es-PE: 1,000).
    assert re.search(r"Más de 1[.,]000 organizaciones encontradas", html) and "Contarlos todos" in html
    assert "count=exact" in html and 'rel="next"' in html and "Empresa 00000" in html
    exact = client.get("/organisations/?count=exact").get_data(as_text=True)
    assert re.search(r"1[.,]005 resultados · página 1 de 41", exact) and "Más de" not in exact
    last = client.get("/organisations/?page=41&sort=-name").get_data(as_text=True)  # 1,000 before it
    assert "Empresa 00004" in last and "Empresa 00000" in last and 'rel="next"' not in last
    narrow = client.get("/organisations/?q=empresa+0000").get_data(as_text=True)
    assert "10 organizaciones encontradas" in narrow and "Más de" not in narrow


def test_the_contact_list_caps_its_count_too(client, make_user, login):
    login(make_user("manager", locale="en"))
    add_companies(MANY)
    html = client.get("/contacts/?sort=-updated").get_data(as_text=True)
    assert "More than 1,000 contacts match." in html and "count=exact" in html
    assert "1,005 results · page 1 of 41" in client.get("/contacts/?count=exact").get_data(as_text=True)
