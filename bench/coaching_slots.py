"""Benchmark: a coach's free slots for a month, and a personal feed of 1,000 appointments.

    .venv/bin/python bench/coaching_slots.py                       # temporary SQLite file
    BENCH_DATABASE_URL=postgresql+psycopg://…/scratch .venv/bin/python bench/coaching_slots.py

BENCH_DATABASE_URL must name a scratch database: its tables are dropped and created.

Prints wall time (best of several runs) and the number of SQL statements of each operation. A poll with
nothing changed answers 304 from the data versions; after a change elsewhere it reads the events first.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import event, insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from app.auth.models import User
from app.coaching import services
from app.coaching.models import Appointment
from app.core import cache, calendar
from app.core.calendar import build_calendar, feed_events, feed_url
from app.core.timeutil import local_to_utc
from app.extensions import db

RUNS = 5


class Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, *_args):
        self.count += 1


def measure(label: str, fn):
    best, queries, result = float("inf"), 0, None
    for _ in range(RUNS):
        db.session.expire_all()
        counter = Counter()
        event.listen(db.engine, "before_cursor_execute", counter)
        started = clock.perf_counter()
        result = fn()
        elapsed = clock.perf_counter() - started
        event.remove(db.engine, "before_cursor_execute", counter)
        best, queries = min(best, elapsed), counter.count
    print(f"{label:<58} {best * 1000:8.1f} ms  {queries:3d} queries")
    return result


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SERVER_NAME": "localhost",
                      "TESTING": True})
    with app.app_context(), app.test_request_context():
        db.drop_all()
        db.create_all()
        coach = User(email="coach@bench.example", name="Bench Coach", role="trainer", is_coach=True, country="GR",
                     timezone="Europe/Athens", password_hash="x", languages=["el", "en"])
        db.session.add(coach)
        db.session.flush()
        weekly = [{"weekday": d, "start": s, "end": e} for d in range(5) for s, e in (("09:00", "12:30"),
                                                                                     ("14:00", "18:00"))]
        exceptions = [{"date": date(2027, 3, 10).isoformat()},
                      {"date": date(2027, 3, 13).isoformat(), "kind": "extra", "start": "10:00", "end": "12:00"}]
        rules = services.validate_availability(timezone="Europe/Athens", slot_minutes=30, buffer_minutes=0,
                                               min_notice_hours=0, weekly=weekly, exceptions=exceptions)
        services.set_availability(coach, rules)
        participants = [dict(email=f"p{i}@bench.example", name=f"Participant {i}", role="participant",
                             country="PL", timezone="Europe/Warsaw", password_hash="x", com_role="coordinator",
                             organisation="", language="en", languages=[], is_coach=False, is_active_account=True,
                             session_version=1, notification_prefs=[]) for i in range(50)]
        db.session.execute(insert(User), participants)
        participant_ids = [u.id for u in db.session.query(User).filter(User.role == "participant")]
        # 1,000 appointments over two years (every half hour of the rules, every other day) for the feed,
        # about 140 of them in March 2027 to subtract from the month's slots.
        rows, day = [], date(2026, 6, 1)
        while len(rows) < 1000:
            if day.weekday() < 5 and (day.toordinal() % 2 == 0 or day.month == 3):
                for hour in (9, 10, 11, 14, 15, 16, 17):
                    starts = local_to_utc(day, time(hour), "Europe/Athens")
                    rows.append(dict(coach_id=coach.id, participant_id=participant_ids[len(rows) % 50],
                                     starts_at=starts, ends_at=starts + timedelta(minutes=30), status="booked",
                                     sequence=0, topic="financing", agenda="Σχέδιο δράσης — plan działań " * 3,
                                     meeting_mode="online", location="https://meet.example.org/bench",
                                     created_at=starts, updated_at=starts, cancel_reason="", summary="",
                                     action_points=""))
            day += timedelta(days=1)
        db.session.execute(insert(Appointment), rows[:1000])
        db.session.commit()
        now = datetime(2027, 2, 20, tzinfo=UTC)
        print(f"database: {db.engine.dialect.name}; {len(rows[:1000])} appointments")

        def month():
            return services.free_slots(services.get_profile(coach.id), date(2027, 3, 1), date(2027, 3, 31), now)

        slots = measure("free slots of a coach for March 2027 (30-minute slots)", month)
        print(f"{'':<58} -> {len(slots)} free slots")
        for n in (1, 3):
            measure(f"free slots for {n * 30} days, fresh session",
                    lambda n=n: services.free_slots(services.get_profile(coach.id), date(2027, 3, 1),
                                                    date(2027, 3, 1) + timedelta(days=n * 30 - 1), now))
        data = measure("feed: events of a user with 1,000 appointments",
                       lambda: feed_events(db.session.get(User, coach.id)))
        print(f"{'':<58} -> {len(data)} events")
        def cold():
            calendar._VEVENTS.clear()  # as after a restart: every VEVENT written by icalendar
            return build_calendar(feed_events(db.session.get(User, coach.id)), method="PUBLISH")

        ics = measure("feed: events + build_calendar, cold (nothing written yet)", cold)
        print(f"{'':<58} -> {len(ics) / 1024:.0f} KiB")
        measure("feed: events + build_calendar, warm (VEVENTs written before)",
                lambda: build_calendar(feed_events(db.session.get(User, coach.id)), method="PUBLISH"))
        token_url = feed_url(db.session.get(User, coach.id))
        db.session.commit()
        client = app.test_client()
        path = token_url.replace("http://localhost", "")
        response = measure("GET /calendar/<token>.ics through the app", lambda: client.get(path))
        assert response.status_code == 200
        etag = response.headers["ETag"]
        again = measure("GET again with If-None-Match (nothing changed)",
                        lambda: client.get(path, headers={"If-None-Match": etag}))
        assert again.status_code == 304
        cache.bump("courses")  # someone else's seat: the data changed, this feed's events did not
        db.session.commit()
        elsewhere = measure("GET with If-None-Match after a change elsewhere (events read)",
                            lambda: client.get(path, headers={"If-None-Match": etag}))
        assert elsewhere.status_code == 304
        db.drop_all()


if __name__ == "__main__":
    main()
