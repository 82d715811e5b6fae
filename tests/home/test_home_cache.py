"""The home's sections are kept per person (docs/caching.md, `cache.personal`): what makes that correct."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from app.core import cache
from app.core.models import DataChange
from app.core.timeutil import utcnow
from app.notifications.services import mark_all_read, notify
from tests.pages import home_page, home_section


def test_a_kept_home_costs_the_session_the_versions_and_the_bell(client, db, make, login, count_queries):
    user = make.user()
    notify(user, "enrolment", "Your place in Energy audits is confirmed")
    db.session.commit()
    login(user)
    home_page(client)  # with the welcome message, and keeps the sections
    first = home_page(client)
    with count_queries() as q:
        assert home_page(client) == first
    assert q.count <= 3, q.statements  # the session, the data versions, the bell's count


def test_a_change_shows_at_once_through_the_unit_of_work_or_a_bulk_statement(client, db, make, login):
    user = make.user()
    notify(user, "enrolment", "Your place in Energy audits is confirmed")
    db.session.commit()
    login(user)
    assert "Energy audits" in home_section(client, "notifications")
    notify(user, "enrolment", "The session on heat pumps moved to Chania")  # an ORM insert
    db.session.commit()
    assert "heat pumps moved to Chania" in home_section(client, "notifications")
    assert mark_all_read(user) == 2  # one UPDATE statement, outside the unit of work
    db.session.commit()
    section = home_section(client, "notifications")
    assert "Energy audits" not in section and "You have read everything" in section


def test_a_role_granted_adds_its_section(client, db, make, login):
    user = make.user()
    db.session.commit()
    login(user)
    assert 'id="home-admin"' not in home_page(client)
    user.role = "admin"
    db.session.commit()
    assert 'id="home-admin"' in home_page(client)


def test_signing_in_again_keeps_what_was_kept(app, client, db, make, login):
    """Sign-in bookkeeping (last login, session version) changes no one's page: it keeps the cache."""
    user = make.user()
    db.session.commit()
    people = select(func.count()).select_from(DataChange).where(DataChange.kind == "people")
    before = db.session.scalar(people)
    login(user)
    login(user, target=app.test_client())
    assert db.session.scalar(people) == before
    user.stored_name = "Ana Kovač"
    db.session.commit()
    assert db.session.scalar(people) == before + 1


def test_a_change_written_by_another_server_is_seen(client, db, make, login, monkeypatch):
    """Another server's commit adds a data_changes row: this process renders the sections anew."""
    user = make.user()
    db.session.commit()
    login(user)
    renders = []
    sections = client.application.extensions["home_sections"]
    render, reads = sections["notifications"]
    monkeypatch.setitem(sections, "notifications", (lambda who: renders.append(1) or render(who), reads))
    home_page(client)
    home_page(client)
    assert len(renders) == 1
    db.session.execute(insert(DataChange).values(kind="notifications", token="fromanotherhost",
                                                 created_at=utcnow()))
    db.session.commit()
    home_page(client)
    assert len(renders) == 2


def test_the_next_minute_renders_anew(client, db, make, login, monkeypatch):
    """What changes with the clock alone (a Join link 30 minutes before, "today") is at most a minute old."""
    user = make.user()
    db.session.commit()
    login(user)
    renders = []
    sections = client.application.extensions["home_sections"]
    render, reads = sections["notifications"]
    monkeypatch.setitem(sections, "notifications", (lambda who: renders.append(1) or render(who), reads))
    home_page(client)
    home_page(client)
    later = utcnow() + timedelta(minutes=1)
    monkeypatch.setattr(cache, "utcnow", lambda: later)
    home_page(client)
    assert len(renders) == 2


def test_nobody_gets_another_persons_section(app, client, db, make, login):
    ana, bruno = make.user(name="Ana"), make.user(name="Bruno")
    notify(ana, "enrolment", "Ana: place in Energy audits confirmed")
    db.session.commit()
    login(ana)
    assert "Ana: place" in home_section(client, "notifications")
    other = login(bruno, target=app.test_client())
    assert "Ana: place" not in home_page(other)


def test_each_language_and_zone_has_its_own_section(client, db, make, login):
    user = make.user()
    db.session.commit()
    login(user)
    english = home_section(client, "notifications")
    user.language = "el"
    db.session.commit()
    greek = home_section(client, "notifications")
    assert "Unread notifications" in english and "Unread notifications" not in greek


def _sign_in(client, user) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": user.email, "password": "correct horse battery",
                                                 "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_forms_in_a_kept_section_carry_each_browsers_own_token(app, db, make):
    """The same person in two browsers: the kept section holds a slot, each browser gets its own token."""
    user = make.user(password="correct horse battery")
    first_note = notify(user, "enrolment", "Your place in Energy audits is confirmed")
    db.session.commit()
    laptop, phone = app.test_client(), app.test_client()
    _sign_in(laptop, user)
    _sign_in(phone, user)
    on_laptop = home_section(laptop, "notifications")  # kept now
    on_phone = home_section(phone, "notifications")
    mine, theirs = (re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
                    for html in (on_laptop, on_phone))
    assert mine != theirs and "csrf-slot" not in on_laptop + on_phone
    answer = phone.post(f"/notifications/{first_note.id}/read", data={"csrf_token": theirs})
    assert answer.status_code in (302, 303)
    assert "You have read everything" in home_section(laptop, "notifications")
