"""Coaching use cases: availability, free slots, booking, changes, summaries (one rule, written once).

Double booking is impossible by construction: every write that books or moves an appointment first
takes the coach's lock (SQLite: the request's BEGIN IMMEDIATE; PostgreSQL: SELECT … FOR UPDATE on the
coach's profile row), then checks overlaps, and the partial unique index on active appointments per
coach and start stops whatever slips past (turned into 409 `slot_taken`).
"""
from __future__ import annotations

import bisect
import contextlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Text, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import User
from app.coaching.models import MEETING_MODES, Appointment, AvailabilityException, CoachProfile, WeeklyHours
from app.core import audit
from app.core.calendar import CalendarEvent, build_calendar, uid_for
from app.core.errors import Conflict, Invalid, NotAllowed, NotFound
from app.core.home import section_html
from app.core.mail import calendar_attachment, queue_mail
from app.core.reference import TOPICS, spoken_language_codes, topic_name
from app.core.reminders import cancel_reminders, schedule_reminders
from app.core.timeutil import as_utc, is_valid_timezone, local_to_utc, to_zone, utcnow
from app.extensions import db

MAX_RANGE_DAYS = 92
AGENDA_MAX = 4000
SUMMARY_MAX = 10000


class SlotTaken(Conflict):
    """Somebody has just booked this time. Please choose another slot."""

    code = "slot_taken"


class TooLate(Conflict):
    """It is too late to change this appointment."""

    code = "too_late"


class NotBooked(Conflict):
    """This appointment is no longer booked."""

    code = "not_booked"


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


# Availability -----------------------------------------------------------------------------------
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(value) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    match = _HHMM.match(str(value or "").strip())
    if not match:
        raise ValueError(value)
    return time(int(match.group(1)), int(match.group(2)))


def get_profile(coach_id: int) -> CoachProfile | None:
    return db.session.get(CoachProfile, coach_id)


@dataclass(frozen=True)
class Availability:
    """A coach's checked settings and rules (`validate_availability`), ready for `set_availability`.

    `weekly` holds (weekday, start, end) and `exceptions` (day, kind, start, end), sorted; None keeps a setting.
    """

    timezone: str
    slot_minutes: int
    weekly: list[tuple[int, time, time]]
    exceptions: list[tuple[date, str, time | None, time | None]]
    buffer_minutes: int | None = None
    min_notice_hours: int | None = None
    max_per_day: int | None = None
    horizon_days: int | None = None
    cancel_cutoff_hours: int | None = None
    topics: list[str] | None = None
    languages: list[str] | None = None
    meeting_mode: str | None = None
    meeting_url: str | None = None
    meeting_place: str | None = None
    bio: str | None = None
    is_accepting: bool | None = None


def validate_availability(*, timezone: str, slot_minutes: int, weekly: Iterable[dict],
                          buffer_minutes: int | None = None, min_notice_hours: int | None = None,
                          exceptions: Iterable[dict] | None = None, max_per_day: int | None = None,
                          horizon_days: int | None = None, cancel_cutoff_hours: int | None = None,
                          topics: list[str] | None = None, languages: list[str] | None = None,
                          meeting_mode: str | None = None, meeting_url: str | None = None,
                          meeting_place: str | None = None, bio: str | None = None,
                          is_accepting: bool | None = None) -> Availability:
    """Check a coach's settings and rules; Invalid names every field (`weekly.<i>` for a row) that is wrong."""
    fields: dict[str, list[str]] = {}

    def bad(name: str, message) -> None:
        fields.setdefault(name, []).append(str(message))

    if not is_valid_timezone(timezone):
        bad("timezone", _l("Choose a time zone such as Europe/Athens."))
    checks = [("slot_minutes", slot_minutes, 10, 480, False), ("buffer_minutes", buffer_minutes, 0, 240, True),
              ("min_notice_hours", min_notice_hours, 0, 24 * 60, True), ("max_per_day", max_per_day, 1, 50, True),
              ("horizon_days", horizon_days, 1, 730, True), ("cancel_cutoff_hours", cancel_cutoff_hours, 0, 24 * 14,
                                                              True)]
    for name, value, low, high, optional in checks:
        if value is None and optional:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            bad(name, _l("Enter a whole number from %(low)d to %(high)d.", low=low, high=high))
    ranges: list[tuple[int, time, time]] = []
    for index, item in enumerate(weekly or []):
        try:
            weekday = int(item["weekday"])
            start, end = parse_hhmm(item["start"]), parse_hhmm(item["end"])
        except (KeyError, TypeError, ValueError):
            bad(f"weekly.{index}", _l("Give a weekday (0-6) and times as HH:MM."))
            continue
        if not 0 <= weekday <= 6:
            bad(f"weekly.{index}", _l("Weekdays go from 0 (Monday) to 6 (Sunday)."))
        elif start >= end:
            bad(f"weekly.{index}", _l("The end must come after the start."))
        else:
            ranges.append((weekday, start, end))
    days: list[tuple[date, str, time | None, time | None]] = []
    for index, item in enumerate(exceptions or []):
        try:
            day = item["date"] if isinstance(item["date"], date) else date.fromisoformat(str(item["date"]))
            kind = item.get("kind") or "off"
            start = parse_hhmm(item["start"]) if item.get("start") else None
            end = parse_hhmm(item["end"]) if item.get("end") else None
        except (KeyError, TypeError, ValueError):
            bad(f"exceptions.{index}", _l("Give a date as YYYY-MM-DD and times as HH:MM."))
            continue
        if kind not in ("off", "extra"):
            bad(f"exceptions.{index}", _l("An exception is a day off or extra hours."))
        elif (start is None) != (end is None) or (start is None and kind == "extra"):
            bad(f"exceptions.{index}", _l("Extra hours need a start and an end."))
        elif start is not None and start >= end:
            bad(f"exceptions.{index}", _l("The end must come after the start."))
        else:
            days.append((day, kind, start, end))
    if topics is not None and any(t not in TOPICS for t in topics):
        bad("topics", _l("Choose topics from the list."))
    if languages is not None and any(code not in spoken_language_codes() for code in languages):
        bad("languages", _l("Choose languages from the list."))
    if meeting_mode is not None and meeting_mode not in MEETING_MODES:
        bad("meeting_mode", _l("Choose online or a place."))
    if meeting_url and not re.match(r"^https://\S+$", meeting_url.strip()):
        bad("meeting_url", _l("Give a meeting link starting with https://."))
    if fields:
        raise Invalid(_("Please correct the availability."), fields=fields)
    return Availability(timezone=timezone, slot_minutes=slot_minutes, weekly=sorted(set(ranges)),
                        exceptions=sorted(set(days), key=lambda x: (x[0], x[1], x[2] or time(0))),
                        buffer_minutes=buffer_minutes, min_notice_hours=min_notice_hours, max_per_day=max_per_day,
                        horizon_days=horizon_days, cancel_cutoff_hours=cancel_cutoff_hours, topics=topics,
                        languages=languages, meeting_mode=meeting_mode, meeting_url=meeting_url,
                        meeting_place=meeting_place, bio=bio, is_accepting=is_accepting)


def set_availability(coach: User, availability: Availability) -> CoachProfile:
    """Replace a coach's rules (weekly hours and exceptions wholesale) by checked ones; booked appointments stay."""
    if not coach.is_coach:
        raise NotAllowed(_("Only coaches have availability."))
    a = availability
    profile = db.session.get(CoachProfile, coach.id)
    if profile is None:
        profile = CoachProfile(coach_id=coach.id, timezone=a.timezone, slot_minutes=a.slot_minutes,
                               languages=list(coach.languages or []), topics=[])
        db.session.add(profile)
    else:
        _lock_coach(coach.id)
    profile.timezone = a.timezone
    profile.slot_minutes = a.slot_minutes
    for name in ("buffer_minutes", "min_notice_hours", "cancel_cutoff_hours", "topics", "languages",
                 "meeting_mode", "bio", "is_accepting"):
        if (value := getattr(a, name)) is not None:
            setattr(profile, name, value)
    if profile.buffer_minutes is None:
        profile.buffer_minutes = 0
    if profile.min_notice_hours is None:
        profile.min_notice_hours = 24
    if profile.cancel_cutoff_hours is None:
        profile.cancel_cutoff_hours = 4
    profile.max_per_day = a.max_per_day
    profile.horizon_days = a.horizon_days
    if a.meeting_url is not None:
        profile.meeting_url = a.meeting_url.strip()
    if a.meeting_place is not None:
        profile.meeting_place = a.meeting_place.strip()
    profile.weekly = [WeeklyHours(weekday=w, start_time=s, end_time=e) for w, s, e in a.weekly]
    profile.exceptions = [AvailabilityException(day=d, kind=k, start_time=s, end_time=e) for d, k, s, e in a.exceptions]
    db.session.flush()
    return profile


def find_coaches(*, topic: str | None = None, language: str | None = None, country: str | None = None):
    """A query of coach profiles that accept bookings, filtered; small lists are filtered in Python."""
    query = (select(CoachProfile).join(CoachProfile.coach)
             .where(User.is_coach.is_(True), User.is_active_account.is_(True), CoachProfile.is_accepting.is_(True))
             .options(selectinload(CoachProfile.weekly)).order_by(User.name))
    if country:
        query = query.where(User.country == country.upper())
    # topics and languages are small JSON lists: match their quoted codes on both databases.
    if topic:
        query = query.where(type_coerce(CoachProfile.topics, Text).contains(f'"{topic}"'))
    if language:
        query = query.where(type_coerce(CoachProfile.languages, Text).contains(f'"{language}"'))
    return query


# Slots -----------------------------------------------------------------------------------------
def _day_bounds_utc(profile: CoachProfile, first: date, last: date) -> tuple[datetime, datetime]:
    return (local_to_utc(first, time(0), profile.timezone),
            local_to_utc(last + timedelta(days=1), time(0), profile.timezone))


def offered_slots(profile: CoachProfile, first: date, last: date, now: datetime | None = None,
                  exceptions: list[AvailabilityException] | None = None) -> list[Slot]:
    """What the rules offer on the coach's local days first..last, before bookings are subtracted.

    Rules are wall-clock times in the coach's zone, converted day by day, so 09:00 stays 09:00
    when summer time starts or ends. Slots follow each other every slot length + buffer.
    """
    now = now or utcnow()
    length = timedelta(minutes=profile.slot_minutes)
    step = timedelta(minutes=profile.slot_minutes + (profile.buffer_minutes or 0))
    earliest = now + timedelta(hours=profile.min_notice_hours or 0)
    latest = now + timedelta(days=profile.horizon_days) if profile.horizon_days else None
    weekly: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for rule in profile.weekly:
        weekly[rule.weekday].append((rule.start_time, rule.end_time))
    if exceptions is None:
        exceptions = db.session.scalars(select(AvailabilityException).where(
            AvailabilityException.coach_id == profile.coach_id, AvailabilityException.day >= first,
            AvailabilityException.day <= last)).all()
    by_day: dict[date, list[AvailabilityException]] = defaultdict(list)
    for item in exceptions:
        by_day[item.day].append(item)
    slots: dict[datetime, Slot] = {}
    day = first
    while day <= last:
        if latest is not None and local_to_utc(day, time(0), profile.timezone) > latest:
            break
        changes = by_day.get(day, [])
        if any(e.kind == "off" and e.is_whole_day for e in changes):
            day += timedelta(days=1)
            continue
        ranges = weekly.get(day.weekday(), []) + [(e.start_time, e.end_time) for e in changes if e.kind == "extra"]
        offs = [(datetime.combine(day, e.start_time), datetime.combine(day, e.end_time))
                for e in changes if e.kind == "off" and not e.is_whole_day]
        for start, end in ranges:
            wall, wall_end = datetime.combine(day, start), datetime.combine(day, end)
            while wall + length <= wall_end:
                if not any(o_start < wall + length and o_end > wall for o_start, o_end in offs):
                    starts = local_to_utc(day, wall.time(), profile.timezone)
                    if starts >= earliest and (latest is None or starts <= latest):
                        slots.setdefault(starts, Slot(starts, starts + length))
                wall += step
        day += timedelta(days=1)
    return sorted(slots.values())


def _active_between(coach_id: int, start: datetime, end: datetime, exclude_id: int | None = None):
    query = select(Appointment.id, Appointment.starts_at, Appointment.ends_at).where(
        Appointment.coach_id == coach_id, Appointment.status != "cancelled",
        Appointment.starts_at < end, Appointment.ends_at > start)
    if exclude_id is not None:
        query = query.where(Appointment.id != exclude_id)
    return db.session.execute(query.order_by(Appointment.starts_at)).all()


def free_slots(profile: CoachProfile, first: date, last: date, now: datetime | None = None) -> list[Slot]:
    """Offered slots minus active appointments (and their buffers) and days at their maximum."""
    if (last - first).days > MAX_RANGE_DAYS:
        message = ngettext("Ask for at most %(num)d day at once.", "Ask for at most %(num)d days at once.",
                           MAX_RANGE_DAYS)
        raise Invalid(message, fields={"to": [message]})
    if not profile.is_accepting:
        return []
    offered = offered_slots(profile, first, last, now)
    if not offered:
        return []
    buffer = timedelta(minutes=profile.buffer_minutes or 0)
    start, end = _day_bounds_utc(profile, first, last)
    booked = _active_between(profile.coach_id, start - buffer - timedelta(days=1), end + buffer)
    if not booked:
        return offered
    starts = [row.starts_at for row in booked]
    full_days: set[date] = set()
    if profile.max_per_day:
        per_day: dict[date, int] = defaultdict(int)
        for row in booked:
            per_day[to_zone(row.starts_at, profile.timezone).date()] += 1
        full_days = {d for d, n in per_day.items() if n >= profile.max_per_day}
    longest = max((row.ends_at - row.starts_at for row in booked), default=timedelta(0))
    result = []
    for slot in offered:
        if full_days and to_zone(slot.starts_at, profile.timezone).date() in full_days:
            continue
        # Appointments that may overlap start before slot end + buffer and after slot start - longest - buffer.
        low = bisect.bisect_left(starts, slot.starts_at - longest - buffer)
        high = bisect.bisect_left(starts, slot.ends_at + buffer)
        if any(booked[i].ends_at + buffer > slot.starts_at for i in range(low, high)):
            continue
        result.append(slot)
    return result


def _offered_slot(profile: CoachProfile, starts_at: datetime, now: datetime) -> Slot:
    """The slot starting at `starts_at`, or 422: in the past, or not offered by the coach's rules."""
    starts_at = as_utc(starts_at)
    if starts_at <= now:
        raise Invalid(_("This time has passed."), fields={"starts_at": [_("This time has passed.")]})
    day = to_zone(starts_at, profile.timezone).date()
    for slot in offered_slots(profile, day, day, now):
        if slot.starts_at == starts_at:
            return slot
    message = _("The coach does not offer this time. Choose one of the free slots.")
    raise Invalid(message, fields={"starts_at": [message]})


def _lock_coach(coach_id: int, participant_id: int | None = None) -> None:
    """Serialise bookings of one coach (and of one participant). PostgreSQL: row locks, always the coach's
    profile first, then the participant's account; SQLite: the write transaction already is the lock."""
    db.session.execute(select(CoachProfile.coach_id).where(CoachProfile.coach_id == coach_id).with_for_update())
    if participant_id is not None:
        db.session.execute(select(User.id).where(User.id == participant_id).with_for_update())


def _check_free(profile: CoachProfile, slot: Slot, participant_id: int, exclude_id: int | None = None) -> None:
    buffer = timedelta(minutes=profile.buffer_minutes or 0)
    if _active_between(profile.coach_id, slot.starts_at - buffer, slot.ends_at + buffer, exclude_id):
        raise SlotTaken(_("Somebody has just booked this time. Please choose another slot."))
    if profile.max_per_day:
        day = to_zone(slot.starts_at, profile.timezone).date()
        first, last = _day_bounds_utc(profile, day, day)
        if len(_active_between(profile.coach_id, first, last, exclude_id)) >= profile.max_per_day:
            raise SlotTaken(_("This coach is fully booked on that day. Please choose another day."))
    mine = select(Appointment.id).where(
        Appointment.participant_id == participant_id, Appointment.status == "booked",
        Appointment.starts_at < slot.ends_at, Appointment.ends_at > slot.starts_at)
    if exclude_id is not None:
        mine = mine.where(Appointment.id != exclude_id)
    if db.session.scalar(mine.limit(1)) is not None:
        raise Conflict(_("You already have an appointment at that time."), code="participant_busy")


def _flush_or_taken() -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise SlotTaken(_("Somebody has just booked this time. Please choose another slot.")) from None


def _active_profile(coach_id: int) -> CoachProfile:
    profile = db.session.get(CoachProfile, coach_id, options=[selectinload(CoachProfile.weekly)])
    if profile is None or not profile.coach.is_coach or not profile.coach.is_active_account:
        raise NotFound(_("This coach does not take bookings."))
    return profile


# Appointments ----------------------------------------------------------------------------------
def book_appointment(participant: User, *, coach_id: int, starts_at: datetime, topic: str | None = None,
                     agenda: str = "", now: datetime | None = None) -> Appointment:
    now = now or utcnow()
    profile = _active_profile(coach_id)
    if not profile.is_accepting:
        raise Conflict(_("This coach does not take new bookings at the moment."), code="not_accepting")
    if participant.id == coach_id:
        raise Invalid(_("You cannot book yourself."), fields={"coach_id": [_("You cannot book yourself.")]})
    topic = topic or None
    if topic is not None and topic not in TOPICS:
        raise Invalid(_("Choose a topic from the list."), fields={"topic": [_("Choose a topic from the list.")]})
    agenda = (agenda or "").strip()
    if len(agenda) > AGENDA_MAX:
        message = ngettext("Use at most %(num)d character.", "Use at most %(num)d characters.", AGENDA_MAX)
        raise Invalid(message, fields={"agenda": [message]})
    slot = _offered_slot(profile, starts_at, now)
    _lock_coach(coach_id, participant.id)
    _check_free(profile, slot, participant.id)
    appointment = Appointment(coach_id=coach_id, participant_id=participant.id, starts_at=slot.starts_at,
                              ends_at=slot.ends_at, status="booked", sequence=0, topic=topic, agenda=agenda,
                              meeting_mode=profile.meeting_mode, location=profile.location_text,
                              created_at=now, updated_at=now)
    db.session.add(appointment)
    _flush_or_taken()
    schedule_reminders("appointment", appointment.id, [coach_id, participant.id], appointment.starts_at, now=now)
    audit.record("coaching.book", participant, target=f"appointment:{appointment.id}", detail=f"user:{coach_id}")
    _notify(appointment, "booked")
    return appointment


def _refresh_for_change(appointment: Appointment, user: User, now: datetime,
                        erasing: bool = False) -> CoachProfile | None:
    """Take the coach's lock, re-read the appointment, and check it may still change.

    `erasing`: one side's account is being deleted; its future appointments go whatever the cut-off.
    """
    _lock_coach(appointment.coach_id, appointment.participant_id)
    db.session.refresh(appointment)
    if erasing:
        if not appointment.is_party(user):
            raise NotFound()
        if not appointment.is_booked:
            raise NotBooked(_("This appointment is no longer booked."))
        return None
    profile = _active_profile(appointment.coach_id)
    if not appointment.can_see(user):
        raise NotFound()
    if not appointment.is_booked:
        raise NotBooked(_("This appointment is no longer booked."))
    if not appointment.can_change(user, profile.cancel_cutoff_hours, now):
        raise TooLate(ngettext("Appointments can be changed until %(num)d hour before they start.",
                               "Appointments can be changed until %(num)d hours before they start.",
                               profile.cancel_cutoff_hours))
    return profile


def cancel_appointment(user: User, appointment: Appointment, *, reason: str = "",
                       now: datetime | None = None, erasing: bool = False) -> Appointment:
    """Either side cancels until the cut-off; the slot is free again at once."""
    now = now or utcnow()
    _refresh_for_change(appointment, user, now, erasing=erasing)
    done = db.session.execute(
        update(Appointment).where(Appointment.id == appointment.id, Appointment.status == "booked")
        .values(status="cancelled", sequence=Appointment.sequence + 1, cancelled_at=now, updated_at=now,
                cancelled_by_id=user.id, cancel_reason=(reason or "").strip()[:AGENDA_MAX]))
    if done.rowcount != 1:
        raise NotBooked(_("This appointment is no longer booked."))
    db.session.refresh(appointment)
    cancel_reminders("appointment", appointment.id)
    audit.record("coaching.cancel", user, target=f"appointment:{appointment.id}")
    _notify(appointment, "cancelled", actor=user)
    return appointment


def reschedule_appointment(user: User, appointment: Appointment, *, starts_at: datetime,
                           now: datetime | None = None) -> Appointment:
    """Move to another free slot of the same coach: same UID, SEQUENCE + 1, new invitations."""
    now = now or utcnow()
    profile = _refresh_for_change(appointment, user, now)
    if as_utc(starts_at) == appointment.starts_at:
        message = _("Choose a different time.")
        raise Invalid(message, fields={"starts_at": [message]})
    slot = _offered_slot(profile, starts_at, now)
    _check_free(profile, slot, appointment.participant_id, exclude_id=appointment.id)
    appointment.starts_at, appointment.ends_at = slot.starts_at, slot.ends_at
    appointment.sequence += 1
    appointment.updated_at = now
    _flush_or_taken()
    cancel_reminders("appointment", appointment.id)
    schedule_reminders("appointment", appointment.id, [appointment.coach_id, appointment.participant_id],
                       appointment.starts_at, now=now)
    audit.record("coaching.reschedule", user, target=f"appointment:{appointment.id}")
    _notify(appointment, "rescheduled", actor=user)
    return appointment


def record_summary(user: User, appointment: Appointment, *, summary: str, action_points: str = "",
                   now: datetime | None = None) -> Appointment:
    """The coach's shared notes after the appointment; the participant is told."""
    now = now or utcnow()
    if not appointment.can_record_summary(user, now):
        raise NotAllowed(_("Only the coach records a summary, once the appointment has started."))
    summary, action_points = (summary or "").strip(), (action_points or "").strip()
    if not summary or len(summary) > SUMMARY_MAX or len(action_points) > SUMMARY_MAX:
        message = ngettext("Write a summary of at most %(num)d character.", "Write a summary of at most %(num)d characters.", SUMMARY_MAX)
        raise Invalid(message, fields={"summary": [message]})
    first_time = appointment.summary_at is None
    appointment.summary, appointment.action_points, appointment.summary_at = summary, action_points, now
    if first_time:
        queue_mail(appointment.participant, "coaching", "coaching/mail/summary",
                   subject=_l("Summary of your coaching with %(name)s", name=appointment.coach.name),
                   context={"appointment": appointment, "link": _link(appointment)},
                   dedupe_key=f"appointment:{appointment.id}:summary:{appointment.participant_id}")
    return appointment


def mark_no_show(user: User, appointment: Appointment, *, no_show: bool = True,
                 now: datetime | None = None) -> Appointment:
    now = now or utcnow()
    if not appointment.can_manage(user):
        raise NotAllowed(_("Only the coach marks a no-show."))
    if appointment.status == "cancelled" or appointment.starts_at > now:
        raise Conflict(_("Only an appointment that has started can be marked as a no-show."), code="wrong_state")
    appointment.status = "no_show" if no_show else "booked"
    appointment.updated_at = now
    return appointment


def appointments_of(user: User, *, when: str | None = None, status: str | None = None,
                    role: str | None = None, now: datetime | None = None):
    """A query of the user's appointments (as participant or coach), upcoming first or latest first."""
    now = now or utcnow()
    query = select(Appointment).options(joinedload(Appointment.coach), joinedload(Appointment.participant))
    if role == "coach":
        query = query.where(Appointment.coach_id == user.id)
    elif role == "participant":
        query = query.where(Appointment.participant_id == user.id)
    else:
        query = query.where((Appointment.coach_id == user.id) | (Appointment.participant_id == user.id))
    if status:
        query = query.where(Appointment.status == status)
    if when == "upcoming":
        return query.where(Appointment.ends_at > now).order_by(Appointment.starts_at, Appointment.id)
    if when == "past":
        query = query.where(Appointment.ends_at <= now)
    return query.order_by(Appointment.starts_at.desc(), Appointment.id.desc())


# Calendars and mail -----------------------------------------------------------------------------
def _link(appointment: Appointment) -> str:
    try:
        return url_for("coaching.appointment", appointment_id=appointment.id, _external=True)
    except RuntimeError:  # no request and no SERVER_NAME (scheduler): mails still go out without a link
        return ""


def _event_texts() -> dict[str, str]:
    """The event's phrases in the current locale, looked up once per calendar (a feed has many events)."""
    return {"summary": _("Coaching: %(coach)s and %(participant)s"), "topic": _("Topic: %(topic)s"),
            "agenda": _("Agenda: %(agenda)s"), "online": _("Join online: %(url)s"),
            "manage": _("Reschedule or cancel: %(url)s")}


def appointment_event(appointment: Appointment, link: str | None = None, texts: dict[str, str] | None = None,
                      topics: dict[str, str] | None = None) -> CalendarEvent:
    """The appointment as a calendar event, in the current locale; times stay UTC."""
    texts = texts or _event_texts()
    topic = ""
    if appointment.topic:
        topics = {} if topics is None else topics
        if appointment.topic not in topics:
            topics[appointment.topic] = topic_name(appointment.topic)
        topic = topics[appointment.topic]
    summary = texts["summary"] % {"coach": appointment.coach.name, "participant": appointment.participant.name}
    if topic:
        summary += f" ({topic})"
    parts = []
    if topic:
        parts.append(texts["topic"] % {"topic": topic})
    if appointment.agenda:
        parts.append(texts["agenda"] % {"agenda": appointment.agenda})
    if appointment.meeting_mode == "online" and appointment.location:
        parts.append(texts["online"] % {"url": appointment.location})
    link = _link(appointment) if link is None else link
    if link:
        parts.append(texts["manage"] % {"url": link})
    status = {"cancelled": "CANCELLED"}.get(appointment.status, "CONFIRMED")
    return CalendarEvent(
        uid=uid_for("appointment", appointment.id), starts_at=appointment.starts_at, ends_at=appointment.ends_at,
        summary=summary, description="\n\n".join(parts),
        location=appointment.location, url=link or "", sequence=appointment.sequence, status=status,
        organizer=(appointment.coach.name, appointment.coach.email),
        attendees=[(appointment.participant.name, appointment.participant.email)],
        stamp=appointment.updated_at)


def invitation_method(appointment: Appointment) -> str:
    return "CANCEL" if appointment.is_cancelled else "REQUEST"


def appointment_ics(appointment: Appointment) -> tuple[bytes, str]:
    """The iTIP invitation: REQUEST while booked, CANCEL once cancelled; one UID, rising SEQUENCE."""
    method = invitation_method(appointment)
    return build_calendar([appointment_event(appointment)], method=method), method


MAIL_SUBJECTS = {
    "booked": _l("Coaching booked: %(when)s"),
    "rescheduled": _l("Coaching moved to %(when)s"),
    "cancelled": _l("Coaching cancelled: %(when)s"),
}


def _notify(appointment: Appointment, what: str, actor: User | None = None) -> None:
    """Both sides get the mail in their own language, with the invitation as text/calendar; method=…"""
    link = _link(appointment)
    for recipient, other in ((appointment.participant, appointment.coach),
                             (appointment.coach, appointment.participant)):
        language = recipient.language or current_app.config["BABEL_DEFAULT_LOCALE"]
        from app.core.i18n import Phrase, in_language

        with in_language(language):
            ics = build_calendar([appointment_event(appointment, link)], method=invitation_method(appointment))
        queue_mail(recipient, "cancellation" if what == "cancelled" else "coaching", f"coaching/mail/{what}",
                   subject=Phrase.of(MAIL_SUBJECTS[what], when=appointment.starts_at), url=link,
                   context={"appointment": appointment, "other": other, "actor": actor, "link": link,
                            "is_coach": recipient.id == appointment.coach_id},
                   attachments=[calendar_attachment(ics, invitation_method(appointment),
                                                    filename=f"coaching-{appointment.id}.ics")],
                   dedupe_key=f"appointment:{appointment.id}:{appointment.sequence}:{what}:{recipient.id}")


def render_reminder(reminder) -> None:
    """Queue the reminder mail, unless the appointment was cancelled or moved since."""
    appointment = db.session.get(Appointment, reminder.object_id)
    if appointment is None or not appointment.is_booked or appointment.starts_at != as_utc(reminder.starts_at):
        return
    recipient = db.session.get(User, reminder.user_id)
    if recipient is None or not appointment.is_party(recipient):
        return
    other = appointment.participant if recipient.id == appointment.coach_id else appointment.coach
    from app.core.i18n import Phrase

    queue_mail(recipient, "reminder", "coaching/mail/reminder",
               subject=Phrase("Reminder: coaching on %(when)s", when=appointment.starts_at), url=_link(appointment),
               context={"appointment": appointment, "other": other, "link": _link(appointment)},
               dedupe_key=f"reminder:{reminder.id}")


def feed_source(user) -> list[CalendarEvent]:
    """The user's appointments for the personal feed (cancelled ones are left out)."""
    rows = db.session.scalars(
        select(Appointment).where((Appointment.coach_id == user.id) | (Appointment.participant_id == user.id),
                                  Appointment.status != "cancelled")
        .options(joinedload(Appointment.coach), joinedload(Appointment.participant))
        .order_by(Appointment.starts_at)).all()
    link_base = None
    with contextlib.suppress(RuntimeError):
        link_base = url_for("coaching.appointment", appointment_id=0, _external=True).rsplit("/", 1)[0]
    texts, topics = _event_texts(), {}
    return [appointment_event(a, f"{link_base}/{a.id}" if link_base else "", texts, topics) for a in rows]


def coaching_indicators(now: datetime | None = None) -> tuple[dict, dict]:
    """coaching_hours: appointments that took place (booked, ended, not no-show), by participant's country."""
    now = now or utcnow()
    rows = db.session.execute(
        select(User.country, Appointment.starts_at, Appointment.ends_at)
        .join(User, User.id == Appointment.participant_id)
        .where(Appointment.status == "booked", Appointment.ends_at <= now)).all()
    total = 0.0
    by_country: dict[str, float] = defaultdict(float)
    for country, starts, ends in rows:
        hours = (ends - starts).total_seconds() / 3600
        total += hours
        by_country[country] += hours
    return ({"coaching_hours": round(total, 1)},
            {c: {"coaching_hours": round(h, 1)} for c, h in sorted(by_country.items())})


def dashboard_section(user):
    """The coordinator dashboard's coaching part: the next three appointments."""
    from flask import render_template

    upcoming = db.session.scalars(appointments_of(user, when="upcoming", status="booked").limit(3)).all()
    return render_template("coaching/_dashboard.html", upcoming=upcoming, user=user)


HOME_WEEK_LIMIT = 12  # a coach's busiest week on the home page; the rest is one click away


def home_section(user):
    """The personal home's coaching part (app/core/home.py): the next appointments (for coaches, today's
    and this week's), with a Join link when online and starting within 30 minutes, and for coaches the
    held appointments of the last 30 days still waiting for a summary or a no-show; two queries."""
    from flask import render_template

    from app.core.i18n import viewer_timezone
    from app.core.timeutil import local_to_utc, to_zone

    now = utcnow()
    upcoming = appointments_of(user, when="upcoming", status="booked", now=now)
    tomorrow = None
    if user.is_coach:  # a coach plans by the day: all of today's, then the rest of the coming seven days
        tz = viewer_timezone()
        today = to_zone(now, tz).date()
        tomorrow = local_to_utc(today + timedelta(days=1), time(0), tz)
        week_end = local_to_utc(today + timedelta(days=7), time(0), tz)
        upcoming = upcoming.where(Appointment.starts_at < week_end).limit(HOME_WEEK_LIMIT)
    else:
        upcoming = upcoming.limit(4)
    upcoming = db.session.scalars(upcoming).all()
    follow_up = db.session.scalars(
        appointments_of(user, when="past", status="booked", role="coach", now=now)
        .where(Appointment.summary_at.is_(None), Appointment.ends_at > now - timedelta(days=30)).limit(5)).all()
    today_list = [a for a in upcoming if tomorrow and a.starts_at < tomorrow]
    return section_html(render_template("coaching/_home.html", upcoming=upcoming, follow_up=follow_up, now=now,
                                        user=user, today=today_list,
                                        week=upcoming[len(today_list):] if tomorrow else []),
                        empty=not (upcoming or follow_up))


def audit_appointments(ids, viewer) -> dict:
    """Each appointment as "a coaching appointment on <date>" for the audit log, linked where visible."""
    from app.core.i18n import format_day

    rows = db.session.scalars(select(Appointment).where(Appointment.id.in_(ids))).all()
    return {a.id: (_("the coaching appointment of %(day)s", day=format_day(a.starts_at)),
                   url_for("coaching.appointment", appointment_id=a.id) if a.can_see(viewer) else None)
            for a in rows}
