"""The administration area and the main menu: each role sees the links it may open, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import url_for

from crm.clock import today
from crm.navigation import ADMIN_LINKS, MAIN_LINKS
from crm.permissions import DEFAULT_ROLE, PERMISSIONS
from crm.reports.services import last_finished_period, period_of


def hrefs(client, path: str) -> str:
    """Fetch a page and return its HTML."""
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "manager", "staff"])
def test_the_admin_area_lists_exactly_the_links_the_role_may_open(app, client, make_user, login, role):
    login(make_user(role, email=f"{role}@pmu.pe"))
    html = hrefs(client, "/admin/")
    with app.test_request_context():
        for link in [link for link in ADMIN_LINKS if link.endpoint in app.view_functions]:
            shown = f'href="{url_for(link.endpoint)}"' in html
            assert shown == (role in PERMISSIONS[link.permission]), (role, link.endpoint)


@pytest.mark.parametrize("role", ["admin", "manager", "staff", "viewer", "liaison"])
def test_the_main_menu_shows_each_role_its_sections(app, client, make_user, login, role):
    login(make_user(role, email=f"{role}@pmu.pe"))
    html = hrefs(client, "/auth/preferences")
    nav = html[html.index('class="mainnav"') : html.index("</nav>")]
    with app.test_request_context():
        # A link with a further condition (`when`, e.g. the registry published) is tested with its feature.
        shown = [link for link in MAIN_LINKS if link.endpoint in app.view_functions and link.when is None]
        for link in shown:
            allowed = link.permission is None or role in PERMISSIONS[link.permission]
            assert (f'href="{url_for(link.endpoint)}"' in nav) == allowed, (role, link.endpoint)


def test_less_used_sections_sit_under_more_and_the_current_one_is_marked(client, make_user, login):
    login(make_user("admin", email="root@pmu.pe"))
    html = hrefs(client, "/admin/")
    more = html[html.index('class="dropdown more"') : html.index("</details>")]
    assert 'href="/admin/"' in more and 'aria-current="page"' in more
    assert "icons.svg#settings" in more


def test_the_admin_area_is_refused_to_liaisons_and_viewers(client, make_user, login):
    for role in ("liaison", "viewer"):
        login(make_user(role, email=f"{role}2@pmu.pe"))
        assert client.get("/admin/").status_code == 404


def test_the_icon_sprite_holds_every_icon_the_menus_use(app):
    text = (Path(app.static_folder) / "icons.svg").read_text(encoding="utf-8")
    for link in MAIN_LINKS + ADMIN_LINKS:
        assert f'<symbol id="{link.icon}"' in text, link.icon


def test_a_new_account_starts_with_the_least_powerful_role(client, make_user, login):
    login(make_user("admin", email="root@pmu.pe"))
    html = hrefs(client, "/users/new")
    select = html[html.index('name="role"') : html.index("</select>", html.index('name="role"'))]
    selected = re.findall(r"<option[^>]*\bselected\b[^>]*>", select)
    assert len(selected) == 1 and f'value="{DEFAULT_ROLE}"' in selected[0]


def test_freezing_offers_the_last_finished_half_year_and_asks_first(client, make_user, login):
    login(make_user("manager", email="boss@pmu.pe"))
    html = hrefs(client, "/reports/indicators")
    form = html[html.index('action="/reports/indicators/freeze"') :]
    form = form[: form.index("</form>")]
    assert "data-confirm=" in form
    assert f'value="{last_finished_period(today())}"' in form
    assert f'value="{period_of(today())}"' not in form
