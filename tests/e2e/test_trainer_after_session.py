"""Browser journey: a trainer opens a past session from My modules, marks all present, unticks one, saves,
sees the certificates issued and revokes one."""
from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from app.core.timeutil import utcnow
from app.courses import services
from tests.e2e.conftest import shot, sign_in

pytestmark = pytest.mark.e2e


def _save(page, name: str) -> None:
    path = shot(page, name)
    shutil.copy(path, f"/tmp/shots/trainer/{path.name}")


def test_trainer_marks_attendance_and_revokes_a_certificate(page, phone, app, make, db):
    with app.test_request_context():
        trainer = make.trainer(name="Tom Trainer", email="tom@example.org")
        people = [make.user(name=n, email=f"p{i}@example.org") for i, n in
                  enumerate(("Ana Horvat", "Bruno Rossi", "Νίκος Γεωργίου"))]
        module = services.create_module(trainer, title="Energy poverty: from diagnosis to action",
                                        summary="Households at risk.", status="published")
        start = (utcnow() - timedelta(days=2)).replace(microsecond=0)
        session = services.add_session(trainer, module, starts_at=start, ends_at=start + timedelta(hours=3),
                                       timezone="Europe/Brussels", capacity=10, location="Brussels", country="BE")
        for person in people:
            services.enrol(trainer, session, user=person)
        session_id = session.id
        db.session.commit()

    sign_in(page, "tom@example.org", make.PASSWORD)
    page.goto("/courses/manage")
    assert page.get_by_role("heading", name="Past sessions").is_visible()
    page.get_by_role("link", name="Attendance and certificates").first.click()
    page.wait_for_url(f"**/sessions/{session_id}/attendance")
    page.get_by_role("link", name="Mark all present").click()
    assert page.get_by_label("Ana Horvat was present").is_checked()
    page.get_by_label("Νίκος Γεωργίου was present").uncheck()
    page.get_by_role("button", name="Save attendance").click()
    page.wait_for_load_state()
    assert "Attendance saved. 2 certificates issued, 1 absent." in page.content()
    _save(page, "trainer-attendance-1280")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".certificate-list li", has_text="Bruno Rossi").get_by_role("button", name="Revoke").click()
    page.wait_for_load_state()
    assert "The certificate of Bruno Rossi is revoked." in page.content()
    page.goto("/courses/manage")
    _save(page, "trainer-my-modules-1280")

    sign_in(phone, "tom@example.org", make.PASSWORD)
    phone.goto(f"/courses/sessions/{session_id}/attendance")
    _save(phone, "trainer-attendance-390")
    phone.goto("/courses/manage")
    _save(phone, "trainer-my-modules-390")
    phone.goto(f"/courses/sessions/{session_id}")
    assert "Cancel the session" not in phone.content()
    _save(phone, "trainer-held-session-390")
