"""axe-core on the pages each kind of user works in every day, signed in, with the demo world loaded.

No serious or critical violation on any of them, on a desktop and on a phone; the public pages too.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.auth.models import User
from app.coaching.models import Appointment
from app.core.demo import load_demo
from app.courses.models import TrainingSession, module_trainers
from app.municipalities.models import Municipality, MunicipalityMember
from tests.e2e.conftest import serious_violations, shot, sign_in

PASSWORD = "an accessible demo password"
DOMAIN = "demo.mayors-in-action.eu"


@pytest.fixture
def demo(app, db):
    load_demo(1)
    template = User(email="x", name="x", country="BE", timezone="UTC")
    template.set_password(PASSWORD)
    db.session.execute(update(User).values(password_hash=template.password_hash))
    db.session.commit()

    def first(query):
        return db.session.scalar(query.limit(1))

    maria = first(select(User).where(User.email == f"maria@{DOMAIN}"))
    edited = first(select(Municipality.id).join(MunicipalityMember).where(
        MunicipalityMember.user_id == maria.id, MunicipalityMember.role == "editor",
        MunicipalityMember.status == "accepted"))
    followed = first(select(Municipality.id).order_by(Municipality.id))
    coach = first(select(User.id).where(User.email == f"eleni.coach@{DOMAIN}"))
    trainer = first(select(User).where(User.email == f"trainer@{DOMAIN}"))
    session = first(select(TrainingSession.id).join(module_trainers, module_trainers.c.module_id
                                                    == TrainingSession.module_id)
                    .where(module_trainers.c.user_id == trainer.id).order_by(TrainingSession.starts_at))
    appointment = first(select(Appointment.id).order_by(Appointment.id))
    db.session.commit()
    return {
        "maria": ["/", "/courses/", "/courses/my", "/coaching/", f"/coaching/coaches/{coach}/book",
                  "/coaching/appointments/", "/peers/", "/municipalities/",
                  f"/municipalities/{edited or followed}", f"/municipalities/{edited or followed}/edit",
                  "/notifications/", "/auth/profile"],
        "trainer": ["/", "/courses/manage", f"/courses/sessions/{session}", f"/courses/sessions/{session}/attendance"],
        "eleni.coach": ["/", "/coaching/appointments/", f"/coaching/appointments/{appointment}",
                        "/coaching/availability"],
        "pieter": ["/", "/municipalities/dashboard", "/good-practices/"],
        "admin": ["/", "/admin/", "/admin/users", "/admin/audit", "/admin/outbox", "/peers/rounds"],
        "_trainer_name": trainer.name,
    }


def _check(page, url: str, label: str) -> list[str]:
    response = page.goto(url)
    assert response.status < 400, (url, response.status)
    return [f"{url}: {v}" for v in serious_violations(page)]


@pytest.mark.parametrize("who", ["maria", "trainer", "eleni.coach", "pieter", "admin"])
def test_signed_in_pages_have_no_serious_violation(page, demo, who):
    sign_in(page, f"{who}@{DOMAIN}", PASSWORD)
    found = []
    for url in demo[who]:
        found += _check(page, url, who)
        shot(page, f"a11y-{who}-{url.strip('/').replace('/', '-') or 'home'}")
    assert not found, "\n".join(found)


def test_signed_in_pages_on_a_phone_have_no_serious_violation(phone, demo):
    sign_in(phone, f"maria@{DOMAIN}", PASSWORD)
    found = []
    for url in demo["maria"][:6]:
        found += _check(phone, url, "maria-phone")
    assert not found, "\n".join(found)


def test_public_pages_have_no_serious_violation(page, demo):
    found = []
    for url in ["/", "/courses/", "/results/", "/good-practices/", "/auth/login", "/auth/register"]:
        found += _check(page, url, "visitor")
    assert not found, "\n".join(found)
