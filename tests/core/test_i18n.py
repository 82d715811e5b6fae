"""Languages and time zones: preference, Accept-Language, switcher, dates in the viewer's zone."""
from __future__ import annotations

from datetime import UTC, datetime

from app.core.i18n import in_zone


def test_accept_language_picks_dutch(client):
    html = client.get("/", headers={"Accept-Language": "nl-BE,nl;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "Aanmelden" in html


def test_unsupported_language_falls_back_to_english(client):
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)


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


# One way to show a moment, a day and a range ---------------------------------------------------

def test_british_english_day_first_24_hour_clock_no_seconds(app):
    from app.core.i18n import format_day, format_moment, format_span

    start, end = datetime(2026, 12, 8, 11, 0, tzinfo=UTC), datetime(2026, 12, 8, 12, 0, 30, tzinfo=UTC)
    with app.test_request_context():
        assert format_span(start, end, tz="Europe/Brussels") == "Tue, 8 Dec 2026, 12:00–13:00"
        assert format_moment(start, "short", "Europe/Brussels") == "08/12/2026, 12:00"
        assert format_moment(start, "long", "Europe/Athens") == "Tuesday, 8 December 2026, 13:00"
        assert format_day(start, "brief", "Europe/Brussels") == "Tue 8 Dec"
        next_day = format_span(start, datetime(2026, 12, 9, 8, 0, tzinfo=UTC), tz="Europe/Brussels")
        assert next_day == "Tue, 8 Dec 2026, 12:00 – Wed, 9 Dec 2026, 09:00"


def test_every_language_uses_the_24_hour_clock(app):
    """Greek CLDR writes "1:00 μ.μ."; the platform's European convention is 13:00 in every language."""
    from app.core.i18n import format_moment, format_span, in_language

    start, end = datetime(2026, 12, 8, 11, 0, tzinfo=UTC), datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
    for language in app.config["LANGUAGES"]:
        with app.test_request_context(), in_language(language):
            shown = format_span(start, end, tz="Europe/Athens") + " " + format_moment(start, "long", "Europe/Athens")
            assert "13:00" in shown and "14:00" in shown, (language, shown)
            assert not any(mark in shown for mark in ("PM", "AM", "μ.μ.", "π.μ.", ":00:00")), (language, shown)


def test_the_browsers_url_encoded_zone_cookie_is_decoded(client):
    client.set_cookie("tz", "Europe%2FAthens")  # what static/js/app.js writes (encodeURIComponent)
    assert "Times in Europe/Athens" in client.get("/").get_data(as_text=True)


def test_visitors_choose_their_zone_and_keep_it(client):
    page = client.get("/zone?next=/contact")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index("Europe/Athens") < html.index("America/New_York")  # the six countries first
    response = client.post("/zone", data={"timezone": "Europe/Athens", "next": "/contact"})
    assert response.status_code == 302 and response.headers["Location"] == "/contact"
    assert "Times in Europe/Athens" in client.get("/contact").get_data(as_text=True)
    bad = client.post("/zone", data={"timezone": "Mars/Olympus", "next": "/contact"})
    assert bad.status_code == 400 and "Unknown time zone." in bad.get_data(as_text=True)


def test_a_signed_in_persons_zone_choice_goes_to_their_profile(client, make, login, db):
    user = make.user(country="BE")
    login(user)
    client.post("/zone", data={"timezone": "Europe/Warsaw"})
    db.session.refresh(user)
    assert user.timezone == "Europe/Warsaw"


def test_a_visitors_language_choice_stays_in_a_cookie(app, client):
    response = client.post("/language", data={"language": "nl", "next": "/"})
    cookie = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("lang=nl;") and "Max-Age=31536000" in c for c in cookie)
    fresh = app.test_client()
    fresh.set_cookie("lang", "nl")
    assert '<html lang="nl">' in fresh.get("/").get_data(as_text=True)


def test_the_language_menu_names_each_language_in_itself(client):
    html = client.get("/").get_data(as_text=True)
    for name in ("English", "Nederlands", "Français", "Hrvatski", "Ελληνικά", "Italiano", "Polski", "Español"):  # the offered ones (app/config.py)
        assert f">{name}</option>" in html


def test_country_lists_put_the_six_first_then_the_covenant_then_the_rest(app):
    from app.core.reference import COVENANT_COUNTRIES, PROJECT_COUNTRIES, country_choices

    with app.test_request_context():
        codes = [code for code, _name in country_choices()]
    assert set(codes[:6]) == set(PROJECT_COUNTRIES)
    covenant = [c for c in codes if c in COVENANT_COUNTRIES]
    assert codes[6:6 + len(covenant)] == covenant
    assert codes.index("DE") < codes.index("US") and codes.index("UA") < codes.index("BR")
