"""Languages and time zones: preference, Accept-Language, switcher, dates in the viewer's zone."""
from __future__ import annotations

from datetime import UTC, datetime

from app.core.i18n import in_zone


def test_accept_language_picks_dutch(client):
    html = client.get("/", headers={"Accept-Language": "nl-BE,nl;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "Aanmelden" in html


def test_unsupported_language_falls_back_to_english(client):
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "el"}).get_data(as_text=True)


def test_switcher_sets_language_for_visitors_and_users(client, make, login, db):
    response = client.post("/language", data={"language": "nl", "next": "/contact"})
    assert response.headers["Location"] == "/contact"
    assert '<html lang="nl">' in client.get("/").get_data(as_text=True)
    user = make.user()
    login(user)
    client.post("/language", data={"language": "nl", "next": "https://evil.example/"})
    db.session.refresh(user)
    assert user.language == "nl"


def test_times_in_a_zone_and_language(app):
    moment = datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert "10:00" in in_zone(moment, "Europe/Athens")
        assert "09:00" in in_zone(moment, "Europe/Brussels")
        assert "mrt" in in_zone(moment, "Europe/Brussels")


def test_footer_names_the_viewers_zone(client, make, login):
    login(make.user(country="GR"))
    assert "Europe/Athens" in client.get("/").get_data(as_text=True)


def test_browser_zone_cookie_is_used_for_visitors(client):
    client.set_cookie("tz", "Europe/Warsaw")
    assert "Europe/Warsaw" in client.get("/").get_data(as_text=True)
    client.set_cookie("tz", "Not/AZone")
    assert "Europe/Brussels" in client.get("/").get_data(as_text=True)
