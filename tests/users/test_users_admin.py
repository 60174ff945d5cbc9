"""User administration: list, create, edit, reset password, deactivate; admins only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import User

GOOD = "Fresh-pass-2026"


def new_user(**fields) -> dict:
    """Return a valid creation form, with some fields replaced."""
    data = {"email": "nueva@pmu.pe", "name": "Nueva Persona", "role": "staff", "locale": "es"}
    data.update(password=GOOD, confirm=GOOD)
    data.update(fields)
    return data


def user_count() -> int:
    """Count the accounts."""
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("role", ["manager", "staff", "liaison", "viewer"])
def test_only_admins_reach_user_administration(client, make_user, login, role, reload):
    other = make_user("staff")
    login(make_user(role))
    for url in ("/users/", "/users/new", f"/users/{other.id}/edit", f"/users/{other.id}/password"):
        assert client.get(url).status_code == 404, url
    assert client.post("/users/new", data=new_user()).status_code == 404
    assert client.post(f"/users/{other.id}/deactivate").status_code == 404
    assert client.post(f"/users/{other.id}/edit", data={"name": "Hacked"}).status_code == 404
    assert reload(other).active and reload(other).name != "Hacked"
    assert db.session.scalar(select(User).where(User.email == "nueva@pmu.pe")) is None


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get("/users/").status_code == 302


def test_list_searches_filters_and_paginates(app, client, admin, make_user):
    make_user("liaison", email="maria.liaison@pmu.pe", name="María Gremio")
    for n in range(30):
        make_user("viewer", email=f"viewer{n:02d}@pmu.pe", name=f"Viewer {n:02d}")
    page = client.get("/users/", query_string={"q": "gremio"}).get_data(as_text=True)
    assert "María Gremio" in page and "Viewer 01" not in page and "boss@pmu.pe" not in page
    page = client.get("/users/", query_string={"role": "liaison"}).get_data(as_text=True)
    assert "maria.liaison@pmu.pe" in page and "boss@pmu.pe" not in page
    first = client.get("/users/", query_string={"role": "viewer"}).get_data(as_text=True)
    second = client.get("/users/", query_string={"role": "viewer", "page": 2}).get_data(as_text=True)
    per_page = app.config["PAGE_SIZE"]
    assert f"Viewer {per_page - 1:02d}" in first and f"Viewer {per_page:02d}" not in first
    assert f"Viewer {per_page:02d}" in second and "Viewer 00" not in second
    wildcards = client.get("/users/", query_string={"q": "%_"})
    assert wildcards.status_code == 200 and "No user matches." in wildcards.get_data(as_text=True)
    odd = client.get("/users/", query_string={"role": "emperor", "page": "x"})
    assert odd.status_code == 200 and "boss@pmu.pe" in odd.get_data(as_text=True)


def test_create_user_with_initial_password(client, admin, login):
    response = client.post("/users/new", data=new_user(email="Nueva@PMU.pe", role="manager", locale="en"))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nueva@pmu.pe"))
    assert (user.name, user.role, user.locale, user.active) == ("Nueva Persona", "manager", "en", True)
    client.post("/auth/logout")
    login(user, GOOD)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "boss@pmu.pe"}, "A user with this e-mail already exists."),
        ({"password": "short1", "confirm": "short1"}, "Use at least 10 characters."),
        (
            {"password": "onlyletterslong", "confirm": "onlyletterslong"},
            "Mix letters with digits or symbols.",
        ),
        ({"confirm": "Other-pass-2026"}, "The passwords do not match."),
        ({"email": "not-an-email"}, "Enter a valid e-mail address."),
        ({"role": "emperor"}, "Not a valid choice"),
        ({"name": "x" * 121}, "Field cannot be longer than 120 characters."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_create_rejects_bad_input_and_changes_nothing(client, admin, fields, message):
    before = user_count()
    response = client.post("/users/new", data=new_user(**fields))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert user_count() == before


def test_edit_details_and_change_email(client, admin, make_user, reload):
    user = make_user("staff", email="old@pmu.pe")
    data = {"email": "new@pmu.pe", "name": "Renamed", "role": "viewer", "locale": "en", "active": "y"}
    assert client.post(f"/users/{user.id}/edit", data=data).status_code == 302
    user = reload(user)
    assert (user.email, user.name, user.role, user.locale, user.active) == (
        "new@pmu.pe",
        "Renamed",
        "viewer",
        "en",
        True,
    )
    assert client.post(f"/users/{user.id}/edit", data={**data, "active": ""}).status_code == 302
    assert reload(user).active is False


def test_edit_refuses_an_email_taken_by_someone_else(client, admin, make_user, reload):
    user = make_user("staff", email="mine@pmu.pe", name="Keep Me")
    data = {"email": "BOSS@pmu.pe", "name": "Changed", "role": "staff", "locale": "es", "active": "y"}
    response = client.post(f"/users/{user.id}/edit", data=data)
    assert response.status_code == 400
    assert "A user with this e-mail already exists." in response.get_data(as_text=True)
    assert (reload(user).email, reload(user).name) == ("mine@pmu.pe", "Keep Me")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"role": "manager"}, "You cannot remove your own administrator role."),
        ({"active": ""}, "You cannot deactivate your own account."),
    ],
)
def test_admin_cannot_demote_or_deactivate_themselves(client, admin, change, message, reload):
    data = {
        "email": admin.email,
        "name": "Ana Boss",
        "role": "admin",
        "locale": "es",
        "active": "y",
        **change,
    }
    response = client.post(f"/users/{admin.id}/edit", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert (reload(admin).role, reload(admin).active) == ("admin", True)
    response = client.post(f"/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert reload(admin).active is True


def test_reset_password(client, admin, make_user, login, reload):
    user = make_user("staff")
    assert (
        client.post(f"/users/{user.id}/password", data={"password": "weak", "confirm": "weak"}).status_code
        == 400
    )
    assert reload(user).check_password("Test-password-1")
    response = client.post(f"/users/{user.id}/password", data={"password": GOOD, "confirm": GOOD})
    assert response.status_code == 302
    assert reload(user).check_password(GOOD)
    client.post("/auth/logout")
    login(user, GOOD)


def test_deactivated_user_can_no_longer_sign_in(client, admin, make_user, reload):
    user = make_user("staff", email="leaving@pmu.pe")
    page = client.get(f"/users/{user.id}/edit").get_data(as_text=True)
    assert f"/users/{user.id}/deactivate" in page and "data-confirm" in page
    response = client.post(f"/users/{user.id}/deactivate", follow_redirects=True)
    assert "Account leaving@pmu.pe deactivated." in response.get_data(as_text=True)
    assert reload(user).active is False
    client.post("/auth/logout")
    credentials = {"email": "leaving@pmu.pe", "password": "Test-password-1"}
    failed = client.post("/auth/login", data=credentials, headers={"Accept-Language": "en"})
    assert failed.status_code == 200 and "Wrong e-mail or password." in failed.get_data(as_text=True)


def test_unknown_user_ids_answer_404(client, admin):
    assert client.get("/users/999999/edit").status_code == 404
    assert client.post("/users/999999/deactivate").status_code == 404
    assert client.post("/users/999999/password", data={"password": GOOD, "confirm": GOOD}).status_code == 404
