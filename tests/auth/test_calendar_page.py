"""The calendar section of the profile: the address, a webcal:// subscribe link, a Copy button
(shown by the script), steps per calendar app, and the message about a new address said in the section."""
from __future__ import annotations

import re

from app.core.calendar import feed_url


def _calendar_section(html: str) -> str:
    return re.search(r'<section id="calendar".*?</section>', html, re.S).group(0)


def test_rotating_says_the_address_is_new_inside_the_calendar_section(client, make, login, db):
    user = make.user()
    old = feed_url(user)
    db.session.commit()
    login(user)
    response = client.post("/auth/calendar/rotate")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/profile?feed=new#calendar")
    section = _calendar_section(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Your calendar address is new. Update your calendar subscriptions." in section
    new = feed_url(user, create=False)
    assert new != old and f'value="{new}"' in section and old not in section
    assert f'href="webcal://{new.split("://", 1)[1]}"' in section
    assert 'data-copy="feed-url"' in section
    for app_name in ("Outlook", "Google Calendar", "Apple Calendar"):
        assert app_name in section


def test_switching_off_says_so_in_the_section_and_offers_a_new_address(client, make, login, db):
    user = make.user()
    feed_url(user)
    db.session.commit()
    login(user)
    response = client.post("/auth/calendar/revoke")
    section = _calendar_section(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Your calendar address is switched off." in section
    assert "webcal://" not in section and "Create my calendar address" in section


def test_the_notice_is_only_said_when_it_is_true(client, make, login, db):
    user = make.user()
    login(user)
    # No address yet: "?feed=new" (an old bookmark, a hand-made link) does not claim one was made.
    section = _calendar_section(client.get("/auth/profile?feed=new").get_data(as_text=True))
    assert "is new" not in section
    feed_url(user)
    db.session.commit()
    section = _calendar_section(client.get("/auth/profile?feed=off").get_data(as_text=True))
    assert "switched off" not in section and "webcal://" in section
