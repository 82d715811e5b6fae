"""Many real clients race for one slot, and for overlapping slots, against a multi-worker gunicorn."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from app.coaching import services
from app.coaching.models import Appointment
from app.core.timeutil import local_to_utc
from app.extensions import db
from tests.coaching.conftest import next_weekday

CLIENTS = 60


def race(url: str, bodies_and_tokens: list[tuple[dict, str]]) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(bodies_and_tokens))

    def one(item):
        body, token = item
        request = urllib.request.Request(url + "/api/v1/coaching/appointments", data=json.dumps(body).encode(),
                                         method="POST", headers={"Authorization": f"Bearer {token}",
                                                                 "Content-Type": "application/json"})
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    with ThreadPoolExecutor(len(bodies_and_tokens)) as pool:
        return list(pool.map(one, bodies_and_tokens))


def setup_coach(make, weekly):
    coach = make.coach()
    services.set_availability(coach, services.validate_availability(timezone="Europe/Brussels", slot_minutes=60,
                                                                    min_notice_hours=0, weekly=weekly))
    db.session.commit()
    tokens = [make.token(make.user(email=f"racer{i}-{coach.id}@example.org")) for i in range(CLIENTS)]
    return coach, tokens


def test_many_clients_one_slot(live_server, make):
    day = next_weekday(1)
    coach, tokens = setup_coach(make, [{"weekday": 1, "start": "09:00", "end": "12:00"}])
    starts_at = local_to_utc(day, time(10), "Europe/Brussels").isoformat()
    results = race(live_server.url, [({"coach_id": coach.id, "starts_at": starts_at}, t) for t in tokens])
    statuses = sorted(status for status, _body in results)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == CLIENTS - 1, statuses
    assert all(body["error"]["code"] == "slot_taken" for status, body in results if status == 409)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Appointment)
                             .where(Appointment.coach_id == coach.id)) == 1


def test_many_clients_overlapping_slots(live_server, make):
    """Two ranges on one day give slots at 09:00 and 09:30 that overlap: only one may be booked."""
    day = next_weekday(3)
    coach, tokens = setup_coach(make, [{"weekday": 3, "start": "09:00", "end": "10:00"},
                                       {"weekday": 3, "start": "09:30", "end": "10:30"}])
    starts = [local_to_utc(day, time(9), "Europe/Brussels").isoformat(),
              local_to_utc(day, time(9, 30), "Europe/Brussels").isoformat()]
    results = race(live_server.url, [({"coach_id": coach.id, "starts_at": starts[i % 2]}, t)
                                     for i, t in enumerate(tokens)])
    statuses = sorted(status for status, _body in results)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == CLIENTS - 1, statuses
    db.session.commit()
    booked = db.session.scalars(select(Appointment).where(Appointment.coach_id == coach.id)).all()
    assert len(booked) == 1


def test_many_reschedules_race_for_one_slot(live_server, make):
    """30 participants move their own appointments to the same free slot at once: one moves, 29 get 409."""
    day, target_day = next_weekday(4), next_weekday(4) + timedelta(days=7)
    coach = make.coach()
    services.set_availability(coach, services.validate_availability(
        timezone="Europe/Brussels", slot_minutes=30, min_notice_hours=0,
        weekly=[{"weekday": 4, "start": "06:00", "end": "22:00"}]))
    db.session.commit()
    work = []
    for i in range(30):
        user = make.user(email=f"mover{i}-{coach.id}@example.org")
        appointment = services.book_appointment(user, coach_id=coach.id, starts_at=local_to_utc(day, time(6 + i // 2, 30 * (i % 2)),
                                                                             "Europe/Brussels"))
        db.session.commit()
        work.append((appointment.id, make.token(user)))
    target = local_to_utc(target_day, time(10), "Europe/Brussels").isoformat()

    barrier = threading.Barrier(len(work))

    def move(item):
        appointment_id, token = item
        request = urllib.request.Request(
            f"{live_server.url}/api/v1/coaching/appointments/{appointment_id}/reschedule",
            data=json.dumps({"starts_at": target}).encode(), method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    with ThreadPoolExecutor(len(work)) as pool:
        results = list(pool.map(move, work))
    statuses = sorted(status for status, _body in results)
    assert statuses.count(200) == 1 and statuses.count(409) == 29, statuses
    assert {body["error"]["code"] for status, body in results if status == 409} == {"slot_taken"}
    db.session.commit()
    at_target = db.session.scalars(select(Appointment).where(Appointment.coach_id == coach.id,
                                                             Appointment.starts_at == datetime.fromisoformat(target)))
    moved = at_target.all()
    assert len(moved) == 1 and moved[0].sequence == 1
