"""Trainers after a session: held sessions stay on record, attendance issues certificates, which can be revoked."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.errors import Invalid, NotAllowed
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.courses import services
from app.courses.models import Certificate
from app.courses.services import WrongState


def _enrol_all(db, session, trainer, people):
    for person in people:
        services.enrol(trainer, session, user=person)
    db.session.commit()


def test_held_session_rules(app, db, courses, make):
    with app.test_request_context():
        past = courses.session(days=-1)
        coming = courses.session(module=past.module, days=3)
        trainer = past.module.trainers[0]
        assert past.is_held() and not past.can_cancel() and not past.can_change_enrolment_window()
        assert coming.can_cancel() and not coming.is_held()
        with pytest.raises(WrongState):
            services.cancel_session(trainer, past)
        with pytest.raises(Invalid) as moved:
            services.update_session(trainer, past, starts_at=utcnow() + timedelta(days=2),
                                    ends_at=utcnow() + timedelta(days=2, hours=3))
        assert "starts_at" in moved.value.fields
        with pytest.raises(Invalid) as window:
            services.update_session(trainer, past, enrol_closes_at=past.ends_at)
        assert "enrol_closes_at" in window.value.fields
        # A held session's time can still be corrected in the past.
        services.update_session(trainer, past, starts_at=past.starts_at - timedelta(hours=1))
        services.cancel_session(trainer, coming)
        with pytest.raises(WrongState) as own:
            services.enrol(trainer, courses.session(module=past.module, days=5))
        assert own.value.code == "own_session"


def test_attendance_issues_certificates_and_revoke_stops_verification(app, db, courses, make):
    with app.test_request_context():
        session = courses.session(days=-1)
        trainer = session.module.trainers[0]
        people = [make.user() for _ in range(3)]
        _enrol_all(db, session, trainer, people)
        result = services.record_attendance(trainer, session, marks={p.id: p is not people[2] for p in people})
        db.session.commit()
        assert (result.present, result.absent, result.issued) == (2, 1, 2)
        again = services.record_attendance(trainer, session, marks={p.id: p is not people[2] for p in people})
        assert again.issued == 0
        certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == people[0].id))
        other = make.trainer()
        with pytest.raises(NotAllowed):
            services.revoke_certificate(other, certificate)
        before = db.session.query(OutboxMessage).filter_by(user_id=people[0].id).count()
        services.resend_certificate(trainer, certificate)
        assert db.session.query(OutboxMessage).filter_by(user_id=people[0].id).count() == before + 1
        services.revoke_certificate(trainer, certificate)
        db.session.commit()
        assert services.find_certificate(certificate.code).is_valid is False


def test_pages_show_past_sessions_certificates_and_refuse_other_trainers(app, client, db, courses, make, login):
    with app.test_request_context():
        session = courses.session(days=-2)
        trainer = session.module.trainers[0]
        people = [make.user(name=n) for n in ("Ana Horvat", "Bruno Rossi")]
        _enrol_all(db, session, trainer, people)
    login(trainer)
    page = client.get(f"/courses/sessions/{session.id}").get_data(as_text=True)
    assert "Cancel the session" not in page and "Open until" not in page
    sheet = client.get(f"/courses/sessions/{session.id}/attendance?all=1").get_data(as_text=True)
    assert "Mark all present" in sheet and sheet.count("checked") == 2
    response = client.post(f"/courses/sessions/{session.id}/attendance",
                           data={f"attended-{people[0].id}": "on"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Attendance saved. 1 certificate issued, 1 absent." in text
    assert "Ana Horvat" in text and "Revoke" in text
    manage = client.get("/courses/manage").get_data(as_text=True)
    assert "Past sessions" in manage and "1 certificate" in manage
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == people[0].id))
    client.post("/auth/logout")
    with app.test_request_context():
        other = make.trainer()
    login(other)
    assert client.get(f"/courses/sessions/{session.id}/attendance").status_code in (403, 404)
    assert client.post(f"/courses/certificates/{certificate.id}/revoke").status_code in (403, 404)
    db.session.refresh(certificate)
    assert certificate.is_valid
    client.post("/auth/logout")
    login(trainer)
    client.post(f"/courses/certificates/{certificate.id}/revoke",
                data={"next": f"/courses/sessions/{session.id}/attendance"})
    db.session.refresh(certificate)
    assert not certificate.is_valid
    verify = client.get(f"/courses/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate was withdrawn." in verify and "This certificate is valid." not in verify
