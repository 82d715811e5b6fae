"""The weekly trainer digest: features plug in sections, the job sends one mail per trainer and week.

    register_digest_section(app, fn, title=_l("My sessions"))  # app.core.mail; fn(user) -> lines or None

A trainer gets the digest when at least one section has lines for them and they did not switch the
digest off. The mail's dedupe key names the ISO week, so restarts and a second scheduler by mistake
still send it once a week.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.i18n import in_language
from app.core.mail import queue_mail
from app.core.timeutil import utcnow
from app.extensions import db

log = logging.getLogger("app.digest")

def digest_week(now: datetime) -> str | None:
    """The ISO week whose digest is due at `now` ("2026-W48"), or None before this week's send time."""
    config = current_app.config
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    send_at = monday + timedelta(days=int(config["DIGEST_WEEKDAY"]), hours=int(config["DIGEST_HOUR_UTC"]))
    if now < send_at:
        return None
    year, week, _day = now.isocalendar()
    return f"{year}-W{week:02d}"


def digest_for(user: User) -> list[tuple[str, list[str]]]:
    """The sections with content for this trainer, in their language: [(title, lines)]."""
    sections = []
    with in_language(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        for section in current_app.extensions.get("digest_sections", []):
            lines = section.fn(user)
            if lines:
                sections.append((str(section.title) if section.title else "", [str(line) for line in lines]))
    return sections


def send_weekly_digest(now: datetime | None = None) -> int:
    """The scheduler job (hourly): queue this week's digest for every trainer who has one due."""
    now = now or utcnow()
    week = digest_week(now)
    if week is None or not current_app.extensions.get("digest_sections"):
        return 0
    trainers = db.session.scalars(select(User).where(User.role.in_(("trainer", "admin")),
                                                     User.is_active_account.is_(True)).order_by(User.id)).all()
    queued = 0
    for user in trainers:
        if not user.wants_mail("digest"):
            continue
        sections = digest_for(user)
        if not sections:
            continue
        try:
            with db.session.begin_nested():
                message = queue_mail(user, "digest", "notifications/mail/digest",
                                     subject=_l("Your week on Mayors in Action"),
                                     context={"sections": sections, "week": week},
                                     dedupe_key=f"digest:{user.id}:{week}")
        except IntegrityError:  # another scheduler queued it a moment ago
            continue
        queued += message is not None
    log.info("weekly digest %s: %d queued", week, queued)
    return queued
