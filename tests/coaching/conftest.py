"""Coaching factories: a coach with weekly hours in their own zone."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.coaching import services
from app.core.reference import country_timezone
from app.extensions import db

WORKDAYS_9_TO_12 = [{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(5)]


@pytest.fixture
def coach_with_hours(make):
    """make a coach (default Brussels, Mon-Fri 09:00-12:00, 60-minute slots, no notice) and their rules."""
    def _make(country: str = "BE", weekly=None, commit: bool = True, **settings):
        coach = make.coach(country=country, languages=["en"])
        settings.setdefault("timezone", country_timezone(country))
        settings.setdefault("slot_minutes", 60)
        settings.setdefault("min_notice_hours", 0)
        settings.setdefault("cancel_cutoff_hours", 4)
        settings.setdefault("topics", ["financing", "monitoring"])
        settings.setdefault("meeting_url", "https://meet.example.org/coach")
        rules = services.validate_availability(weekly=WORKDAYS_9_TO_12 if weekly is None else weekly, **settings)
        profile = services.set_availability(coach, rules)
        if commit:
            db.session.commit()
        return profile
    return _make


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    """A date on `weekday` at least a week from today (so notice and cut-offs never bite)."""
    today = datetime.now(UTC).date()
    start = today + timedelta(days=7 * weeks_ahead)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


@pytest.fixture(autouse=True)
def _request_context(app):
    """Services translate their messages; outside a request the locale selector has no session to read."""
    with app.test_request_context():
        yield
