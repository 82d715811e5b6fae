"""Slots from rules in the coach's zone: DST weeks, Greece, exceptions, buffer, notice, limits."""
from __future__ import annotations

from datetime import date, time

import pytest

from app.coaching import services
from app.core.errors import Invalid
from app.core.timeutil import to_zone
from app.extensions import db
from tests.coaching.conftest import utc


def local_times(slots, tz):
    return [(to_zone(s.starts_at, tz).date(), to_zone(s.starts_at, tz).time()) for s in slots]


def test_nine_stays_nine_across_spring_change_2027(coach_with_hours):
    profile = coach_with_hours()
    now = utc(2027, 3, 20)
    slots = services.free_slots(profile, date(2027, 3, 26), date(2027, 3, 29), now)  # Fri .. Mon
    assert local_times(slots, "Europe/Brussels") == [
        (date(2027, 3, 26), time(9)), (date(2027, 3, 26), time(10)), (date(2027, 3, 26), time(11)),
        (date(2027, 3, 29), time(9)), (date(2027, 3, 29), time(10)), (date(2027, 3, 29), time(11))]
    # In UTC the same wall-clock hour moved by one hour: CET before, CEST after 2027-03-28.
    assert slots[0].starts_at == utc(2027, 3, 26, 8)
    assert slots[3].starts_at == utc(2027, 3, 29, 7)
    assert all((s.ends_at - s.starts_at).total_seconds() == 3600 for s in slots)


def test_nine_stays_nine_across_october_change_2027(coach_with_hours):
    profile = coach_with_hours()
    slots = services.free_slots(profile, date(2027, 10, 29), date(2027, 11, 1), utc(2027, 10, 1))
    assert slots[0].starts_at == utc(2027, 10, 29, 7)  # 09:00 CEST
    assert slots[3].starts_at == utc(2027, 11, 1, 8)  # 09:00 CET
    assert {t for _d, t in local_times(slots, "Europe/Brussels")} == {time(9), time(10), time(11)}


def test_greek_coach_is_an_hour_ahead(coach_with_hours):
    profile = coach_with_hours(country="GR")
    assert profile.timezone == "Europe/Athens"
    slots = services.free_slots(profile, date(2027, 3, 29), date(2027, 3, 29), utc(2027, 3, 1))
    assert slots[0].starts_at == utc(2027, 3, 29, 6)  # 09:00 in Athens (EEST)
    assert to_zone(slots[0].starts_at, "Europe/Brussels").time() == time(8)
    # Across the spring change both zones move together: still one hour apart.
    before = services.free_slots(profile, date(2027, 3, 26), date(2027, 3, 26), utc(2027, 3, 1))
    assert before[0].starts_at == utc(2027, 3, 26, 7)
    assert to_zone(before[0].starts_at, "Europe/Brussels").time() == time(8)


def test_several_ranges_a_day_and_exceptions(coach_with_hours):
    weekly = [{"weekday": 0, "start": "09:00", "end": "11:00"}, {"weekday": 0, "start": "14:00", "end": "16:00"},
              {"weekday": 1, "start": "09:00", "end": "11:00"}, {"weekday": 2, "start": "09:00", "end": "12:00"}]
    exceptions = [{"date": "2027-03-01"},  # Monday off
                  {"date": "2027-03-02", "kind": "extra", "start": "17:00", "end": "18:00"},  # Tuesday extra
                  {"date": "2027-03-03", "kind": "off", "start": "10:00", "end": "11:00"}]  # Wednesday 10-11 off
    profile = coach_with_hours(weekly=weekly, exceptions=exceptions)
    slots = services.free_slots(profile, date(2027, 3, 1), date(2027, 3, 8), utc(2027, 2, 1))
    got = local_times(slots, "Europe/Brussels")
    assert not [d for d, _t in got if d == date(2027, 3, 1)]
    assert [t for d, t in got if d == date(2027, 3, 2)] == [time(9), time(10), time(17)]
    assert [t for d, t in got if d == date(2027, 3, 3)] == [time(9), time(11)]
    assert [t for d, t in got if d == date(2027, 3, 8)] == [time(9), time(10), time(14), time(15)]


def test_buffer_keeps_distance_from_bookings(coach_with_hours, make):
    profile = coach_with_hours(weekly=[{"weekday": 0, "start": "09:00", "end": "13:00"}])
    participant = make.user()
    now = utc(2027, 2, 1)
    services.book_appointment(participant, coach_id=profile.coach_id, starts_at=utc(2027, 3, 1, 9), now=now)  # 10:00 CET
    db.session.commit()
    # The coach now wants 30 minutes between appointments: the grid becomes 09:00, 10:30, 12:00.
    rules = services.validate_availability(timezone=profile.timezone, slot_minutes=60, buffer_minutes=30,
                                           weekly=[{"weekday": 0, "start": "09:00", "end": "13:00"}])
    services.set_availability(profile.coach, rules)
    slots = services.free_slots(profile, date(2027, 3, 1), date(2027, 3, 1), now)
    assert [t for _d, t in local_times(slots, profile.timezone)] == [time(12)]


def test_minimum_notice_horizon_and_max_per_day(coach_with_hours, make):
    profile = coach_with_hours(min_notice_hours=24, horizon_days=8, max_per_day=2)
    now = utc(2027, 3, 1, 8)  # Monday 09:00 in Brussels
    slots = services.free_slots(profile, date(2027, 3, 1), date(2027, 3, 19), now)
    days = sorted({d for d, _t in local_times(slots, profile.timezone)})
    assert days[0] == date(2027, 3, 2)  # Monday is within the notice; Tuesday 09:00 is exactly 24 h away
    assert days[-1] == date(2027, 3, 9)  # nothing beyond 8 days
    a, b = make.user(), make.user()
    services.book_appointment(a, coach_id=profile.coach_id, starts_at=utc(2027, 3, 3, 8), now=now)
    services.book_appointment(b, coach_id=profile.coach_id, starts_at=utc(2027, 3, 3, 10), now=now)
    slots = services.free_slots(profile, date(2027, 3, 3), date(2027, 3, 3), now)
    assert slots == []  # two a day at most


def test_rules_are_validated(coach_with_hours, make):
    with pytest.raises(Invalid) as error:
        services.validate_availability(timezone="Mars/Olympus", slot_minutes=5,
                                       weekly=[{"weekday": 7, "start": "9", "end": "10:00"},
                                               {"weekday": 1, "start": "11:00", "end": "10:00"}],
                                       exceptions=[{"date": "2027-02-30"}, {"date": "2027-03-01", "kind": "extra"}])
    assert set(error.value.fields) == {"timezone", "slot_minutes", "weekly.0", "weekly.1", "exceptions.0",
                                       "exceptions.1"}


def test_a_month_of_slots_takes_few_queries(coach_with_hours, make, count_queries):
    profile = coach_with_hours()
    now = utc(2027, 2, 1)
    for day in (1, 2, 3):
        services.book_appointment(make.user(), coach_id=profile.coach_id, starts_at=utc(2027, 3, day, 8), now=now)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as q:
        profile = services.get_profile(profile.coach_id)
        slots = services.free_slots(profile, date(2027, 3, 1), date(2027, 3, 31), now)
    assert len(slots) == 23 * 3 - 3
    assert q.count <= 4
