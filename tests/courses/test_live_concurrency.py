"""Many real clients enrolling and leaving one small session at once, against a multi-worker gunicorn.

Whatever the interleaving: never more people enrolled than seats, counters equal to the rows, and
waitlist positions exactly 1..n (no gap, no duplicate), on SQLite and PostgreSQL.
"""
from __future__ import annotations

import json
import random
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from app.courses.models import Enrolment, TrainingSession

pytestmark = pytest.mark.live

CAPACITY = 4


def _call(url: str, token: str, method: str, body: dict | None = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _check_invariants(db, session_id: int) -> tuple[int, list[int]]:
    db.session.rollback()  # a fresh transaction: see what the server committed
    session = db.session.get(TrainingSession, session_id)
    rows = db.session.scalars(select(Enrolment).where(Enrolment.session_id == session_id)).all()
    enrolled = [e for e in rows if e.status == "enrolled"]
    positions = sorted(e.waitlist_position for e in rows if e.status == "waitlisted")
    assert len(enrolled) <= CAPACITY
    assert session.enrolled_count == len(enrolled)
    assert session.waitlist_count == len(positions)
    assert positions == list(range(1, len(positions) + 1)), positions
    if positions:  # nobody waits while a seat is free
        assert len(enrolled) == CAPACITY
    return len(enrolled), positions


def test_simultaneous_enrolments_and_departures(live_server, db, make, courses):
    session = courses.session(capacity=CAPACITY)
    users = [make.user(email=f"crowd{n}@example.org", commit=False) for n in range(60)]
    db.session.commit()
    people = [(u.id, make.token(u)) for u in users]  # plain values: threads must not touch the ORM
    session_id = session.id
    url = f"{live_server.url}/api/v1/sessions/{session_id}/enrolments"
    db.session.commit()  # hold no transaction (on SQLite, no write lock) while the clients run
    first_wave, second_wave = people[:50], people[50:]
    start = threading.Barrier(len(first_wave))

    def enrol(person):
        start.wait()
        return _call(url, person[1], "POST", {})

    with ThreadPoolExecutor(max_workers=len(first_wave)) as pool:
        codes = list(pool.map(enrol, first_wave))
    assert codes.count(201) == len(first_wave), codes
    enrolled, positions = _check_invariants(db, session_id)
    assert (enrolled, len(positions)) == (CAPACITY, len(first_wave) - CAPACITY)

    # Second wave: 20 leave (seat holders and waitlisted alike), 10 newcomers enrol, 5 enrol twice.
    rng = random.Random(7)
    leaving = rng.sample(first_wave, 20)
    twice = rng.sample([p for p in first_wave if p not in leaving], 5)
    jobs = [("DELETE", p) for p in leaving] + [("POST", p) for p in second_wave] + [("POST", p) for p in twice]
    rng.shuffle(jobs)
    start2 = threading.Barrier(len(jobs))

    def act(job):
        method, person = job
        start2.wait()
        target = f"{url}/me" if method == "DELETE" else url
        return method, _call(target, person[1], method, {} if method == "POST" else None)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(act, jobs))
    assert sorted(code for method, code in results if method == "DELETE") == [204] * 20
    post_codes = sorted(code for method, code in results if method == "POST")
    assert post_codes == [201] * 10 + [409] * 5, post_codes
    enrolled, positions = _check_invariants(db, session_id)
    assert enrolled == CAPACITY
    assert len(positions) == len(first_wave) + len(second_wave) - 20 - CAPACITY
    # FIFO: of the people who stayed from the first wave, the earliest waiters hold the seats.
    still = db.session.scalars(select(Enrolment).where(Enrolment.session_id == session_id,
                                                       Enrolment.status == "waitlisted")
                               .order_by(Enrolment.waitlist_position)).all()
    first_wave_ids = {p[0] for p in first_wave}
    newcomer_positions = [e.waitlist_position for e in still if e.user_id not in first_wave_ids]
    old_positions = [e.waitlist_position for e in still if e.user_id in first_wave_ids]
    assert max(old_positions) < min(newcomer_positions)  # newcomers queue behind everyone already waiting
