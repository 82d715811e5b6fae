"""The training pages through the test client: catalogue, enrolment buttons, trainer pages, exports."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.courses import services
from app.courses.models import Certificate, Enrolment, Module, TrainingSession


def test_catalogue_filters_and_shows_seats_in_viewer_zone(client, make, courses):
    greek = courses.module(title="Ενεργειακή φτώχεια στην πράξη", language="el", topics=["energy-poverty"])
    online = courses.module(title="Financing SEAP actions", language="en", topics=["financing"], format="online")
    courses.session(greek, capacity=1, country="GR")
    courses.session(online, location="", country=None, online_url="https://meet.example.org/x")
    courses.module(title="Hidden draft", status="draft")
    page = client.get("/courses/").get_data(as_text=True)
    assert "Ενεργειακή φτώχεια" in page and "Financing SEAP actions" in page and "Hidden draft" not in page
    assert "1 seat left" in page
    assert "Financing SEAP" not in client.get("/courses/?language=el").get_data(as_text=True)
    assert "Ενεργειακή" not in client.get("/courses/?country=online").get_data(as_text=True)
    assert "Financing SEAP" not in client.get("/courses/?country=GR&when=30").get_data(as_text=True)
    assert "Financing SEAP" in client.get("/courses/?q=seap&topic=financing").get_data(as_text=True)
    assert "Ενεργειακή" not in client.get("/courses/?format=online").get_data(as_text=True)


def test_enrol_from_module_page_then_waitlist_and_leave(client, make, login, courses, db):
    session = courses.session(capacity=1)
    first, second = make.user(), make.user()
    services.enrol(first, session)
    db.session.commit()
    login(second)
    page = client.get(f"/courses/modules/{session.module_id}").get_data(as_text=True)
    assert "Join the waitlist" in page
    response = client.post(f"/courses/sessions/{session.id}/enrol", data={"note": "Please"}, follow_redirects=True)
    assert "number 1 on the waitlist" in response.get_data(as_text=True)
    my = client.get("/courses/my").get_data(as_text=True)
    assert "position 1" in my
    client.post(f"/courses/sessions/{session.id}/leave", data={"next": "/courses/my"})
    assert db.session.scalar(select(Enrolment.status).where(Enrolment.user_id == second.id)) == "cancelled"


def test_anonymous_visitors_see_a_sign_in_link(client, courses):
    session = courses.session()
    page = client.get(f"/courses/sessions/{session.id}").get_data(as_text=True)
    assert "Sign in to enrol" in page
    assert client.post(f"/courses/sessions/{session.id}/enrol").status_code == 302


def test_trainer_creates_module_and_session_through_forms(client, make, login, db):
    trainer = make.trainer(timezone="Europe/Athens")
    login(trainer)
    response = client.post("/courses/modules/new", data={
        "title": "District heating for small towns", "summary": "Options and costs", "topics": ["local-heat-cold"],
        "language": "pl", "level": "intermediate", "format": "in_person", "status": "published",
        "required_sessions": 1, "trainer_ids": [trainer.id]})
    assert response.status_code == 302, response.get_data(as_text=True)
    module = db.session.scalar(select(Module))
    response = client.post(f"/courses/modules/{module.id}/sessions/new", data={
        "starts_at": "2030-05-04T10:00", "ends_at": "2030-05-04T09:00", "timezone": "Europe/Warsaw",
        "capacity": 12, "location": "Kraków"})
    assert response.status_code == 200 and "The end must be after the start." in response.get_data(as_text=True)
    response = client.post(f"/courses/modules/{module.id}/sessions/new", data={
        "starts_at": "2030-05-04T10:00", "ends_at": "2030-05-04T15:00", "timezone": "Europe/Warsaw",
        "capacity": 12, "location": "Kraków, Urząd Miasta", "country": "PL"})
    assert response.status_code == 302
    session = db.session.scalar(select(TrainingSession))
    assert session.starts_at.hour == 8  # 10:00 in Warsaw in May is 08:00 UTC
    edit = client.get(f"/courses/sessions/{session.id}/edit").get_data(as_text=True)
    assert 'value="2030-05-04T10:00"' in edit
    assert client.post(f"/courses/sessions/{session.id}/duplicate").status_code == 302
    assert len(db.session.scalars(select(TrainingSession)).all()) == 2


@pytest.mark.parametrize("path", ["/courses/modules/{m}/edit", "/courses/modules/{m}/sessions/new",
                                  "/courses/sessions/{s}/edit", "/courses/sessions/{s}/attendance",
                                  "/courses/sessions/{s}/participants.csv", "/courses/sessions/{s}/cancel",
                                  "/courses/sessions/{s}/feedback/results"])
def test_trainer_pages_are_forbidden_to_others(client, make, login, courses, path):
    session = courses.session()
    url = path.format(m=session.module_id, s=session.id)
    assert client.get(url).status_code == 302  # visitors sign in first
    login(make.trainer())  # a trainer, but not of this module
    assert client.get(url).status_code == 403


def test_cancel_session_mails_participants(client, make, login, courses, db):
    session = courses.session()
    person = make.user()
    services.enrol(person, session)
    db.session.commit()
    login(session.module.trainers[0])
    client.post(f"/courses/sessions/{session.id}/cancel", data={"reason": "Venue closed"})
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "cancellation"))
    assert mail.user_id == person.id and "Venue closed" in mail.text_body
    assert "method=CANCEL" in mail.attachments[0].content_type


def test_attendance_csv_certificate_and_verification(client, make, login, courses, db):
    session = courses.session(days=-1)
    trainer = session.module.trainers[0]
    people = [make.user(name="Agnieszka Wiśniewska"), make.user(name="=HYPERLINK(1)")]
    for person in people:
        services.enrol(trainer, session, user=person)
    db.session.commit()
    login(trainer)
    sheet = client.get(f"/courses/sessions/{session.id}/attendance").get_data(as_text=True)
    assert "Agnieszka Wiśniewska" in sheet and "Signature" in sheet
    client.post(f"/courses/sessions/{session.id}/attendance", data={f"attended-{people[0].id}": "on"})
    csv_text = client.get(f"/courses/sessions/{session.id}/participants.csv").get_data(as_text=True)
    assert "Agnieszka Wiśniewska" in csv_text and ",yes," in csv_text and "'=HYPERLINK(1)" in csv_text
    certificate = db.session.scalar(select(Certificate))
    assert certificate.user_id == people[0].id
    client.post("/auth/logout")
    login(people[0])
    pdf = client.get(f"/courses/certificates/{certificate.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "Download the certificate" in client.get("/courses/my").get_data(as_text=True)
    client.post("/auth/logout")
    login(people[1])
    assert client.get(f"/courses/certificates/{certificate.id}.pdf").status_code == 404
    check = client.get(f"/courses/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate is valid." in check and "Agnieszka Wiśniewska" in check
    assert "No certificate has this code" in client.get("/courses/verify?code=XXXX").get_data(as_text=True)


def test_feedback_form_and_results(client, make, login, courses, db):
    session = courses.session(days=-1)
    trainer = session.module.trainers[0]
    person = make.user()
    services.enrol(trainer, session, user=person)
    db.session.commit()
    login(person)
    assert client.post(f"/courses/sessions/{session.id}/feedback",
                       data={"rating": 5, "comment": "Excellent case studies"}).status_code == 302
    client.post("/auth/logout")
    login(trainer)
    results = client.get(f"/courses/sessions/{session.id}/feedback/results").get_data(as_text=True)
    assert "Excellent case studies" in results and "Average 5.0" in results


def test_materials_restricted_to_enrolled_and_served_as_attachment(client, make, login, courses, db):
    module = courses.module(materials_restricted=True)
    session = courses.session(module)
    trainer = module.trainers[0]
    login(trainer)
    from io import BytesIO
    client.post(f"/courses/modules/{module.id}/materials",
                data={"title": "Slides", "file": (BytesIO(b"%PDF-1.4 slides"), "slides.pdf")},
                content_type="multipart/form-data")
    bad = client.post(f"/courses/modules/{module.id}/materials",
                      data={"file": (BytesIO(b"<script>"), "evil.html")}, content_type="multipart/form-data",
                      follow_redirects=True)
    assert "Allowed types" in bad.get_data(as_text=True)
    material_id = module.materials[0].id if module.materials else db.session.scalar(
        select(Module).where(Module.id == module.id)).materials[0].id
    client.post("/auth/logout")
    person = make.user()
    login(person)
    assert client.get(f"/courses/materials/{material_id}").status_code == 403
    services.enrol(person, session)
    db.session.commit()
    response = client.get(f"/courses/materials/{material_id}")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")


def test_my_training_ics_and_session_page_for_trainers(client, make, login, courses, db):
    session = courses.session(requires_approval=True, starts_at=utcnow() + timedelta(days=3))
    person = make.user()
    services.enrol(person, session, note="I work on energy poverty in Crete")
    db.session.commit()
    login(session.module.trainers[0])
    page = client.get(f"/courses/sessions/{session.id}").get_data(as_text=True)
    assert "I work on energy poverty in Crete" in page and "Accept" in page
    enrolment = db.session.scalar(select(Enrolment))
    client.post(f"/courses/sessions/{session.id}/enrolments/{enrolment.id}/approve")
    db.session.refresh(enrolment)
    assert enrolment.status == "enrolled"
    client.post("/auth/logout")
    login(person)
    ics = client.get(f"/courses/sessions/{session.id}/invite.ics")
    assert b"METHOD:REQUEST" in ics.data and person.email.encode() in ics.data


def test_trainer_moves_someone_from_the_session_page(client, make, login, courses, db):
    module = courses.module()
    first, second = courses.session(module), courses.session(module, days=20)
    person = make.user(name="Ivana Horvat")
    services.enrol(person, first)
    db.session.commit()
    login(module.trainers[0])
    page = client.get(f"/courses/sessions/{first.id}").get_data(as_text=True)
    assert "Move Ivana Horvat to" in page
    enrolment = db.session.scalar(select(Enrolment))
    client.post(f"/courses/sessions/{first.id}/enrolments/{enrolment.id}/move", data={"target": second.id})
    assert db.session.scalar(select(Enrolment.status).where(Enrolment.session_id == second.id)) == "enrolled"


def test_pages_in_dutch(client, make, login, courses, db):
    session = courses.session(capacity=1, requires_approval=True)
    person = make.user(language="nl")
    services.enrol(person, session)
    db.session.commit()
    login(person)
    assert "Mijn trainingen" in client.get("/courses/my").get_data(as_text=True)
    assert "Wacht op goedkeuring" in client.get(f"/courses/sessions/{session.id}").get_data(as_text=True)
    assert "nog 1 plaats" in client.get("/courses/").get_data(as_text=True)
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == person.id)).first()
    assert mail.subject.startswith("Aanvraag ontvangen") and "Hallo" in mail.text_body
