"""Scheduled jobs: one scheduler process, thin idempotent jobs (docs/domain.md).

`flask scheduler run` is the one scheduler process (production: exactly one, next to any number of
gunicorn workers, which never start a scheduler). `flask scheduler tick` runs every job once and exits
(cron, tests). `make run` starts it inside the development server (SCHEDULER_IN_PROCESS). Jobs claim
their rows with conditional UPDATEs, so even two schedulers by mistake do each piece of work once.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app

from app.extensions import db

log = logging.getLogger("app.scheduler")


@dataclass
class Job:
    name: str
    func: Callable[[], object]
    minutes: float = 1.0
    order: int = 50  # tick runs jobs in this order: work that queues mail before the delivery (100)


def register_job(app: Flask, name: str, func: Callable[[], object], minutes: float = 1.0,
                 order: int = 50) -> None:
    """Features add their jobs here; `func` runs in an app context and commits its own work."""
    app.extensions.setdefault("scheduler_jobs", {})[name] = Job(name, func, minutes, order)


def jobs(app: Flask | None = None) -> list[Job]:
    found = (app or current_app).extensions.get("scheduler_jobs", {}).values()
    return sorted(found, key=lambda job: job.order)


def run_job(app: Flask, job: Job) -> object:
    with app.app_context():
        started = time.perf_counter()
        try:
            result = job.func()
            db.session.commit()
            log.info("job %s done in %.2f s: %s", job.name, time.perf_counter() - started, result)
            return result
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", job.name)
            raise
        finally:
            db.session.remove()


def tick(app: Flask, only: list[str] | None = None) -> dict[str, object]:
    """Run every job once (cron, tests); a failing job is reported and the others still run."""
    results: dict[str, object] = {}
    for job in jobs(app):
        if only and job.name not in only:
            continue
        try:
            results[job.name] = run_job(app, job)
        except Exception as error:  # logged with its traceback by run_job
            results[job.name] = JobFailed(error)
    return results


class JobFailed:
    def __init__(self, error: Exception):
        self.error = error

    def __str__(self) -> str:
        return f"FAILED: {type(self.error).__name__}: {self.error}"


def _executors() -> dict:
    """One worker thread: jobs run one after another, in a steady order, without fighting over locks."""
    from apscheduler.executors.pool import ThreadPoolExecutor

    return {"default": ThreadPoolExecutor(max_workers=1)}


def _configure(scheduler, app: Flask, start_now: bool = True) -> None:
    # The first round runs at once, in the jobs' order as `tick` does (a millisecond apart per order step),
    # so the mail other jobs queue goes out in the same round instead of a minute later.
    now = datetime.now(UTC)
    for job in jobs(app):
        first = now + timedelta(milliseconds=job.order) if start_now else None
        scheduler.add_job(run_job, "interval", args=[app, job], id=job.name, name=job.name,
                          minutes=job.minutes, coalesce=True, max_instances=1,
                          misfire_grace_time=int(app.config.get("SCHEDULER_MISFIRE_GRACE_SECONDS", 3600)),
                          replace_existing=True, next_run_time=first)


def run_forever(app: Flask) -> None:
    """`flask scheduler run`: the one scheduler process, in the foreground, stopping cleanly on SIGTERM."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone="UTC", executors=_executors())
    _configure(scheduler, app)
    stopping = threading.Event()

    def _stop(signum, _frame):
        if stopping.is_set():
            return
        stopping.set()
        log.info("scheduler stopping (signal %s), waiting for running jobs", signum)
        scheduler.shutdown(wait=True)  # a running job finishes its transaction first

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("scheduler running %d jobs (UTC): %s", len(jobs(app)),
             ", ".join(f"{j.name} every {j.minutes:g} min" for j in jobs(app)))
    scheduler.start()  # returns after shutdown
    log.info("scheduler stopped")


def start_in_process(app: Flask):
    """Only for `make run`: a background scheduler inside the single development server."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="UTC", daemon=True, executors=_executors())
    _configure(scheduler, app)
    scheduler.start()
    log.info("in-process scheduler started with %d jobs", len(jobs(app)))
    return scheduler
