"""Report table rows written in Python (crm.reports.html): the markup the cell macro wrote, escaped."""

from __future__ import annotations

from datetime import date

from flask_babel import refresh
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from crm.reports.html import report_cell, report_rows
from crm.reports.tables import Column, Table

COLUMNS = [Column("name", "Name", "text"), Column("n", "N"), Column("rate", "Rate", "pct")]


def rows_html(app, table: Table, locale: str = "es") -> str:
    """Render the table's rows in a request of the locale."""
    with app.test_request_context(headers={"Accept-Language": locale}):
        refresh()  # Flask-Babel keeps the locale on the test's app context: choose it again
        return str(report_rows(table))


def test_numbers_dates_and_rates_follow_the_locale_and_empty_values_show_a_dash(app):
    columns = [*COLUMNS, Column("on", "On", "date")]
    table = Table("t", "T", columns, [["Textil", 1234567, 12.5, date(2025, 3, 1)], ["Pesca", None, "", None]])
    html = rows_html(app, table)
    # Spanish formats as in Peru (FORMAT_LOCALES): a comma between thousands, a decimal point.
    assert '<tr><td class="">Textil</td><td class="num">1,234,567</td><td class="num">12.5 %</td>' in html
    assert '<td class="num">1 mar. 2025</td></tr>' in html
    assert html.count('<span class="muted">—</span>') == 3
    assert '<td class="num">Mar 1, 2025</td>' in rows_html(app, table, "en")


def test_the_first_cell_carries_the_rows_link_and_rows_their_class(app):
    table = Table("t", "T", COLUMNS, [["A", 1, 2.0], ["B", 3, 4.0]], links=["/x?a=1&b=2", None])
    table.row_classes = [None, "late"]
    html = rows_html(app, table)
    assert '<td class=""><a href="/x?a=1&amp;b=2">A</a></td>' in html
    assert '<tr class="late"><td class="">B</td>' in html


@given(text=st.text(min_size=1))
def test_any_text_and_link_are_escaped(app, text):
    table = Table("t", "T", COLUMNS, [[text, 1, 1.0]], links=[text])
    table.row_classes = [text]
    html = rows_html(app, table)
    assert f'<tr class="{escape(text)}"><td class=""><a href="{escape(text)}">{escape(text)}</a></td>' in html
    assert "<" not in html.replace("<tr", "").replace("</tr", "").replace("<td", "").replace(
        "</td", ""
    ).replace("<a ", "").replace("</a", "")


def test_totals_and_frozen_figures_use_the_same_cell(app):
    with app.test_request_context():
        refresh()
        assert str(report_cell(None, "int")) == '<span class="muted">—</span>'
        assert str(report_cell(2500, "int")) == "2,500"
        assert str(report_cell(7.5, "pct")) == "7.5 %"
        assert str(report_cell("<b>x</b>", "text")) == "&lt;b&gt;x&lt;/b&gt;"
