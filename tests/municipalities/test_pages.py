"""The HTML pages: registry, municipality page, forms, dashboard, and who may do what."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.municipalities.models import Municipality, SeapAction


@pytest.fixture
def town(munis, make):
    follower = make.user(com_role="coordinator", name="Pieter Claes")
    municipality = munis.municipality(name="Hasselt", country="BE", followers=[follower],
                                      seap_submitted_on=date(2012, 3, 1), notes="Call the alderman in May.")
    munis.action(municipality, title="LED street lights", status="completed", expected_co2_t=300)
    munis.action(municipality, title="Cycle highway", status="ongoing", sector="transport",
                 area="modal-shift-walking-cycling", instrument="mobility-planning")
    munis.report(municipality, submitted_on=date(2016, 1, 10), kind="full", monitoring_year=2014,
                 emissions_t=90_000)
    return municipality, follower


def test_registry_lists_and_filters(client, munis):
    munis.municipality(name="Zadar", country="HR")
    munis.municipality(name="Genova", country="IT")
    html = client.get("/municipalities/?country=HR").get_data(as_text=True)
    assert "Zadar" in html and "Genova" not in html
    html = client.get("/municipalities/?q=gen").get_data(as_text=True)
    assert "Genova" in html and "Zadar" not in html


def test_public_page_shows_progress_but_not_private_fields(client, town, count_queries):
    municipality, _ = town
    with count_queries() as q:
        response = client.get(f"/municipalities/{municipality.id}")
    assert response.status_code == 200
    # 8 to render it; the data versions, the municipality and its members, to find the viewer's kept page
    assert q.count <= 11
    html = response.get_data(as_text=True)
    assert "LED street lights" in html and "Cycle highway" in html
    assert "Overdue reports" in html  # the action report due in January 2018
    assert f"/municipalities/{municipality.id}/progress.svg" in html
    assert "Call the alderman" not in html and "Pieter Claes" not in html
    assert "Add an action" not in html
    assert "style=" not in html
    svg = client.get(f"/municipalities/{municipality.id}/progress.svg")
    assert svg.mimetype == "image/svg+xml" and b"<script" not in svg.data


def test_follower_sees_private_fields_and_edits(client, town, login, db):
    municipality, follower = town
    login(follower)
    html = client.get(f"/municipalities/{municipality.id}").get_data(as_text=True)
    assert "Call the alderman" in html and "Pieter Claes" in html and "Add an action" in html
    response = client.post(f"/municipalities/{municipality.id}/actions/new", data={
        "title": "Solar roofs on schools", "sector": "local-electricity", "area": "photovoltaics",
        "instrument": "third-party-financing", "status": "not-started", "expected_co2_t": "120.5",
        "starts_on": "2017-01-01", "ends_on": "2018-12-31"})
    assert response.status_code == 302
    action = db.session.scalar(select(SeapAction).where(SeapAction.title == "Solar roofs on schools"))
    assert action.expected_co2_t == 120.5 and action.municipality_id == municipality.id
    response = client.post(f"/municipalities/{municipality.id}/actions/{action.id}/edit", data={
        "title": "Solar roofs on schools", "sector": "local-electricity", "area": "photovoltaics",
        "instrument": "third-party-financing", "status": "completed", "achieved_co2_t": "110"})
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.status == "completed" and action.completed_on is not None
    response = client.post(f"/municipalities/{municipality.id}/reports/new", data={
        "submitted_on": "2018-01-05", "kind": "action"})
    assert response.status_code == 302
    response = client.post(f"/municipalities/{municipality.id}/edit", data={
        "name": "Hasselt", "country": "BE", "population": "78000", "reduction_target_percent": "25"})
    assert response.status_code == 302
    db.session.refresh(municipality)
    assert municipality.reduction_target_percent == 25


def test_unknown_codes_are_form_errors(client, town, login):
    municipality, follower = town
    login(follower)
    response = client.post(f"/municipalities/{municipality.id}/actions/new", data={
        "title": "X", "sector": "adaptation", "area": "wind", "instrument": "grants", "status": "done"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('aria-invalid="true"') == 2  # sector and status


def test_full_report_without_emissions_is_a_form_error(client, town, login):
    municipality, follower = town
    login(follower)
    response = client.post(f"/municipalities/{municipality.id}/reports/new",
                           data={"submitted_on": "2018-01-05", "kind": "full"})
    assert response.status_code == 200
    assert "Monitoring Emission Inventory" in response.get_data(as_text=True)


@pytest.mark.parametrize("who,status", [("anonymous", 302), ("stranger", 403), ("trainer", 403),
                                        ("officer", 200), ("admin", 200)])
def test_edit_permission_matrix(client, town, make, login, who, status):
    municipality, _ = town
    users = {"stranger": lambda: make.user(), "trainer": lambda: make.trainer(), "admin": lambda: make.admin(),
             "officer": lambda: make.user(com_role="municipality")}
    if who == "officer":
        from app.extensions import db
        from app.municipalities.models import MunicipalityMember

        user = users[who]()
        db.session.add(MunicipalityMember(municipality_id=municipality.id, user_id=user.id, role="editor",
                                          status="accepted"))
        db.session.commit()
        login(user)
    elif who != "anonymous":
        login(users[who]())
    for path in ("edit", "actions/new", "reports/new"):
        assert client.get(f"/municipalities/{municipality.id}/{path}").status_code == status


def test_create_through_the_form(client, make, login, db):
    coordinator = make.user(com_role="supporter")
    login(coordinator)
    response = client.post("/municipalities/new", data={"name": "Bielsko-Biała", "country": "PL",
                                                        "population": "170000"})
    assert response.status_code == 302
    municipality = db.session.scalar(select(Municipality).where(Municipality.name == "Bielsko-Biała"))
    assert municipality.followers == [coordinator]
    again = client.post("/municipalities/new", data={"name": "Bielsko-Biała", "country": "PL"})
    assert again.status_code == 200 and "exists already" in again.get_data(as_text=True)


def test_dashboard(client, town, munis, make, login, count_queries):
    municipality, follower = town
    for _ in range(5):
        munis.municipality(followers=[follower], seap_submitted_on=date(2010, 1, 1))
    login(follower)
    with count_queries() as q:
        response = client.get("/municipalities/dashboard")
    # municipalities (8) + the training (4) and coaching (1) sections, whatever the number of rows
    assert q.count <= 13
    html = response.get_data(as_text=True)
    assert "Hasselt" in html and "overdue" in html
    assert "6 municipalities" in html
    client.post("/auth/logout")
    login(make.user())
    assert "You do not follow any municipality yet." in client.get("/municipalities/dashboard").get_data(
        as_text=True)


def test_admin_links_and_removes_members(app, client, town, make, login, db):
    municipality, _ = town
    officer = make.user(com_role="municipality", email="officer@hasselt.example")
    login(make.admin())
    response = client.post(f"/municipalities/{municipality.id}/members",
                           data={"email": "officer@hasselt.example", "role": "editor"})
    assert response.status_code == 302
    db.session.refresh(municipality)
    assert officer not in municipality.editors  # invited: no rights until they accept
    officer_client = login(officer, target=app.test_client())
    assert officer_client.post(f"/municipalities/{municipality.id}/invitation/accept").status_code == 302
    db.session.refresh(municipality)
    assert officer in municipality.editors
    client.post(f"/municipalities/{municipality.id}/members/{officer.id}/remove")
    db.session.refresh(municipality)
    assert officer not in municipality.editors
