"""Delete my account: personal data erased or anonymised; what others rely on stays consistent."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth import services as auth
from app.auth.models import ApiToken, PasswordReset, User
from app.coaching.models import Appointment, CoachProfile
from app.core.models import AuditEvent, OutboxMessage
from app.courses import services as courses
from app.courses.models import Certificate, Enrolment, Feedback
from app.extensions import db
from app.municipalities.models import MunicipalityMember
from app.notifications.models import Notification
from app.peers.models import Exchange, ExchangeMessage, GoodPractice, PeerProfile
from tests.courses.conftest import CourseFactories
from tests.factories import Factories


def _delete_own_account(client, login, user, **form):
    login(user, target=client)
    data = {"password": Factories.PASSWORD, "confirm": "y", **form}
    return client.post("/auth/delete", data=data)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_delete_my_account_anonymises_me_and_keeps_what_others_rely_on(world, client, login):
    alice, bob = world.people["ALICE"], world.people["BOB"]
    user_id = alice.user.id
    past_attended = _count(Enrolment, Enrolment.session_id == world.past.id, Enrolment.attended.is_(True))
    response = _delete_own_account(client, login, alice.user)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    db.session.expire_all()

    user = db.session.get(User, user_id)  # anonymised, not deleted
    assert user.name == "Former participant" and user.is_erased and not user.is_active_account
    assert "@" not in user.email and user.organisation == "" and user.languages == []
    assert not user.check_password(Factories.PASSWORD)
    assert _count(ApiToken, ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)) == 0
    # Signed out, cannot sign in again, the token is dead.
    assert client.get("/auth/profile").status_code == 302
    assert client.post("/auth/login", data={"email": "alice@example.org",
                                            "password": Factories.PASSWORD}).status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {alice.token}"}).status_code == 401

    # Courses: the past attendance stays, the future seat is freed, feedback keeps only its rating.
    assert _count(Enrolment, Enrolment.session_id == world.past.id, Enrolment.attended.is_(True)) == past_attended
    future = db.session.scalar(select(Enrolment).where(Enrolment.session_id == world.future.id,
                                                       Enrolment.user_id == user_id))
    assert future.status == "cancelled" and future.note == ""
    db.session.refresh(world.future)
    assert world.future.enrolled_count == 1  # Bob's seat only
    assert [f.comment for f in db.session.scalars(select(Feedback).where(Feedback.user_id == user_id))] == [""]
    assert _count(Certificate, Certificate.user_id == user_id) == 0
    assert _count(Certificate, Certificate.user_id == bob.user.id) == 1

    # Coaching: the future appointment is cancelled and the coach told; availability gone.
    appointment = db.session.get(Appointment, alice.appointment.id)
    assert appointment.status == "cancelled" and appointment.agenda == ""
    assert _count(OutboxMessage, OutboxMessage.user_id == world.coach.id, OutboxMessage.kind == "cancellation") == 1
    assert db.session.get(CoachProfile, user_id) is None
    assert db.session.get(Appointment, bob.appointment.id).status == "booked"

    # Peers: the partner keeps the exchange and their own messages; Alice's words are gone.
    exchange = db.session.get(Exchange, alice.exchange.id)
    assert exchange.status == "completed" and exchange.message == ""
    assert [m.body for m in exchange.messages] == ["ALICE-PARTNER-REPLY"]
    assert all(m.status == "cancelled" for m in exchange.meetings)
    assert db.session.get(PeerProfile, user_id) is None
    login(alice.partner, target=client)
    page = client.get(f"/peers/exchanges/{exchange.id}").get_data(as_text=True)
    assert "Former participant" in page and "Alice Person" not in page and "ALICE-MESSAGE" not in page
    client.post("/language", data={"language": "nl"})
    assert "Voormalige deelnemer" in client.get(f"/peers/exchanges/{exchange.id}").get_data(as_text=True)
    client.post("/language", data={"language": "en"})
    # The published good practice stays, credited as a former participant (no consent given).
    practice = db.session.get(GoodPractice, alice.practice.id)
    assert practice.is_published and practice.submitted_by_id is None
    page = client.get(f"/good-practices/{practice.id}").get_data(as_text=True)
    assert "ALICE practice" in page and "A former participant" in page and "Alice Person" not in page
    assert "Alice Partner" in page  # the partner consented to be shown

    # Everything else of hers: memberships, notifications, pending mail, reset links.
    assert _count(MunicipalityMember, MunicipalityMember.user_id == user_id) == 0
    assert _count(Notification, Notification.user_id == user_id) == 0
    assert _count(OutboxMessage, OutboxMessage.user_id == user_id) == 0
    assert _count(PasswordReset, PasswordReset.user_id == user_id) == 0
    assert _count(OutboxMessage, OutboxMessage.to_email == "alice@example.org") == 0
    # Bob is untouched.
    assert db.session.get(User, bob.user.id).email == "bob@example.org"
    assert _count(ExchangeMessage, ExchangeMessage.body == "BOB-MESSAGE") == 1
    # Audited.
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.erase"))
    assert event.actor_id == user_id and event.target == f"user:{user_id}" and "self" in event.detail


def test_consent_keeps_my_name_on_published_good_practices(world, client, login):
    alice = world.people["ALICE"]
    assert _delete_own_account(client, login, alice.user, keep_name_on_practices="y").status_code == 302
    page = client.get(f"/good-practices/{alice.practice.id}").get_data(as_text=True)
    assert "Alice Person" in page and "ALICE-ORG" in page and "A former participant" not in page


def test_leaving_a_full_session_promotes_the_waitlist(app, make, client, login):
    with app.test_request_context():
        factory = CourseFactories(make)
        session = factory.session(capacity=1)
        leaver, waiting = make.user(), make.user()
        courses.enrol(leaver, session)
        courses.enrol(waiting, session)
        session.unenrol_deadline = session.created_at  # leaving on one's own is past its deadline
        db.session.commit()
    assert _delete_own_account(client, login, leaver).status_code == 302
    db.session.expire_all()
    promoted = db.session.scalar(select(Enrolment).where(Enrolment.user_id == waiting.id))
    assert promoted.status == "enrolled" and promoted.waitlist_position is None
    assert db.session.get(type(session), session.id).enrolled_count == 1
    assert _count(OutboxMessage, OutboxMessage.user_id == waiting.id,
                  OutboxMessage.subject.like("A seat for you%")) == 1


def test_a_wrong_password_or_no_confirmation_deletes_nothing(world, client, login):
    alice = world.people["ALICE"]
    response = _delete_own_account(client, login, alice.user, password="wrong password!")
    assert response.status_code == 200 and "not correct" in response.get_data(as_text=True)
    response = client.post("/auth/delete", data={"password": Factories.PASSWORD})
    assert response.status_code == 200
    db.session.expire_all()
    assert not db.session.get(User, alice.user.id).is_erased
    assert client.get("/auth/delete").status_code == 200


def test_the_last_admin_cannot_delete_themself(make, client, login):
    admin = make.admin()
    response = _delete_own_account(client, login, admin)
    assert response.status_code == 200
    assert "last administrator" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(User, admin.id).is_erased
    other = make.admin()
    assert _delete_own_account(client, login, admin).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_erased and db.session.get(User, admin.id).role == "participant"
    with pytest.raises(auth.LastAdmin):
        auth.erase_user(other, other, password=Factories.PASSWORD)


def test_admins_delete_an_account_on_request_audited(world, make, client, login):
    admin = make.admin()
    bob = world.people["BOB"]
    login(admin, target=client)
    page = client.get(f"/admin/users/{bob.user.id}").get_data(as_text=True)
    assert f'action="/admin/users/{bob.user.id}/erase"' in page
    response = client.post(f"/admin/users/{bob.user.id}/erase", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, bob.user.id).is_erased  # not confirmed
    response = client.post(f"/admin/users/{bob.user.id}/erase", data={"erase-confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/users")
    db.session.expire_all()
    assert db.session.get(User, bob.user.id).is_erased
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.erase"))
    assert event.actor_id == admin.id and event.target == f"user:{bob.user.id}" and "by admin" in event.detail
    # Admins cannot erase themselves here, and others cannot use the admin page.
    client.post(f"/admin/users/{admin.id}/erase", data={"erase-confirm": "y"})
    db.session.expire_all()
    assert not db.session.get(User, admin.id).is_erased
    client.post("/auth/logout")
    login(world.people["ALICE"].user, target=client)
    assert client.post(f"/admin/users/{admin.id}/erase", data={"erase-confirm": "y"}).status_code == 403
