"""The visitors' catalogue is cached (docs/caching.md): these are the properties that make it correct."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import insert

from app.core import cache
from app.core.models import DataChange
from app.courses import services


def _seats(html: str) -> str:
    found = re.search(r"(\d+) seats? left", html)
    return found.group(1) if found else ""


def test_a_seat_taken_or_a_session_moved_shows_at_once(client, make, courses, db, count_queries):
    session = courses.session(capacity=5)
    first = client.get("/courses/").get_data(as_text=True)
    assert _seats(first) == "5"
    with count_queries() as q:
        assert client.get("/courses/").get_data(as_text=True) == first  # from the cache
    assert q.count <= 3, q.statements  # the version, and nothing of the catalogue's own queries
    services.enrol(make.user(), session)
    db.session.commit()
    assert _seats(client.get("/courses/").get_data(as_text=True)) == "4"
    services.update_session(session.module.trainers[0], session, location="Chania, Crete")
    db.session.commit()
    assert "Chania, Crete" in client.get("/courses/").get_data(as_text=True)


def test_a_trainer_renamed_or_a_module_retitled_shows_at_once(client, courses, db):
    module = courses.module(title="Heat pumps for town halls")
    courses.session(module)
    assert "Heat pumps for town halls" in client.get("/courses/").get_data(as_text=True)
    trainer = module.trainers[0]
    trainer.stored_name = "Eleni Papadaki"
    db.session.commit()
    assert "Eleni Papadaki" in client.get("/courses/").get_data(as_text=True)
    module.title = "Heat pumps in public buildings"
    db.session.commit()
    assert "Heat pumps in public buildings" in client.get("/courses/").get_data(as_text=True)


def test_a_change_written_by_another_server_is_seen(client, courses, db):
    """Another server's commit adds a data_changes row (its listener does): ours reads it and renders anew,
    even though nothing changed in this process."""
    courses.session()
    calls = []
    original = cache.cached

    def counting(kind, key, render, ttl=60.0):
        return original(kind, key, lambda: calls.append(1) or render(), ttl)

    cache.cached, saved = counting, cache.cached
    try:
        client.get("/courses/")
        client.get("/courses/")
        assert len(calls) == 1
        db.session.execute(insert(DataChange).values(kind="catalogue", token="fromanotherhost"))
        db.session.commit()
        client.get("/courses/")
        assert len(calls) == 2
    finally:
        cache.cached = saved


def test_language_zone_and_filters_each_have_their_page(client, courses, db):
    courses.session()
    english = client.get("/courses/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    greek = client.get("/courses/", headers={"Accept-Language": "el"}).get_data(as_text=True)
    assert "Next sessions" in english and "Next sessions" not in greek
    client.set_cookie("tz", "Europe/Lisbon")
    lisbon = client.get("/courses/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Times in Europe/Lisbon" in lisbon and "Times in Europe/Lisbon" not in english
    nothing = client.get("/courses/?q=no-such-training-anywhere").get_data(as_text=True)
    assert "No training matches these filters" in nothing


def test_nobody_gets_another_persons_page(client, app, make, courses, db, login):
    session = courses.session()
    first = make.user(name="Ana Enrolled")
    services.enrol(first, session)
    db.session.commit()
    visitor = app.test_client()
    assert "enrolled" not in _badges(visitor.get("/courses/").get_data(as_text=True))
    login(first)
    mine = client.get("/courses/").get_data(as_text=True)
    assert "enrolled" in _badges(mine)  # their own seat shows: rendered for them, never cached
    assert "enrolled" not in _badges(visitor.get("/courses/").get_data(as_text=True))
    other = login(make.user(), target=app.test_client())
    assert "enrolled" not in _badges(other.get("/courses/").get_data(as_text=True))
    assert "csrf_token" not in visitor.get("/courses/").get_data(as_text=True).split("<main", 1)[1].split(
        "</main>", 1)[0]  # the cached part holds no form token


def _badges(html: str) -> str:
    """The enrolment badges of the page's sessions (`status_badge`), lower-cased."""
    return " ".join(re.findall(r'<span class="badge text-bg-\w+">(Enrolled|Waitlist|Left)', html)).lower()


def _form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_each_visitor_gets_a_form_token_of_their_own_that_works(app, courses, db, count_queries):
    """The stored page holds a slot for the token: each visitor's language form carries their own."""
    courses.session()
    first, second = app.test_client(), app.test_client()
    first.get("/courses/")  # stored now
    with count_queries() as q:
        page = first.get("/courses/").get_data(as_text=True)
    assert q.count == 1, q.statements  # the data version: the page itself comes from the store
    other_page = second.get("/courses/").get_data(as_text=True)
    mine, theirs = _form_token(page), _form_token(other_page)
    assert mine != theirs and "csrf-slot" not in page + other_page
    refused = second.post("/language", data={"language": "el", "csrf_token": mine, "next": "/courses/"})
    assert "lang" not in refused.headers.get("Set-Cookie", "")  # someone else's token does nothing
    chosen = second.post("/language", data={"language": "el", "csrf_token": theirs, "next": "/courses/"})
    assert chosen.status_code == 302 and "el" in chosen.headers.get("Set-Cookie", "")
    assert 'lang="el"' in second.get("/courses/").get_data(as_text=True)


def test_a_message_waiting_for_a_visitor_is_theirs_alone(app, courses, db):
    courses.session()
    visitor, other = app.test_client(), app.test_client()
    other.get("/courses/")  # a stored page exists
    with visitor.session_transaction() as saved:
        saved["_flashes"] = [("info", "Your message was sent to the team.")]
    assert "Your message was sent to the team." in visitor.get("/courses/").get_data(as_text=True)
    assert "Your message was sent to the team." not in other.get("/courses/").get_data(as_text=True)
    assert "Your message was sent to the team." not in visitor.get("/courses/").get_data(as_text=True)
