"""The shared request helpers never fail on what a query string may hold."""

from hypothesis import given
from hypothesis import strategies as st

from crm.web import MAX_ID, to_id


@given(st.text(max_size=14))
def test_to_id_answers_an_id_or_none_for_any_text(raw):
    value = to_id(raw)
    assert value is None or (0 < value <= MAX_ID and str(value) == raw.lstrip("0"))


def test_to_id_refuses_digits_int_cannot_read():
    assert to_id("²") is None
    assert to_id("٣") is None  # an Arabic-Indic digit: isdigit() says yes, the id column says no


def test_organisation_list_ignores_a_superscript_sector(client, make_user, login):
    login(make_user("staff"))
    assert client.get("/organisations/?sector=%C2%B2").status_code == 200
