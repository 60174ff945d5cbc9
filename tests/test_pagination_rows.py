"""A page of rows counts its matches up to a cap, and exactly only when asked."""

from __future__ import annotations

from sqlalchemy import select

from crm.models import Organisation
from crm.pagination import rows_page


def test_a_page_of_rows_counts_up_to_the_cap_and_exactly_on_demand(app, make_org):
    for n in range(7):
        make_org(f"Empresa Paginada {n}")
    query = select(Organisation.id, Organisation.legal_name).where(
        Organisation.legal_name.like("Empresa Paginada%")
    )
    query = query.order_by(Organisation.legal_name)
    with app.test_request_context("/"):
        first = rows_page(query, 1, 2, cap=3)
        assert [row[1] for row in first.items] == ["Empresa Paginada 0", "Empresa Paginada 1"]
        assert (first.total, first.capped, first.more, first.has_next) == (3, True, True, True)
        small = rows_page(query, 4, 2, cap=10)
        assert (small.total, small.capped, small.pages, [r[1] for r in small.items]) == (
            7,
            False,
            4,
            ["Empresa Paginada 6"],
        )
    with app.test_request_context("/?count=exact"):
        exact = rows_page(query, 1, 2, cap=3)
        assert (exact.total, exact.capped, exact.pages) == (7, False, 4)
