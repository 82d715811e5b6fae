"""Reminders are rows (due_at, sent_at), claimed once by a conditional UPDATE (REFERENCE.md).

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


def schedule_reminders(kind: str, object_id: int, user_ids: list[int], starts_at: datetime,
                       now: datetime | None = None) -> int:
    """One reminder per lead time in REMINDER_MINUTES and per user; lead times already past are skipped."""
    now = now or utcnow()
    starts_at = as_utc(starts_at)
    count = 0
    for minutes in current_app.config["REMINDER_MINUTES"]:
        due = starts_at - timedelta(minutes=int(minutes))
        if due <= now:
            continue
        for user_id in dict.fromkeys(user_ids):
            db.session.add(Reminder(kind=kind, object_id=object_id, user_id=user_id, lead_minutes=int(minutes),
                                    starts_at=starts_at, due_at=due))
            count += 1
    return count


def cancel_reminders(kind: str, object_id: int, user_id: int | None = None) -> None:
    """Drop unsent reminders of a cancelled or moved item (for one user, or everyone)."""
    query = delete(Reminder).where(Reminder.kind == kind, Reminder.object_id == object_id,
                                   Reminder.sent_at.is_(None))
    if user_id is not None:
        query = query.where(Reminder.user_id == user_id)
    db.session.execute(query)


def send_due_reminders(now: datetime | None = None) -> int:
    """Claim each due reminder with a conditional UPDATE (rowcount 1 wins), then queue its mail."""
    now = now or utcnow()
    renderers = current_app.extensions.get("reminder_renderers", {})
    due_ids = db.session.scalars(select(Reminder.id).where(Reminder.sent_at.is_(None), Reminder.due_at <= now)
                                 .order_by(Reminder.due_at).limit(500)).all()
    sent = 0
    for reminder_id in due_ids:
        claimed = db.session.execute(update(Reminder).where(Reminder.id == reminder_id, Reminder.sent_at.is_(None))
                                     .values(sent_at=now))
        if claimed.rowcount != 1:
            continue
        reminder = db.session.get(Reminder, reminder_id)
        renderer = renderers.get(reminder.kind)
        if renderer is None:
            log.warning("no renderer for reminder kind %s", reminder.kind)
            continue
        renderer(reminder)
        sent += 1
    return sent
