"""The navbar of base.html: one user menu for a signed-in person (their pages, the account, sign out), none for
visitors; sign-out is a POST carrying a CSRF token."""
from __future__ import annotations

import re

import pytest

from tests.factories import Factories

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _user_menu(page: str) -> str:
    """The HTML of the user menu's list (it holds no nested list)."""
    match = re.search(r'<ul class="dropdown-menu[^"]*" id="user-menu-items">(.*?)</ul>', page, re.S)
    assert match, "no user menu"
    return match.group(1)


def test_signed_in_person_has_one_user_menu_with_their_pages(client, make, db, login):
    user = make.user(name="Ioanna Papadopoulou-Karamanlidou")
    db.session.commit()
    login(user)
    page = client.get("/courses/").get_data(as_text=True)
    assert page.count('id="user-menu-button"') == 1
    button = re.search(r'<button[^>]*id="user-menu-button".*?</button>', page, re.S).group(0)
    assert 'data-bs-toggle="dropdown"' in button and 'aria-expanded="false"' in button
    assert 'aria-label="Ioanna Papadopoulou-Karamanlidou"' in button  # the full name, even when cut on screen
    menu = _user_menu(page)
    hrefs = re.findall(r'href="([^"]+)"', menu)
    assert hrefs[:4] == ["/courses/my", "/coaching/appointments/", "/peers/#my-exchanges",
                         "/municipalities/dashboard"], hrefs
    for href in ("/auth/profile", "/auth/profile#calendar", "/notifications/", "/auth/profile#tokens",
                 "/auth/profile#timezone"):
        assert href in hrefs, (href, hrefs)
    # The links that moved into the menu are not repeated in the bar (the bell may stay beside it).
    bar = page.replace(menu, "")
    assert 'href="/auth/profile"' not in bar
    assert bar.count("Sign out") == 0
    assert "Admin" not in page.split("</nav>")[0]


def test_sign_out_is_a_post_form_in_the_menu(client, make, db, login):
    login(make.user())
    menu = _user_menu(client.get("/").get_data(as_text=True))
    form = re.search(r'<form method="post" action="/auth/logout">(.*?)</form>', menu, re.S)
    assert form, menu
    assert CSRF.search(form.group(1)) and '<button type="submit"' in form.group(1)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_menu_sign_out_token_signs_out_and_none_does_not(client, make, db):
    user = make.user()
    db.session.commit()
    token = CSRF.search(client.get("/auth/login").get_data(as_text=True)).group(1)
    client.post("/auth/login", data={"email": user.email, "password": Factories.PASSWORD, "csrf_token": token})
    client.post("/auth/logout", data={})  # no token: refused, still signed in
    menu = _user_menu(client.get("/").get_data(as_text=True))
    token = CSRF.search(re.search(r'action="/auth/logout">(.*?)</form>', menu, re.S).group(1)).group(1)
    client.post("/auth/logout", data={"csrf_token": token})
    page = client.get("/").get_data(as_text=True)
    assert 'id="user-menu' not in page and 'href="/auth/login"' in page


def test_admin_keeps_the_admin_link_beside_the_menu(client, make, db, login):
    login(make.admin())
    nav = client.get("/").get_data(as_text=True).split("</nav>")[0]
    assert 'href="/admin/"' in nav.replace(_user_menu(nav + "</ul>"), "")
    assert 'id="user-menu-button"' in nav


def test_visitors_get_sign_in_and_register_but_no_menu(client):
    page = client.get("/courses/").get_data(as_text=True)
    assert 'id="user-menu' not in page and "Sign out" not in page
    assert 'href="/auth/login"' in page and 'href="/auth/register"' in page


def test_the_menu_leaves_the_pages_own_variables_alone(client, make, db, login):
    """base.html's names do not shadow a page's: the catalogue's `mine` (my enrolments) still renders."""
    from datetime import timedelta

    from app.core.timeutil import utcnow
    from app.courses.models import Module, TrainingSession

    trainer = make.trainer()
    module = Module(title="Financing your SECAP", summary="Webinar.", language="en", status="published",
                    topics=["financing"], trainers=[trainer])
    db.session.add(module)
    db.session.flush()
    start = utcnow() + timedelta(days=10)
    db.session.add(TrainingSession(module_id=module.id, starts_at=start, ends_at=start + timedelta(hours=2),
                                   timezone="Europe/Brussels", location="Online", country="BE", capacity=20))
    db.session.commit()
    login(make.user())
    response = client.get("/courses/")
    assert response.status_code == 200 and "Financing your SECAP" in response.get_data(as_text=True)
