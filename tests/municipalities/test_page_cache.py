"""The municipality page's body is kept per the viewer's rights, the dashboard's per person (docs/caching.md)."""
from __future__ import annotations

from datetime import date

from app.municipalities import services


def _page(client, town) -> str:
    return client.get(f"/municipalities/{town if isinstance(town, int) else town.id}").get_data(as_text=True)


def test_a_kept_page_is_never_shown_with_more_rights_than_the_viewers(app, client, make, munis, login):
    editor = make.user(com_role="coordinator", name="Pieter Claes")
    town = munis.municipality(followers=[editor], notes="Call the alderman in May.")
    munis.action(town, title="LED street lights")
    login(editor)
    mine = _page(client, town)
    assert "Call the alderman" in mine and "Add an action" in mine and "Pieter Claes" in mine
    visitor = app.test_client()
    public = _page(visitor, town)
    assert "LED street lights" in public
    assert "Call the alderman" not in public and "Add an action" not in public and "Pieter Claes" not in public
    stranger = login(make.user(), target=app.test_client())
    assert "Call the alderman" not in _page(stranger, town) and "Add an action" not in _page(stranger, town)
    assert "Add an action" in _page(client, town)  # and the editor still has theirs


def test_a_kept_page_costs_what_finds_it(client, munis, count_queries):
    town = munis.municipality()
    munis.action(town, title="LED street lights")
    town_id = town.id
    _page(client, town_id)
    with count_queries() as q:
        assert "LED street lights" in _page(client, town_id)
    assert q.count <= 3, q.statements  # the municipality, its members (the viewer's rights), the data versions


def test_a_change_shows_at_once(client, db, make, munis, login):
    editor = make.user(com_role="coordinator")
    town = munis.municipality(followers=[editor])
    login(editor)
    assert "No monitoring report recorded yet." in _page(client, town)
    munis.report(town, submitted_on=date(2016, 1, 10), kind="full", monitoring_year=2014, emissions_t=90_000)
    assert "No monitoring report recorded yet." not in _page(client, town)
    editor.stored_name = "Pieter Claes-Janssens"
    db.session.commit()
    assert "Pieter Claes-Janssens" in _page(client, town)  # followers are named on it


def test_an_invitation_is_answered_once_and_gone(client, db, make, munis, login):
    admin, guest = make.user(role="admin"), make.user(com_role="coordinator")
    town = munis.municipality(followers=[admin])
    services.add_member(admin, town, user=guest, role="follower")
    db.session.commit()
    login(guest)
    assert 'id="invitation"' in _page(client, town)
    services.respond_to_invitation(guest, town, accept=True)
    db.session.commit()
    assert 'id="invitation"' not in _page(client, town)


def test_the_dashboard_is_each_persons_own(app, client, make, munis, login):
    ana, bruno = make.user(com_role="coordinator"), make.user(com_role="coordinator")
    munis.municipality(name="Hasselt", followers=[ana])
    login(ana)
    assert "Hasselt" in client.get("/municipalities/dashboard").get_data(as_text=True)
    other = login(bruno, target=app.test_client())
    assert "Hasselt" not in other.get("/municipalities/dashboard").get_data(as_text=True)
    munis.municipality(name="Genk", followers=[bruno])
    assert "Genk" in other.get("/municipalities/dashboard").get_data(as_text=True)
    assert "Genk" not in client.get("/municipalities/dashboard").get_data(as_text=True)
