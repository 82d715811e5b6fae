"""iCalendar output that Outlook, Google and Apple accept (docs/domain.md, Calendars)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, url_for
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import select

from app.core.cache import LRU
from app.core.timeutil import as_utc, utcnow
from app.core.tokens import hash_token
from app.extensions import db

PRODID = "-//Mayors in Action//Platform//EN"


@dataclass
class CalendarEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    status: str = "CONFIRMED"  # CONFIRMED, TENTATIVE, CANCELLED
    organizer: tuple[str, str] | None = None  # (name, email)
    attendees: list[tuple[str, str]] = field(default_factory=list)
    stamp: datetime | None = None


def uid_for(kind: str, object_id: int) -> str:
    """One UID for an object's whole life, e.g. appointment-42@mayors-in-action.eu."""
    return f"{kind}-{object_id}@{current_app.config['SERVER_NAME_FOR_UIDS']}"


def _address(name: str, email: str, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    if role:
        address.params["ROLE"] = vText(role)
        address.params["PARTSTAT"] = vText("NEEDS-ACTION" if role == "REQ-PARTICIPANT" else "ACCEPTED")
        address.params["RSVP"] = vText("FALSE")
    return address


def _event_key(item: CalendarEvent) -> tuple:
    """Everything a VEVENT is made of: equal keys, equal bytes (the stamp aside, see `_vevent`)."""
    return (item.uid, item.starts_at, item.ends_at, item.summary, item.description, item.location, item.url,
            item.sequence, item.status, item.organizer, tuple(item.attendees), item.stamp)


_VEVENTS = LRU(20_000)  # per process: a poll re-serialises only what changed


def _vevent(item: CalendarEvent, now: datetime) -> bytes:
    key = _event_key(item)
    cached = _VEVENTS.get(key)
    if cached is not None:
        return cached
    event = Event()
    event.add("uid", item.uid)
    # Without a stamp of its own, DTSTAMP is when this VEVENT was first written (RFC 5545 3.8.7.2).
    event.add("dtstamp", as_utc(item.stamp or now).replace(microsecond=0))
    event.add("dtstart", as_utc(item.starts_at).replace(microsecond=0))
    event.add("dtend", as_utc(item.ends_at).replace(microsecond=0))
    event.add("summary", item.summary)
    event.add("sequence", item.sequence)
    event.add("status", item.status)
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    if item.organizer:
        event.add("organizer", _address(*item.organizer))
    for attendee in item.attendees:
        event.add("attendee", _address(*attendee, role="REQ-PARTICIPANT"), encode=0)
    data = b"".join(fold(line) + b"\r\n" for line in event.content_lines() if line)
    _VEVENTS.put(key, data)
    return data


FOLD_AT = 75  # octets per line, the line break excluded (RFC 5545 3.1)


def fold(line: str) -> bytes:
    """A content line folded as icalendar folds it (`Contentline.to_ical`), in a fraction of the time.

    Most lines are short and stay as they are; a long one is cut every 74 octets at a character
    boundary, never just after a backslash or caret (an escape split across lines confuses clients).
    `tests/core/test_calendar_fold.py` checks the two give the same bytes.
    """
    data = line.encode("utf-8")
    if len(data) < FOLD_AT:
        return data
    parts = []
    start = 0
    while len(data) - start >= FOLD_AT:
        end = start + FOLD_AT - 1
        while data[end] & 0xC0 == 0x80:  # inside a character: cut before it
            end -= 1
        if end - start > 1 and data[end - 1] in b"\\^":  # keep an escape with what it escapes
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def build_calendar(events: Iterable[CalendarEvent], method: str | None = None, name: str | None = None) -> bytes:
    """A VCALENDAR with times in UTC; METHOD at calendar level when given (REQUEST, CANCEL, PUBLISH).

    Each VEVENT is written by icalendar once per process and content (`_vevent`), so a feed polled again
    after one change re-serialises that one event, not the thousand around it."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    now = utcnow().replace(microsecond=0)
    head = cal.to_ical()
    closing = b"END:VCALENDAR\r\n"
    assert head.endswith(closing)
    return head[:-len(closing)] + b"".join(_vevent(item, now) for item in events) + closing


def calendar_etag(events: Iterable[CalendarEvent], *parts: str) -> str:
    """A validator for a feed: changes whenever an event or one of `parts` (name, language) changes."""
    digest = hashlib.sha256(PRODID.encode())
    for part in parts:
        digest.update(b"\x00" + part.encode())
    for item in events:
        digest.update(b"\x01" + repr(_event_key(item)).encode())
    return digest.hexdigest()[:32]


def ics_response(data: bytes, filename: str, method: str | None = None):
    content_type = "text/calendar; charset=UTF-8" + (f"; method={method}" if method else "")
    response = current_app.response_class(data, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# Personal feeds ---------------------------------------------------------------------------------
FeedSource = Callable[[object], Iterable[CalendarEvent]]


def register_feed_source(app, source: FeedSource, reads: tuple[str, ...] = ()) -> None:
    """Features add the events of a user (appointments, sessions, meetings) to the personal feed; `reads`
    names the kinds of data they are made of (app/core/cache.py), all of them."""
    app.extensions.setdefault("calendar_feed_sources", []).append((source, tuple(reads)))


def feed_events(user) -> list[CalendarEvent]:
    events: list[CalendarEvent] = []
    for source, _reads in current_app.extensions.get("calendar_feed_sources", []):
        events.extend(e for e in source(user) if e.status != "CANCELLED")
    return sorted(events, key=lambda e: e.starts_at)


def feed_data_tag(user, *parts: str) -> str | None:
    """A cheap validator for a feed: the versions of every kind of data its sources read, the person,
    `parts` (name, language) and the day (a source's window moves with the date); None when a source
    does not say what it reads. Unchanged, nothing the feed is made of changed since."""
    from app.core import cache

    sources = current_app.extensions.get("calendar_feed_sources", [])
    if any(not reads for _source, reads in sources):
        return None
    kinds = tuple(sorted({kind for _source, reads in sources for kind in reads}))
    digest = hashlib.sha256(PRODID.encode())
    for part in (str(user.id), utcnow().date().isoformat(), *parts, *kinds, *cache.versions(kinds)):
        digest.update(b"\x00" + part.encode())
    return digest.hexdigest()[:16]


def _feed_token(user) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"feed:{user.id}:{user.feed_salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def feed_url(user, create: bool = True) -> str | None:
    """The user's secret feed URL; created on first use. The token itself is never stored."""
    if not user.feed_salt:
        if not create:
            return None
        rotate_feed(user)
    return url_for("core.calendar_feed", token=_feed_token(user), _external=True)


def rotate_feed(user) -> None:
    user.feed_salt = secrets.token_hex(16)
    user.feed_token_hash = hash_token(_feed_token(user))


def revoke_feed(user) -> None:
    user.feed_salt = None
    user.feed_token_hash = None


def user_for_feed_token(token: str):
    from app.auth.models import User

    return db.session.scalar(select(User).where(User.feed_token_hash == hash_token(token),
                                                User.is_active_account.is_(True)))
