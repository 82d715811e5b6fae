"""The personal home: visitors keep the marketing page, signed-in people see their sections."""
from __future__ import annotations

from app.notifications.services import notify
from tests.pages import home_query_count


def test_visitor_keeps_the_marketing_page_and_home_asks_to_sign_in(client):
    page = client.get("/").get_data(as_text=True)
    assert "Find a training" in page and 'id="home-shortcuts"' not in page
    response = client.get("/home")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_signed_in_home_lists_unread_notifications_linking_to_their_item(client, db, make, login):
    user, other = make.user(), make.user()
    mine = notify(user, "enrolment", "Your place in SEAP basics is confirmed", url="/courses/")
    notify(other, "enrolment", "Someone else's news")
    db.session.commit()
    login(user)
    for url in ("/", "/home"):
        page = client.get(url).get_data(as_text=True)
        assert 'id="home-notifications"' in page and "Find a training" not in page
        assert "Your place in SEAP basics is confirmed" in page and "Someone else" not in page
        assert f"/notifications/{mine.id}/read" in page
        assert 'href="/courses/my"' in page
    response = client.post(f"/notifications/{mine.id}/read", data={})
    assert response.status_code == 302


def test_home_empty_state(client, db, make, login):
    login(make.user())
    page = client.get("/home").get_data(as_text=True)
    assert "You have read everything." in page


def test_home_query_count_stays_flat_as_data_grows(client, db, make, login, count_queries):
    user = make.user()
    db.session.commit()
    login(user)
    counts = []
    for n in (1, 30):
        for i in range(n):
            notify(user, "enrolment", f"News {i}", url="/courses/")
        db.session.commit()
        counts.append(home_query_count(client, count_queries))
    assert counts[0] == counts[1] and counts[1] <= 13, counts  # one of them reads the data versions


def test_shortcuts_open_my_own_pages(client, make, login):
    login(make.user())
    page = client.get("/home").get_data(as_text=True)
    shortcuts = page[page.index('id="home-shortcuts"'):page.index("</p>", page.index('id="home-shortcuts"'))]
    for href in ('href="/courses/my"', 'href="/coaching/appointments/"', 'href="/peers/"',
                 'href="/municipalities/dashboard"'):
        assert href in shortcuts, href


def test_sections_with_something_to_act_on_come_first(client, db, make, login):
    user = make.user()
    login(user)
    page = client.get("/home").get_data(as_text=True)
    assert page.index('id="home-training"') < page.index('id="home-notifications"')  # both empty: as registered
    notify(user, "enrolment", "Your place in SEAP basics is confirmed", url="/courses/my")
    db.session.commit()
    page = client.get("/home").get_data(as_text=True)
    assert page.index('id="home-notifications"') < page.index('id="home-training"')
