"""Many real clients race for one slot, and for overlapping slots, against a multi-worker gunicorn."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import time

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
    services.set_availability(coach, timezone="Europe/Brussels", slot_minutes=60, min_notice_hours=0, weekly=weekly)
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
