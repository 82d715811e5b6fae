"""Reminders are rows (due_at, sent_at), claimed once by a conditional UPDATE (docs/domain.md).

Features call `schedule_reminders` when something is booked or moved and `cancel_reminders` when it
is cancelled or moved; they register a renderer per kind that queues the mail. The scheduler job
`send_due_reminders` claims due rows, so two schedulers by mistake still send each reminder once.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import as_utc, utcnow
from app.core.types import UTCDateTime
from app.extensions import db

log = logging.getLogger("app.reminders")


class Reminder(db.Model):
    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("kind", "object_id", "user_id", "lead_minutes", "starts_at",
                                       name="uq_reminders_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # "appointment", "session", …
    object_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lead_minutes: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the start the reminder is about
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


Renderer = Callable[[Reminder], None]


def register_reminder_renderer(app: Flask, kind: str, renderer: Renderer) -> None:
    """`renderer(reminder)` queues the reminder mail for `reminder.user_id` (it may skip stale items)."""
    app.extensions.setdefault("reminder_renderers", {})[kind] = renderer


def _insert_ignoring_duplicates(rows: list[dict]) -> int:
    """INSERT … ON CONFLICT DO NOTHING on uq_reminders_once: scheduling twice is harmless, never a 500."""
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the two databases we run on
        raise RuntimeError(f"unsupported database {dialect}")
    inserted = db.session.execute(insert(Reminder).values(rows).on_conflict_do_nothing().returning(Reminder.id))
    return len(inserted.all())


def schedule_reminders(kind: str, object_id: int, user_ids: list[int], starts_at: datetime,
                       now: datetime | None = None) -> int:
    """One reminder per lead time in REMINDER_MINUTES and per user; lead times already past are skipped.

    Call it when something is booked, and again when it moves: unsent reminders of these users for
    another start time are dropped, so a moved item is reminded about its new time only. Calling it
    twice for the same start adds nothing. Returns the number of reminders added.
    """
    now = now or utcnow()
    starts_at = as_utc(starts_at)
    users = list(dict.fromkeys(user_ids))
    if not users:
        return 0
    db.session.execute(delete(Reminder).where(
        Reminder.kind == kind, Reminder.object_id == object_id, Reminder.user_id.in_(users),
        Reminder.sent_at.is_(None), Reminder.starts_at != starts_at).execution_options(synchronize_session=False))
    rows = []
    for minutes in current_app.config["REMINDER_MINUTES"]:
        due = starts_at - timedelta(minutes=int(minutes))
        if due <= now:  # booked too late for this one: never send it late
            continue
        rows += [{"kind": kind, "object_id": object_id, "user_id": user_id, "lead_minutes": int(minutes),
                  "starts_at": starts_at, "due_at": due, "sent_at": None} for user_id in users]
    return _insert_ignoring_duplicates(rows)


def cancel_reminders(kind: str, object_id: int, user_id: int | None = None) -> None:
    """Drop unsent reminders of a cancelled or moved item (for one user, or everyone)."""
    query = delete(Reminder).where(Reminder.kind == kind, Reminder.object_id == object_id,
                                   Reminder.sent_at.is_(None))
    if user_id is not None:
        query = query.where(Reminder.user_id == user_id)
    db.session.execute(query.execution_options(synchronize_session=False))


def send_due_reminders(now: datetime | None = None, limit: int = 500) -> int:
    """Claim each due reminder with a conditional UPDATE (rowcount 1 wins), then queue its mail.

    The claim and the queued mail commit together (the job's one transaction): a reminder is either
    claimed with its mail in the outbox, or neither. A reminder whose item has started already is
    claimed without a mail (the scheduler was down), and when several lead times of one item are due
    at once only the nearest is sent. A renderer that fails is logged and skipped, never retried in
    a loop that would block every other reminder.
    """
    now = now or utcnow()
    renderers = current_app.extensions.get("reminder_renderers", {})
    due = db.session.execute(
        select(Reminder.id, Reminder.kind, Reminder.object_id, Reminder.user_id, Reminder.starts_at,
               Reminder.due_at)
        .where(Reminder.sent_at.is_(None), Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id).limit(limit)).all()
    nearest: dict[tuple, int] = {}  # (kind, object, user, start) -> the latest-due reminder's id
    for row in due:
        nearest[(row.kind, row.object_id, row.user_id, as_utc(row.starts_at))] = row.id
    sent = 0
    for row in due:
        claimed = db.session.execute(
            update(Reminder).where(Reminder.id == row.id, Reminder.sent_at.is_(None)).values(sent_at=now)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            continue  # another scheduler has it
        key = (row.kind, row.object_id, row.user_id, as_utc(row.starts_at))
        if as_utc(row.starts_at) <= now:
            log.info("reminder %s skipped: %s %s started already", row.id, row.kind, row.object_id)
            continue
        if nearest[key] != row.id:
            log.info("reminder %s skipped: a nearer one for %s %s is due too", row.id, row.kind, row.object_id)
            continue
        renderer = renderers.get(row.kind)
        if renderer is None:
            log.warning("no renderer for reminder kind %s", row.kind)
            continue
        reminder = db.session.get(Reminder, row.id, populate_existing=True)
        try:
            with db.session.begin_nested():
                renderer(reminder)
        except Exception:
            log.exception("reminder %s (%s %s) could not be rendered", row.id, row.kind, row.object_id)
            continue
        sent += 1
    return sent
