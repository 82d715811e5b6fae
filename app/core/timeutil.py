"""Time zones and conversions: store aware UTC, convert at the edges (docs/architecture.md, Time)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# The years the platform takes in: beyond, converting between zones or adding days overflows Python's
# datetime (year 1 at UTC+1 is year 0 in UTC, 9999-12-31 plus a day is nothing), and nothing of this
# platform (sessions, appointments, reports, plans) happens there.
MIN_YEAR = 1900
MAX_YEAR = 2200


JOIN_EARLY = timedelta(minutes=30)  # an online meeting's link is offered this long before it starts


def is_joinable(starts_at: datetime, ends_at: datetime, now: datetime | None = None) -> bool:
    """Whether an online meeting is near or under way, so its join link is worth putting first."""
    now = now or utcnow()
    return starts_at - JOIN_EARLY <= now < ends_at


def utcnow() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=1)
def all_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_valid_timezone(name: str | None) -> bool:
    if not name or name not in all_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name) if is_valid_timezone(name) else ZoneInfo("UTC")


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime; naive values are taken as UTC (SQLite returns them naive)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def local_to_utc(day: date, at: time, tz_name: str) -> datetime:
    """Wall-clock time in a zone to UTC; a time skipped by DST moves forward like clocks do."""
    tz = zone(tz_name)
    local = datetime.combine(day, at, tzinfo=tz)
    # Round-trip detects non-existent times (spring forward): normalise through UTC.
    return local.astimezone(UTC)


def to_zone(value: datetime, tz_name: str) -> datetime:
    return as_utc(value).astimezone(zone(tz_name))


def iso_z(value: datetime | None) -> str | None:
    """UTC ISO 8601 with a Z suffix, as the API promises."""
    if value is None:
        return None
    return as_utc(value).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_year(value: date) -> date:
    """The date or datetime itself, or ValueError outside MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


def parse_iso(value: str) -> datetime:
    """Parse ISO 8601 with an offset (a trailing Z too); raise ValueError when naive or out of range."""
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("a time zone offset is required")
    check_year(parsed)  # before the conversion, which overflows at the edges of year 1 and 9999
    return check_year(parsed.astimezone(UTC))


def days(n: int) -> timedelta:
    return timedelta(days=n)
