"""Signed co-finance per co-financier and type, kept for the co-finance report (never written by hand)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.models.base import Base
from crm.models.report_rows import CompanyCopies


class CofinanceLine(CompanyCopies, Base):
    """One line of the co-finance annex: an organisation's signed co-finance letters of one co-financier type
    and co-finance type, summed, beside the organisation's report filters.

    Per programme the letters name, and for every programme together (programme_key 0). committed is the
    letters' amount_usd, materialised their materialisations' amount_usd (all of them), first_letter_id the
    first letter recorded (the annex's order). Kept by crm.pipeline.company_reach in the flush of every
    change of a letter, a materialisation or the organisation, so the report without a period sums a few
    thousand narrow rows instead of joining every letter to its materialisations.
    """

    __tablename__ = "cofinance_lines"
    __table_args__ = (
        Index("ix_cofinance_lines_organisation_id", "organisation_id"),
        Index("ix_cofinance_lines_report", "programme_key", "first_letter_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    programme_key: Mapped[int] = mapped_column(Integer)  # 0: every programme together
    cofinancier_type: Mapped[str | None] = mapped_column(String(30))
    cofinance_type: Mapped[str | None] = mapped_column(String(20))
    committed: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    materialised: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    first_letter_id: Mapped[int] = mapped_column(Integer)
