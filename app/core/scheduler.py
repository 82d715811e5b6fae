"""Scheduled jobs: one scheduler process, thin idempotent jobs (REFERENCE.md)."""
from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from app.extensions import db

log = logging.getLogger("app.scheduler")


@dataclass
class Job:
    name: str
    func: Callable[[], object]
    minutes: float = 1.0


def register_job(app: Flask, name: str, func: Callable[[], object], minutes: float = 1.0) -> None:
    """Features add their jobs here; `func` runs in an app context and commits its own work."""
    app.extensions.setdefault("scheduler_jobs", {})[name] = Job(name, func, minutes)


def jobs(app: Flask | None = None) -> list[Job]:
    return list((app or current_app).extensions.get("scheduler_jobs", {}).values())


def run_job(app: Flask, job: Job) -> object:
    with app.app_context():
        try:
            result = job.func()
            db.session.commit()
            log.info("job %s done: %s", job.name, result)
            return result
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", job.name)
            raise
        finally:
            db.session.remove()


def tick(app: Flask) -> dict[str, object]:
    """Run every job once (cron, tests)."""
    return {job.name: run_job(app, job) for job in jobs(app)}


def _configure(scheduler, app: Flask) -> None:
    for job in jobs(app):
        scheduler.add_job(run_job, "interval", args=[app, job], id=job.name, name=job.name,
                          minutes=job.minutes, coalesce=True, max_instances=1, misfire_grace_time=3600,
                          replace_existing=True)


def run_forever(app: Flask) -> None:
    """`flask scheduler run`: the one scheduler process, in the foreground, stopping cleanly on SIGTERM."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone="UTC")
    _configure(scheduler, app)

    def _stop(signum, _frame):
        log.info("scheduler stopping (signal %s)", signum)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("scheduler running %d jobs: %s", len(jobs(app)), ", ".join(j.name for j in jobs(app)))
    scheduler.start()


def start_in_process(app: Flask):
    """Only for `make run`: a background scheduler inside the single development server."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="UTC", daemon=True)
    _configure(scheduler, app)
    scheduler.start()
    log.info("in-process scheduler started with %d jobs", len(jobs(app)))
    return scheduler
