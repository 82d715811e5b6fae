"""Booking, cancelling, rescheduling: rules, invitations, mails, reminders, feed and indicators."""
from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
import vobject
from sqlalchemy import select

from app.coaching import services
from app.coaching.models import Appointment
from app.core.calendar import feed_events
from app.core.errors import Conflict, Invalid
from app.core.models import OutboxMessage
from app.core.reminders import Reminder, send_due_reminders
from app.extensions import db
from tests.coaching.conftest import utc

NOW = utc(2027, 2, 1)


def book(profile, participant, at, **kw):
    appointment = services.book_appointment(participant, coach_id=profile.coach_id, starts_at=at, now=kw.pop("now", NOW), **kw)
    db.session.commit()
    return appointment


def parse_both(data: bytes):
    """Our .ics read by two independent parsers; both must agree."""
    cal = icalendar.Calendar.from_ical(data)
    vcal = vobject.readOne(data.decode("utf-8"))
    return cal, vcal


def test_book_then_slot_is_gone_and_conflicts(coach_with_hours, make):
    profile = coach_with_hours()
    alice, bob = make.user(), make.user()
    appointment = book(profile, alice, utc(2027, 3, 1, 8), topic="financing", agenda="BEI questions")
    assert (appointment.status, appointment.sequence) == ("booked", 0)
    assert appointment.ends_at == utc(2027, 3, 1, 9)
    assert appointment.location == "https://meet.example.org/coach"
    slots = services.free_slots(profile, date(2027, 3, 1), date(2027, 3, 1), NOW)
    assert utc(2027, 3, 1, 8) not in [s.starts_at for s in slots]
    with pytest.raises(services.SlotTaken) as error:
        book(profile, bob, utc(2027, 3, 1, 8))
    assert error.value.code == "slot_taken" and error.value.status == 409
    db.session.rollback()
    with pytest.raises(Conflict) as error:  # Alice cannot be in two places at once
        services.book_appointment(alice, coach_id=coach_with_hours().coach_id, starts_at=utc(2027, 3, 1, 8), now=NOW)
    assert error.value.code == "participant_busy"


@pytest.mark.parametrize(("at", "reason"), [
    (utc(2027, 3, 1, 8, 30), "does not offer"),  # not on the grid
    (utc(2027, 3, 6, 8), "does not offer"),  # Saturday
    (utc(2027, 1, 4, 8), "passed"),  # in the past
])
def test_not_an_offered_slot_is_invalid(coach_with_hours, make, at, reason):
    profile = coach_with_hours()
    with pytest.raises(Invalid) as error:
        services.book_appointment(make.user(), coach_id=profile.coach_id, starts_at=at, now=NOW)
    assert reason in error.value.fields["starts_at"][0]


def test_the_database_refuses_two_active_appointments_at_one_start(coach_with_hours, make):
    profile = coach_with_hours()
    book(profile, make.user(), utc(2027, 3, 1, 8))
    db.session.add(Appointment(coach_id=profile.coach_id, participant_id=make.user().id, starts_at=utc(2027, 3, 1, 8),
                               ends_at=utc(2027, 3, 1, 9)))
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        db.session.flush()
    db.session.rollback()


def test_cancel_frees_the_slot_and_sends_cancel(coach_with_hours, make):
    profile = coach_with_hours()
    alice = make.user(language="nl")
    appointment = book(profile, alice, utc(2027, 3, 1, 8))
    services.cancel_appointment(profile.coach, appointment, reason="Ill", now=NOW)
    db.session.commit()
    assert (appointment.status, appointment.sequence) == ("cancelled", 1)
    slots = services.free_slots(profile, date(2027, 3, 1), date(2027, 3, 1), NOW)
    assert utc(2027, 3, 1, 8) in [s.starts_at for s in slots]
    again = book(profile, make.user(), utc(2027, 3, 1, 8))  # the partial index ignores cancelled rows
    assert again.id != appointment.id
    with pytest.raises(services.NotBooked):
        services.cancel_appointment(alice, appointment, now=NOW)
    db.session.rollback()
    data, method = services.appointment_ics(appointment)
    assert method == "CANCEL"
    cal, vcal = parse_both(data)
    assert cal["METHOD"] == "CANCEL" and vcal.method.value == "CANCEL"
    event = cal.walk("VEVENT")[0]
    assert event["STATUS"] == "CANCELLED" and int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == f"appointment-{appointment.id}@mayors-in-action.eu"
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "cancellation")).all()
    assert sorted(m.to_email for m in mails) == sorted([alice.email, profile.coach.email])
    for mail in mails:
        assert mail.attachments[0].content_type == "text/calendar; charset=UTF-8; method=CANCEL"
    dutch = next(m for m in mails if m.to_email == alice.email)
    assert "geannuleerd" in dutch.subject.lower()


def test_reschedule_keeps_uid_and_raises_sequence(coach_with_hours, make):
    profile = coach_with_hours()
    alice = make.user()
    appointment = book(profile, alice, utc(2027, 3, 1, 8))
    first, _ = services.appointment_ics(appointment)
    services.reschedule_appointment(alice, appointment, starts_at=utc(2027, 3, 2, 9), now=NOW)
    db.session.commit()
    assert appointment.sequence == 1 and appointment.starts_at == utc(2027, 3, 2, 9)
    second, method = services.appointment_ics(appointment)
    assert method == "REQUEST"
    one, two = (icalendar.Calendar.from_ical(d).walk("VEVENT")[0] for d in (first, second))
    assert one["UID"] == two["UID"]
    assert int(two["SEQUENCE"]) > int(one["SEQUENCE"])
    assert two.decoded("DTSTART") == utc(2027, 3, 2, 9)
    assert b"DTSTART:20270302T090000Z" in second  # UTC, no TZID
    free = [s.starts_at for s in services.free_slots(profile, date(2027, 3, 1), date(2027, 3, 2), NOW)]
    assert utc(2027, 3, 1, 8) in free and utc(2027, 3, 2, 9) not in free
    kinds = db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()
    assert len(kinds) == 4 and sum("moved" in k for k in kinds) == 2
    with pytest.raises(Invalid):  # not on the grid
        services.reschedule_appointment(alice, appointment, starts_at=utc(2027, 3, 2, 9, 15), now=NOW)


def test_cut_off_applies_to_both_sides(coach_with_hours, make):
    profile = coach_with_hours(cancel_cutoff_hours=24)
    alice = make.user()
    appointment = book(profile, alice, utc(2027, 3, 2, 8))
    late = utc(2027, 3, 1, 9)
    for who in (alice, profile.coach):
        with pytest.raises(services.TooLate):
            services.cancel_appointment(who, appointment, now=late)
        with pytest.raises(services.TooLate):
            services.reschedule_appointment(who, appointment, starts_at=utc(2027, 3, 3, 8), now=late)
    db.session.rollback()
    services.cancel_appointment(profile.coach, appointment, now=late - timedelta(hours=2))


def test_reminders_follow_the_appointment(coach_with_hours, make, app):
    profile = coach_with_hours()
    alice = make.user()
    appointment = book(profile, alice, utc(2027, 3, 1, 8))
    reminders = db.session.scalars(select(Reminder).where(Reminder.object_id == appointment.id)).all()
    assert len(reminders) == 4 and {r.user_id for r in reminders} == {alice.id, profile.coach_id}
    services.reschedule_appointment(alice, appointment, starts_at=utc(2027, 3, 3, 9), now=NOW)
    db.session.commit()
    due = {r.due_at for r in db.session.scalars(select(Reminder).where(Reminder.object_id == appointment.id))}
    assert due == {utc(2027, 3, 2, 9), utc(2027, 3, 3, 8)}
    sent = send_due_reminders(now=utc(2027, 3, 2, 9, 1))
    db.session.commit()
    assert sent == 2
    subjects = db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.kind == "reminder")).all()
    assert len(subjects) == 2 and all(s.startswith("Reminder: coaching") for s in subjects)
    services.cancel_appointment(alice, appointment, now=NOW)
    db.session.commit()
    assert db.session.scalars(select(Reminder).where(Reminder.object_id == appointment.id,
                                                     Reminder.sent_at.is_(None))).all() == []


def test_summary_no_show_and_coaching_hours(coach_with_hours, make):
    greek = coach_with_hours(country="GR")
    belgian = coach_with_hours()
    maria, pieter, luca = make.user(country="GR"), make.user(country="BE"), make.user(country="IT")
    done = book(greek, maria, utc(2027, 3, 1, 7))
    book(belgian, pieter, utc(2027, 3, 1, 8))
    missed = book(belgian, luca, utc(2027, 3, 1, 9))
    cancelled = book(belgian, maria, utc(2027, 3, 2, 8))
    services.cancel_appointment(maria, cancelled, now=NOW)
    book(greek, pieter, utc(2027, 3, 10, 7))  # still to come
    later = utc(2027, 3, 5)
    with pytest.raises(Exception):  # noqa: B017 - the participant may not write the summary
        services.record_summary(maria, done, summary="x", now=later)
    services.record_summary(greek.coach, done, summary="Talked about the BEI.", action_points="Send data",
                            now=later)
    services.mark_no_show(belgian.coach, missed, now=later)
    db.session.commit()
    totals, by_country = services.coaching_indicators(now=later)
    assert totals == {"coaching_hours": 2.0}
    assert by_country == {"BE": {"coaching_hours": 1.0}, "GR": {"coaching_hours": 1.0}}
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == maria.email,
                                                         OutboxMessage.subject.like("Summary%")))
    assert "Talked about the BEI." in mail.text_body


def test_feed_has_booked_appointments_only(coach_with_hours, make, client, login):
    profile = coach_with_hours()
    alice = make.user()
    kept = book(profile, alice, utc(2027, 3, 1, 8))
    gone = book(profile, alice, utc(2027, 3, 2, 8))
    services.cancel_appointment(alice, gone, now=NOW)
    db.session.commit()
    uids = [e.uid for e in feed_events(alice)]
    assert uids == [f"appointment-{kept.id}@mayors-in-action.eu"]
    assert [e.uid for e in feed_events(profile.coach)] == uids
    login(alice)
    from app.core.calendar import feed_url
    url = feed_url(alice)
    db.session.commit()
    response = client.get(url.replace("http://localhost", ""))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    cal, vcal = parse_both(response.data)
    assert cal["METHOD"] == "PUBLISH"
    assert [str(e["UID"]) for e in cal.walk("VEVENT")] == uids
    assert len(vcal.vevent_list) == 1


def test_long_greek_and_polish_text_folds_cleanly(coach_with_hours, make):
    profile = coach_with_hours(country="GR")
    agenda = ("Σχέδιο Δράσης για τη Βιώσιμη Ενέργεια και το Κλίμα του Δήμου Ηρακλείου: απογραφή εκπομπών "
              "αναφοράς, ενεργειακή αναβάθμιση δημοτικών κτιρίων. Zażółć gęślą jaźń — Wiśniewska, Bielsko-Biała, "
              "termomodernizacja budynków użyteczności publicznej i źródła ciepła. ") * 3
    participant = make.user(country="PL", name="Agnieszka Wiśniewska-Żółkiewska")
    appointment = book(profile, participant, utc(2027, 3, 1, 7), topic="financing", agenda=agenda.strip())
    data, _ = services.appointment_ics(appointment)
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # every physical line is valid UTF-8: no character split by folding
    cal, vcal = parse_both(data)
    assert agenda.strip() in str(cal.walk("VEVENT")[0]["DESCRIPTION"])
    assert agenda.strip() in vcal.vevent.description.value
    assert vcal.vevent.organizer.value == f"mailto:{profile.coach.email}"
    assert vcal.vevent.attendee.params["CN"] == ["Agnieszka Wiśniewska-Żółkiewska"]
    assert vcal.vevent.dtstart.value == utc(2027, 3, 1, 7)


def test_booking_rescheduling_and_cancelling_are_audited(coach_with_hours, make):
    from app.core.models import AuditEvent

    profile = coach_with_hours()
    alice = make.user()
    appointment = book(profile, alice, utc(2027, 3, 1, 8))
    services.reschedule_appointment(alice, appointment, starts_at=utc(2027, 3, 1, 9), now=NOW)
    services.cancel_appointment(profile.coach, appointment, now=NOW)
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id, e.target) for e in events] == [
        ("coaching.book", alice.id, f"appointment:{appointment.id}"),
        ("coaching.reschedule", alice.id, f"appointment:{appointment.id}"),
        ("coaching.cancel", profile.coach_id, f"appointment:{appointment.id}")]
    assert events[0].detail == f"user:{profile.coach_id}"
