"""Spanish users read Peru's formats (CLDR es_PE) with the Spanish catalog's words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext

from crm.templating import fmt_date, fmt_number, per_request
from crm.web import locale


def test_spanish_requests_get_peruvian_numbers_and_spanish_words(app):
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert fmt_number(Decimal("1234567.5")) == "1,234,567.5"  # Spain would write 1.234.567,5
        assert gettext("Organisations") == "Organizaciones"
        assert locale() == "es"
        assert per_request() == {"current_locale": "es", "current_lang_tag": "es-PE"}
        assert "dic" in fmt_date(date(2026, 12, 6))


def test_english_requests_keep_english_formats(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert fmt_number(Decimal("1234567.5")) == "1,234,567.5"
        assert fmt_date(date(2026, 12, 6)) == "Dec 6, 2026"
        assert per_request()["current_lang_tag"] == "en-US"
