"""Demo indicators an administrator added: one computed from the catalogue, one entered by hand per period.

Found by code, so a second run adds nothing. The manual one gets values for the two half-years before the
seeding day's (1, then 2 policy instruments, each entry stating the total so far).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from crm.extensions import db
from crm.models import Indicator, User
from crm.reports import indicator_admin
from crm.reports.indicator_admin import EntryValues, IndicatorValues
from crm.reports.services import recent_periods

COMPUTED = IndicatorValues(
    "3.3.2", "Mujeres capacitadas", "Women trained", "people", None, "300", "computed", "attendance",
    params={"event_type": "training", "genders": ["female"]},
)  # fmt: skip
MANUAL = IndicatorValues(
    "1.1", "Instrumentos de política adoptados", "Policy instruments adopted", "instruments", None, "4",
    "manual", aggregation="latest",
)  # fmt: skip
NOTES = ("Ordenanza regional del Callao sobre zonas industriales sostenibles.", "Guía de PRODUCE para APL.")


def seed_custom_indicators(admin: User, today: date) -> int:
    """Add the two demo indicators (and the manual one's values) unless they exist; return how many."""
    added = 0
    for values in (COMPUTED, MANUAL):
        if db.session.scalars(select(Indicator).where(Indicator.code == values.code)).first() is None:
            indicator = indicator_admin.create_indicator(admin, values)
            added += 1
            if indicator.kind == "manual":
                periods = recent_periods(today, 3)[:0:-1]  # the two before today's, oldest first
                for number, (period, note) in enumerate(zip(periods, NOTES, strict=True), start=1):
                    indicator_admin.save_entry(admin, indicator, EntryValues(period, number, note), today)
    db.session.flush()
    return added
