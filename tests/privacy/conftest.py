"""A small world with two people who have data in every feature, built through the real services."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from app.coaching import services as coaching
from app.core.mail import mail_kinds_for
from app.core.timeutil import utcnow
from app.courses import services as courses
from app.extensions import db
from app.municipalities.models import Municipality, MunicipalityMember
from app.notifications import services as notifications
from app.peers import services as peers
from tests.coaching.conftest import WORKDAYS_9_TO_12, next_weekday
from tests.courses.conftest import CourseFactories
from tests.peers.conftest import PeerFactories


@dataclass
class Person:
    user: object
    tag: str
    partner: object = None
    exchange: object = None
    practice: object = None
    appointment: object = None
    token: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class World:
    trainer: object
    coach: object
    past: object  # a session held last week
    future: object  # a session next week
    people: dict[str, Person]


@pytest.fixture(autouse=True)
def _request_context(app):
    """Services translate their messages; outside a request the locale selector has no session to read."""
    with app.test_request_context():
        yield


def _coach(make, tag: str, **values):
    user = make.user(is_coach=True, role="trainer", **values)
    coaching.set_availability(user, coaching.validate_availability(
        timezone="Europe/Brussels", slot_minutes=60, weekly=WORKDAYS_9_TO_12, min_notice_hours=0,
        cancel_cutoff_hours=4, topics=["financing"], meeting_url=f"https://meet.example.org/{tag.lower()}",
        bio=f"{tag}-COACHBIO"))
    return user


@pytest.fixture
def world(make, client, login) -> World:
    course_factory = CourseFactories(make)
    peer_factory = PeerFactories(make)
    trainer = make.trainer(name="Tess Trainer")
    module = course_factory.module(trainer=trainer, title="Energy poverty")
    past = course_factory.session(module, days=-7)
    future = course_factory.session(module, days=7)
    coach = _coach(make, "COACH", name="Cora Coach")
    db.session.commit()
    people = {}
    for number, (tag, country, partner_country) in enumerate((("ALICE", "BE", "GR"), ("BOB", "NL", "IT"))):
        user = _coach(make, tag, name=f"{tag.title()} Person", email=f"{tag.lower()}@example.org",
                      country=country, organisation=f"{tag}-ORG")
        person = Person(user=user, tag=tag)
        person.token = make.token(user)
        # Courses: attended last week's session (certificate, feedback), enrolled next week.
        courses.enrol(trainer, past, user=user)
        courses.mark_attendance(trainer, past, user_id=user.id, attended=True)
        courses.submit_feedback(user, past, rating=4, comment=f"{tag}-FEEDBACK")
        courses.enrol(user, future, note=f"{tag}-NOTE")
        # Coaching: an appointment with Cora next week.
        day = next_weekday(number)
        starts = coaching.free_slots(coaching.get_profile(coach.id), day, day)[0].starts_at
        person.appointment = coaching.book_appointment(user, coach_id=coach.id, starts_at=starts, agenda=f"{tag}-AGENDA")
        # Peers: a profile, an exchange with messages, a meeting and a published good practice.
        peers.save_profile(user, offers=["public-lighting"], needs=["financing"], languages=["en"],
                           bio=f"{tag}-BIO", places=f"{tag}-PLACES", is_available=True, is_public=True)
        partner = peer_factory.person(partner_country, name=f"{tag.title()} Partner",
                                      email=f"{tag.lower()}.partner@example.org")
        exchange = peer_factory.exchange(user, partner, status="accepted")
        peers.post_message(user, exchange, body=f"{tag}-MESSAGE")
        peers.post_message(partner, exchange, body=f"{tag}-PARTNER-REPLY")
        meeting_start = (utcnow() + timedelta(days=10)).replace(microsecond=0)
        peers.plan_meeting(user, exchange, kind="online", starts_at=meeting_start,
                           ends_at=meeting_start + timedelta(hours=1), timezone="Europe/Brussels",
                           online_url="https://meet.example.org/x", notes=f"{tag}-MEETING")
        peers.complete_exchange(user, exchange)
        peers.complete_exchange(partner, exchange)
        practice = peers.submit_report(user, exchange, title=f"{tag} practice", summary="Street lights",
                                       results="Less energy", transferability="Anywhere")
        peers.publish_practice(trainer, practice)
        person.partner, person.exchange, person.practice = partner, exchange, practice
        # Municipalities and notification preferences.
        municipality = Municipality(name=f"{tag}VILLE", country=country)
        db.session.add(municipality)
        db.session.flush()
        db.session.add(MunicipalityMember(municipality_id=municipality.id, user_id=user.id, role="follower"))
        notifications.save_preferences(user, [k.kind for k in mail_kinds_for(user)][1:])
        db.session.commit()
        people[tag] = person
    for person in people.values():  # audit entries about them: a real sign-in each
        login(person.user, target=client)
        client.post("/auth/logout")
    return World(trainer=trainer, coach=coach, past=past, future=future, people=people)
