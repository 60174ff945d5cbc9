"""The maintained co-finance lines always equal the letters, and the report reads them without a period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crm.extensions import db
from crm.imports import bulk
from crm.models import (
    COFINANCE_TYPES,
    COFINANCIER_TYPES,
    CofinanceLine,
    District,
    Letter,
    Materialisation,
    Organisation,
    Programme,
    Sector,
)
from crm.organisations.services import delete_organisation
from crm.pipeline import company_reach
from crm.reports import cofinance
from crm.reports.filters import ReportFilters

ORGS = 3
ORG = st.integers(0, ORGS - 1)
MONEY = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("sign"), ORG, st.sampled_from([None, 0, 1]),
            st.sampled_from([None, *COFINANCIER_TYPES[:2]]), st.sampled_from(COFINANCE_TYPES[:2]),
            st.one_of(st.none(), MONEY), st.sampled_from(["signed", "draft"]),
        ),
        st.tuples(st.just("deliver"), st.integers(0, 5), MONEY, st.integers(1, 60)),
        st.tuples(st.just("undeliver"), st.integers(0, 5)),
        st.tuples(st.just("amend"), st.integers(0, 5), st.one_of(st.none(), MONEY)),
        st.tuples(st.just("status"), st.integers(0, 5), st.sampled_from(["signed", "cancelled"])),
        st.tuples(st.just("move"), st.integers(0, 5), ORG),
        st.tuples(st.just("edit"), ORG),
        st.tuples(st.just("remove"), ORG),
    ),
    min_size=1,
    max_size=10,
)  # fmt: skip


class World:
    """Three organisations and the co-finance letters staff record for them."""

    def __init__(self) -> None:
        self.orgs: list[Organisation | None] = [
            Organisation(kind="company", legal_name=f"Empresa {n}") for n in range(ORGS)
        ]
        db.session.add_all(self.orgs)
        self.programmes = db.session.scalars(select(Programme.id).order_by(Programme.id).limit(2)).all()
        db.session.flush()

    def pick(self, n: int) -> Letter | None:
        """Return the n-th co-finance letter recorded (wrapping round), if any."""
        query = select(Letter).where(Letter.kind == "cofinance").order_by(Letter.id)
        letters = db.session.scalars(query).all()
        return letters[n % len(letters)] if letters else None

    def sign(self, o, p, who, kind, usd, status) -> None:
        """Record a co-finance letter, signed or not, for a programme or none, with or without an amount."""
        if self.orgs[o] is None:
            return
        programme = None if p is None else self.programmes[p]
        letter = Letter(kind="cofinance", organisation_id=self.orgs[o].id, programme_id=programme)
        letter.status = status
        letter.signed_on = date(2025, 3, 1) if status == "signed" else None
        letter.cofinancier_type, letter.cofinance_type, letter.amount_usd = who, kind, usd
        db.session.add(letter)

    def deliver(self, n: int, usd: Decimal, day: int) -> None:
        """Record a materialisation of a letter."""
        letter = self.pick(n)
        if letter is not None:
            db.session.add(Materialisation(letter=letter, occurred_on=date(2025, 4, day % 28 + 1),
                                           amount=usd, amount_usd=usd))  # fmt: skip

    def undeliver(self, n: int) -> None:
        """Delete a letter's first materialisation, as an import's undo does (one Core statement)."""
        letter = self.pick(n)
        query = select(Materialisation.id).where(Materialisation.letter_id == (letter.id if letter else None))
        if found := db.session.scalar(query):
            bulk.delete_many(Materialisation, [found])

    def amend(self, n: int, usd: Decimal | None) -> None:
        """Change a letter's amount."""
        if (letter := self.pick(n)) is not None:
            letter.amount_usd = usd

    def status(self, n: int, status: str) -> None:
        """Sign or cancel a letter."""
        if (letter := self.pick(n)) is not None:
            letter.status, letter.signed_on = status, date(2025, 3, 2)

    def move(self, n: int, o: int) -> None:
        """Move a letter to another organisation (what a merge does)."""
        if (letter := self.pick(n)) is not None and self.orgs[o] is not None:
            letter.organisation_id = self.orgs[o].id

    def edit(self, o: int) -> None:
        """Change the organisation's sector and district (the report's filters)."""
        if (org := self.orgs[o]) is not None:
            org.sector_id = None if org.sector_id else db.session.scalar(select(Sector.id).limit(1))
            org.district_id = None if org.district_id else db.session.scalar(select(District.id).limit(1))

    def remove(self, o: int) -> None:
        """Delete the organisation with its letters."""
        if (org := self.orgs[o]) is not None:
            delete_organisation(org)  # the database cascades to the letters (SQLite's foreign keys are on)
            self.orgs[o] = None


def lines_maintained() -> dict[tuple, tuple]:
    """Return the stored lines: (organisation, key, types) -> (sums, first letter, copies)."""
    line = CofinanceLine
    rows = db.session.scalars(select(line))
    return {
        (r.organisation_id, r.programme_key, r.cofinancier_type, r.cofinance_type):
        (Decimal(r.committed), Decimal(r.materialised), r.first_letter_id, r.kind, r.sector_id, r.district_id)
        for r in rows
    }  # fmt: skip


def lines_recomputed() -> dict[tuple, tuple]:
    """Sum every signed co-finance letter in Python, under its programme (if any) and under key 0."""
    sums: dict[tuple, tuple] = {}
    signed = select(Letter).where(Letter.kind == "cofinance", Letter.status == "signed")
    for letter in db.session.scalars(signed):
        paid = select(Materialisation.amount_usd).where(Materialisation.letter_id == letter.id)
        delivered = sum(db.session.scalars(paid), Decimal(0))
        for key in {0, letter.programme_id} - {None}:
            line = (letter.organisation_id, key, letter.cofinancier_type, letter.cofinance_type)
            committed, done, first = sums.get(line, (Decimal(0), Decimal(0), letter.id))
            sums[line] = (committed + (letter.amount_usd or 0), done + delivered, min(first, letter.id))
    orgs = {org.id: org for org in db.session.scalars(select(Organisation))}
    return {
        line: (*found, orgs[line[0]].kind, orgs[line[0]].sector_id, orgs[line[0]].district_id)
        for line, found in sums.items()
    }


EVER = ReportFilters(date_from=date(2000, 1, 1))  # a period that holds every letter: the letters' path


def by_type(f: ReportFilters) -> dict[str, list]:
    """Return the report's sums per type in the tables' order (the database's order is unspecified)."""
    found = cofinance.type_sums(f).items()
    return {group: sorted(rows, key=lambda row: (row[0] is None, row[0] or "")) for group, rows in found}


def assert_both_paths_agree(world: World) -> None:
    """The report read from the lines (no period) equals the one summed from the letters."""
    sector = db.session.scalar(select(Sector.id).limit(1))
    for f in (ReportFilters(), ReportFilters(programme=world.programmes[0]), ReportFilters(sector=sector)):
        with_period = ReportFilters(**{**f.__dict__, "date_from": EVER.date_from})
        assert by_type(f) == by_type(with_period), f
        pages = [cofinance.annex_table(g, 1, 25).rows for g in (f, with_period)]
        assert pages[0] == pages[1], f


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_cofinance_lines_equal_the_letters_after_any_sequence(operations):
    try:
        world = World()
        for name, *args in operations:
            getattr(world, name)(*args)
            db.session.flush()
            assert lines_maintained() == lines_recomputed(), (name, args)
        assert_both_paths_agree(world)
    finally:
        db.session.rollback()


def test_the_report_without_a_period_reads_the_lines(make_org):
    org = make_org("Cementos del Sur SAC")
    letter = Letter(kind="cofinance", organisation_id=org.id, status="signed", signed_on=date(2025, 3, 1))
    letter.cofinancier_type, letter.cofinance_type = "private", "in_kind"
    letter.amount_usd = Decimal("1500.50")
    db.session.add(letter)
    db.session.commit()
    assert cofinance.type_sums(ReportFilters())["total"][0][1] == Decimal("1500.50")

    db.session.execute(CofinanceLine.__table__.delete())  # the lines gone, the letter kept

    assert cofinance.type_sums(ReportFilters())["total"][0][1] is None
    assert cofinance.type_sums(EVER)["total"][0][1] == Decimal("1500.50")  # a period sums the letters
    company_reach.refresh(db.session.connection(), [org.id])
    assert cofinance.type_sums(ReportFilters())["total"][0][1] == Decimal("1500.50")
    db.session.rollback()
