"""The real scheduler: `flask scheduler tick` and `run` as processes, two of them racing, web never starting one."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import func, select

from app import create_app
from app.core.mail import queue_mail
from app.core.models import OutboxMessage
from app.core.reminders import Reminder, schedule_reminders
from app.core.scheduler import jobs, tick
from app.core.timeutil import utcnow
from tests.conftest import ROOT, TEST_SECRET, base_config

FLASK = str(Path(sys.executable).parent / "flask")


def _env(database_url: str, smtp=None, **extra) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, FLASK_SECRET_KEY=TEST_SECRET,
               FLASK_PUBLIC_URL="https://mia.example.eu", **extra)
    env.pop("FLASK_SCHEDULER_IN_PROCESS", None)
    if smtp is not None:
        env.update(smtp.env)
    return env


def _queue(user, subject: str):
    return queue_mail(user, "enrolment", "password_reset", subject=subject,
                      context={"minutes": 60, "link": "https://example.org/x"})


def test_tick_subprocess_end_to_end(app, db, make, smtp, database_url):
    """`flask --app app scheduler tick`: the real app, jobs and SMTP, once."""
    user = make.user(email="e2e@example.org", language="nl")
    _queue(user, "End to end")
    db.session.commit()
    done = subprocess.run([FLASK, "--app", "app", "scheduler", "tick"], cwd=ROOT, env=_env(database_url, smtp),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "deliver_outbox: 1 sent, 0 failed" in done.stdout
    assert "send_due_reminders: 0" in done.stdout
    assert smtp.inbox.recipients() == ["e2e@example.org"]
    assert str(tick(app, ["deliver_outbox"])["deliver_outbox"]) == "0 sent, 0 failed"  # nothing twice
    assert len(smtp.inbox.messages) == 1
    assert db.session.scalar(select(OutboxMessage.status)) == "sent"


def test_tick_rejects_an_unknown_job(app):
    result = app.test_cli_runner().invoke(args=["scheduler", "tick", "--job", "nope"])
    assert result.exit_code == 2 and "unknown job: nope" in result.output


def test_two_schedulers_racing_send_each_mail_once(app, db, make, smtp, database_url):
    """Two `scheduler tick` processes over the same due reminders and outbox: every mail arrives once."""
    users = [make.user(email=f"racer{n}@example.org", commit=False) for n in range(15)]
    for n, user in enumerate(users[:10]):
        for k in range(4):
            _queue(user, f"Queued {n}-{k}")
    now = utcnow()
    # Booked two hours ago for 30 minutes from now: the 1-hour reminder is due, the 24-hour one never was.
    for event in (1, 2):
        schedule_reminders("testevent", event, [u.id for u in users], now + timedelta(minutes=30),
                           now=now - timedelta(hours=2))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 30
    db.session.commit()  # end our transaction: on SQLite it would hold the write lock
    smtp.inbox.delay = 0.005  # a little SMTP latency so the two runs overlap
    env = _env(database_url, smtp, FLASK_MAIL_BATCH_SIZE="7")
    command = [FLASK, "--app", "tests.notifications.tickapp:create_app", "scheduler", "tick"]
    racers = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for _ in range(2)]
    outputs = [racer.communicate(timeout=120) for racer in racers]
    for racer, (_out, err) in zip(racers, outputs, strict=True):
        assert racer.returncode == 0, err[-2000:]
    print("racers:", [out.strip().replace("\n", " | ") for out, _err in outputs])

    ids = smtp.inbox.message_ids()
    assert len(ids) == 40 + 30
    assert len(set(ids)) == len(ids)  # no duplicates
    subjects = smtp.inbox.subjects()
    assert subjects.count("Reminder: event 1 in 60 min") == 15
    assert subjects.count("Reminder: event 2 in 60 min") == 15
    assert len({s for s in subjects if s.startswith("Queued")}) == 40
    assert sorted(set(smtp.inbox.recipients())) == sorted(u.email for u in users)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status != "sent")) == 0
    assert db.session.scalar(select(func.count()).select_from(Reminder).where(Reminder.sent_at.is_(None))) == 0


def test_scheduler_run_stops_cleanly_on_sigterm(database_url, app, tmp_path):
    log = tmp_path / "scheduler.log"
    with open(log, "w") as handle:
        process = subprocess.Popen([FLASK, "--app", "app", "scheduler", "run"], cwd=ROOT, env=_env(database_url),
                                   stdout=handle, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "job deliver_outbox done" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    text = log.read_text()
    assert f"scheduler running {len(jobs(app))} jobs (UTC)" in text
    assert "job send_due_reminders done" in text
    assert "scheduler stopping (signal 15)" in text and "scheduler stopped" in text


def test_web_app_never_starts_a_scheduler(database_url, _schema):
    assert "scheduler" not in create_app(base_config(database_url)).extensions


def test_in_process_scheduler_only_when_asked(database_url, _schema):
    app = create_app({**base_config(database_url), "SCHEDULER_IN_PROCESS": True})
    scheduler = app.extensions["scheduler"]
    try:
        assert scheduler.running
        assert {job.id for job in scheduler.get_jobs()} == {job.name for job in jobs(app)}
        assert all(job.trigger.interval for job in scheduler.get_jobs())
        job = scheduler.get_job("deliver_outbox")
        assert job.coalesce and job.misfire_grace_time == 3600 and str(job.trigger.timezone) == "UTC"
    finally:
        scheduler.shutdown(wait=True)


@pytest.mark.parametrize("app_config", [{"SERVER_NAME": None, "PUBLIC_URL": "https://mia.example.eu/platform"}])
def test_jobs_build_links_from_public_url(app, app_config):
    with app.app_context():  # as a job runs: no request
        assert url_for("notifications.preferences") == "https://mia.example.eu/platform/notifications/preferences"


def test_tick_keeps_going_when_a_job_fails(app, db):
    from app.core.scheduler import JobFailed, register_job

    def broken():
        raise RuntimeError("boom")

    register_job(app, "broken", broken, order=1)
    results = tick(app)
    assert isinstance(results["broken"], JobFailed) and "boom" in str(results["broken"])
    assert "deliver_outbox" in results and "send_due_reminders" in results


def test_the_first_round_runs_the_jobs_in_their_order(app):
    """Started together, jobs would run by name (deliver_outbox before send_due_reminders), leaving the
    reminders' mail for the next round a minute later; the first round keeps `tick`'s order instead."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from app.core.scheduler import _configure

    scheduler = BackgroundScheduler(timezone="UTC")
    _configure(scheduler, app)
    scheduler.start(paused=True)  # the job store holds them in the order they will run
    try:
        planned = [job.id for job in scheduler.get_jobs()]
    finally:
        scheduler.shutdown(wait=False)
    order = {job.name: job.order for job in jobs(app)}
    assert [order[name] for name in planned] == sorted(order.values())
    assert planned.index("send_due_reminders") < planned.index("deliver_outbox")
