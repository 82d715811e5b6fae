"""Training use cases, shared by the HTML views, the API, the scheduler and the demo loader.

Every change to the seats or the waitlist of a session happens under that session's row lock
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite write transactions begin with `BEGIN IMMEDIATE`), and
seats are taken with a conditional `UPDATE … WHERE enrolled_count < capacity`, checked by the
database's own `enrolled_count <= capacity` constraint. So concurrent enrolments and departures never
overfill a session and keep waitlist positions 1..n.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import User
from app.core import audit
from app.core.calendar import CalendarEvent, build_calendar, uid_for
from app.core.errors import Conflict, Invalid, NotAllowed, NotFound
from app.core.mail import calendar_attachment, queue_mail
from app.core.reference import TOPICS, is_country
from app.core.reminders import cancel_reminders, schedule_reminders
from app.core.sizes import format_size
from app.core.timeutil import as_utc, is_valid_timezone, utcnow
from app.courses.models import (
    ACTIVE_STATUSES,
    FORMATS,
    LEVELS,
    MODULE_STATUSES,
    Certificate,
    Enrolment,
    Feedback,
    Material,
    Module,
    TrainingSession,
)
from app.extensions import db

log = logging.getLogger("app.courses")


# Domain errors ------------------------------------------------------------------------------------
class AlreadyEnrolled(Conflict):
    """You are already enrolled in this session (or waiting for it)."""

    code = "already_enrolled"


class SessionFull(Conflict):
    """This session is full."""

    code = "session_full"


class EnrolmentClosed(Conflict):
    """Enrolment for this session is not open."""

    code = "enrolment_closed"


class WrongState(Conflict):
    """This is not possible in the current state."""

    code = "wrong_state"


# Modules ------------------------------------------------------------------------------------------
MODULE_FIELDS = ("title", "summary", "description", "objectives", "topics", "language", "level", "format",
                 "status", "materials_restricted", "required_sessions")


def _module_problems(values: dict) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if "title" in values:
        title = (values["title"] or "").strip()
        if not title or len(title) > 200:
            fields["title"] = [str(_l("Enter a title of at most 200 characters."))]
    if "summary" in values and len(values["summary"] or "") > 500:
        fields["summary"] = [str(_l("Keep the summary under 500 characters."))]
    if "topics" in values:
        unknown = [t for t in values["topics"] or [] if t not in TOPICS]
        if unknown:
            fields["topics"] = [str(_l("Unknown topics: %(codes)s.", codes=", ".join(unknown)))]
    if "language" in values:
        language = values["language"] or ""
        if not (2 <= len(language) <= 8 and language.replace("-", "").isalpha()):
            fields["language"] = [str(_l("Choose a language (ISO 639-1 code)."))]
    if "level" in values and values["level"] not in LEVELS:
        fields["level"] = [str(_l("Choose beginner, intermediate or advanced."))]
    if "format" in values and values["format"] not in FORMATS:
        fields["format"] = [str(_l("Choose in person, online or blended."))]
    if "status" in values and values["status"] not in MODULE_STATUSES:
        fields["status"] = [str(_l("Choose draft, published or archived."))]
    if "required_sessions" in values and (values["required_sessions"] or 0) < 1:
        fields["required_sessions"] = [str(_l("At least one session."))]
    return fields


def _trainers(ids) -> list[User]:
    ids = list(dict.fromkeys(int(i) for i in ids or []))
    users = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    if len(users) != len(ids) or any(not u.is_trainer for u in users):
        raise Invalid(str(_l("Trainers must be trainer or administrator accounts.")),
                      fields={"trainer_ids": [str(_l("Choose trainers among the trainer accounts."))]})
    return list(users)


def _prerequisites(ids, module: Module | None = None) -> list[Module]:
    ids = [int(i) for i in dict.fromkeys(ids or []) if not module or int(i) != module.id]
    modules = db.session.scalars(select(Module).where(Module.id.in_(ids))).all() if ids else []
    if len(modules) != len(ids):
        raise Invalid(str(_l("Unknown prerequisite module.")),
                      fields={"prerequisite_ids": [str(_l("Choose existing modules."))]})
    return list(modules)


def create_module(actor: User, *, title: str, trainer_ids=None, prerequisite_ids=(), **values) -> Module:
    """Trainers and admins create modules; the creator trains it unless other trainers are named."""
    if not actor.is_trainer:
        raise NotAllowed(str(_l("Only trainers and administrators create training modules.")))
    values = {k: v for k, v in values.items() if k in MODULE_FIELDS and v is not None}
    values["title"] = title
    if problems := _module_problems(values):
        raise Invalid(fields=problems)
    values["title"] = values["title"].strip()
    module = Module(created_by_id=actor.id, **values)
    module.trainers = _trainers(trainer_ids) if trainer_ids else [actor]
    module.prerequisites = _prerequisites(prerequisite_ids)
    db.session.add(module)
    db.session.flush()
    audit.record("course.module.create", actor, target=f"module:{module.id}")
    return module


def update_module(actor: User, module: Module, *, trainer_ids=None, prerequisite_ids=None, **values) -> Module:
    if not module.can_edit(actor):
        raise NotAllowed(str(_l("Only the module's trainers and administrators change it.")))
    values = {k: v for k, v in values.items() if k in MODULE_FIELDS and v is not None}
    if problems := _module_problems(values):
        raise Invalid(fields=problems)
    if "title" in values:
        values["title"] = values["title"].strip()
    for key, value in values.items():
        setattr(module, key, value)
    if trainer_ids is not None:
        module.trainers = _trainers(trainer_ids)
        if not module.trainers:
            raise Invalid(fields={"trainer_ids": [str(_l("A module needs at least one trainer."))]})
    if prerequisite_ids is not None:
        module.prerequisites = _prerequisites(prerequisite_ids, module)
    db.session.flush()
    audit.record("course.module.update", actor, target=f"module:{module.id}")
    return module


def max_material_bytes() -> int:
    """UPLOAD_MAX_BYTES: the largest material file."""
    return int(current_app.config["UPLOAD_MAX_BYTES"])
MATERIAL_TYPES = {  # extension -> content type we serve it with (always as an attachment)
    "pdf": "application/pdf", "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation", "csv": "text/csv", "txt": "text/plain",
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "zip": "application/zip",
}


def add_material(actor: User, module: Module, *, title: str, url: str = "", filename: str = "",
                 data: bytes | None = None) -> Material:
    """A link (http/https) or a file of an allowed type, at most 10 MB."""
    if not module.can_edit(actor):
        raise NotAllowed()
    title = (title or "").strip()[:200]
    if data is not None and filename:
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if extension not in MATERIAL_TYPES:
            raise Invalid(fields={"file": [str(_l("Allowed types: %(types)s.",
                                                  types=", ".join(sorted(MATERIAL_TYPES))))]})
        if len(data) > max_material_bytes():
            raise Invalid(fields={"file": [str(_l("Files are at most %(size)s.",
                                                  size=format_size(max_material_bytes())))]})
        if not data:
            raise Invalid(fields={"file": [str(_l("The file is empty."))]})
        safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in filename.rsplit("/", 1)[-1])[-150:]
        material = Material(module=module, title=title or safe_name, kind="file", filename=safe_name,
                            content_type=MATERIAL_TYPES[extension], size=len(data), data=data)
    elif url:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Invalid(fields={"url": [str(_l("Enter a web address starting with https://."))]})
        material = Material(module=module, title=title or parts.netloc, kind="link", url=url.strip())
    else:
        raise Invalid(fields={"file": [str(_l("Upload a file or enter a link."))]})
    db.session.add(material)
    db.session.flush()
    return material


def delete_material(actor: User, material: Material) -> None:
    if not material.module.can_edit(actor):
        raise NotAllowed()
    db.session.delete(material)


# Sessions -----------------------------------------------------------------------------------------
SESSION_FIELDS = ("starts_at", "ends_at", "timezone", "capacity", "location", "country", "online_url",
                  "requires_approval", "enrol_opens_at", "enrol_closes_at", "unenrol_deadline")


def _session_problems(values: dict) -> dict[str, list[str]]:
    """Every problem at once, keyed by field, for the API's 422 and the form's messages."""
    fields: dict[str, list[str]] = {}
    for name in ("starts_at", "ends_at"):
        if not isinstance(values.get(name), datetime):
            fields[name] = [str(_l("Enter a date and time."))]
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if isinstance(starts, datetime) and isinstance(ends, datetime) and as_utc(ends) <= as_utc(starts):
        fields["ends_at"] = [str(_l("The end must be after the start."))]
    if not is_valid_timezone(values.get("timezone")):
        fields["timezone"] = [str(_l("Choose a known time zone, e.g. Europe/Athens."))]
    capacity = values.get("capacity")
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1 or capacity > 10_000:
        fields["capacity"] = [str(_l("Enter a number of seats from 1 to 10000."))]
    country = values.get("country")
    if country and not is_country(country):
        fields["country"] = [str(_l("Choose a country (ISO 3166-1 code)."))]
    online_url = values.get("online_url") or ""
    if online_url:
        parts = urlsplit(online_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            fields["online_url"] = [str(_l("Enter a web address starting with https://."))]
    if not (values.get("location") or "").strip() and not online_url:
        fields["location"] = [str(_l("Give a place, an online link, or both."))]
    opens, closes = values.get("enrol_opens_at"), values.get("enrol_closes_at")
    if opens and closes and as_utc(closes) <= as_utc(opens):
        fields["enrol_closes_at"] = [str(_l("Enrolment must close after it opens."))]
    if closes and isinstance(ends, datetime) and as_utc(closes) > as_utc(ends):
        fields["enrol_closes_at"] = [str(_l("Enrolment closes at the end of the session at the latest."))]
    deadline = values.get("unenrol_deadline")
    if deadline and isinstance(ends, datetime) and as_utc(deadline) > as_utc(ends):
        fields["unenrol_deadline"] = [str(_l("The deadline to leave is before the end of the session."))]
    return fields


def _clean_session_values(values: dict) -> dict:
    out = {k: values[k] for k in SESSION_FIELDS if k in values}
    for key in ("location", "online_url"):
        if key in out:
            out[key] = (out[key] or "").strip()
    if out.get("country"):
        out["country"] = out["country"].strip().upper()
    elif "country" in out:
        out["country"] = None
    for key in ("starts_at", "ends_at", "enrol_opens_at", "enrol_closes_at", "unenrol_deadline"):
        if isinstance(out.get(key), datetime):
            out[key] = as_utc(out[key])
    return out


def add_session(actor: User, module: Module, **values) -> TrainingSession:
    """A dated session of the module; past dates are allowed, to record a training already held."""
    if not module.can_edit(actor):
        raise NotAllowed(str(_l("Only the module's trainers and administrators add sessions.")))
    values = _clean_session_values(values)
    if problems := _session_problems(values):
        raise Invalid(fields=problems)
    session = TrainingSession(module=module, enrolled_count=0, waitlist_count=0, status="scheduled", **values)
    db.session.add(session)
    db.session.flush()
    audit.record("course.session.create", actor, target=f"session:{session.id}")
    return session


def update_session(actor: User, session: TrainingSession, **values) -> TrainingSession:
    """Change a session; people enrolled get the updated invitation when time or place change."""
    if not session.can_manage(actor):
        raise NotAllowed()
    session = lock_session(session.id)
    if session.is_cancelled:
        raise WrongState(str(_l("This session is cancelled.")))
    changes = _clean_session_values(values)
    _refuse_moving_held(session, changes)
    merged = {k: getattr(session, k) for k in SESSION_FIELDS} | changes
    if problems := _session_problems(merged):
        raise Invalid(fields=problems)
    if merged["capacity"] < session.enrolled_count:
        raise Invalid(fields={"capacity": [str(lazy_ngettext(
            "%(num)d person holds a seat: remove people first or keep at least that many seats.",
            "%(num)d people hold a seat: remove people first or keep at least that many seats.",
            session.enrolled_count))]})
    moved = any(k in changes and changes[k] != getattr(session, k)
                for k in ("starts_at", "ends_at", "location", "online_url"))
    for key, value in changes.items():
        setattr(session, key, value)
    db.session.flush()
    if moved:
        session.sequence += 1
        for enrolment in _active(session, "enrolled"):
            cancel_reminders("session", session.id, enrolment.user_id)
            schedule_reminders("session", session.id, [enrolment.user_id], session.starts_at)
            _mail(enrolment, "session_changed", _l("Changed: %(title)s", title=session.module.title),
                  method="REQUEST")
    _promote_waitlisted(session)
    audit.record("course.session.update", actor, target=f"session:{session.id}")
    return session


def _refuse_moving_held(session: TrainingSession, changes: dict, now: datetime | None = None) -> None:
    """A held session keeps its enrolment window and never moves to a future date (the model's rules)."""
    fields: dict[str, list[str]] = {}
    starts = changes.get("starts_at")
    if isinstance(starts, datetime) and not session.can_move_to(starts, now):
        fields["starts_at"] = [str(_l("This session has been held: it cannot move to a future date."))]
    if not session.can_change_enrolment_window(now):
        for key in ("enrol_opens_at", "enrol_closes_at", "unenrol_deadline"):
            if key in changes and changes[key] != (as_utc(getattr(session, key)) if getattr(session, key) else None):
                fields[key] = [str(_l("This session has been held: its enrolment dates no longer change."))]
    if fields:
        raise Invalid(str(_l("This session has been held.")), fields=fields)


def duplicate_session(actor: User, session: TrainingSession, *, starts_at: datetime | None = None) -> TrainingSession:
    """A copy of the session (one week later unless told), with its windows moved alike."""
    if not session.can_manage(actor):
        raise NotAllowed()
    shift = (as_utc(starts_at) - as_utc(session.starts_at)) if starts_at else timedelta(days=7)

    def moved(value):
        return as_utc(value) + shift if value else None

    return add_session(actor, session.module, starts_at=moved(session.starts_at), ends_at=moved(session.ends_at),
                       timezone=session.timezone, capacity=session.capacity, location=session.location,
                       country=session.country, online_url=session.online_url,
                       requires_approval=session.requires_approval, enrol_opens_at=moved(session.enrol_opens_at),
                       enrol_closes_at=moved(session.enrol_closes_at),
                       unenrol_deadline=moved(session.unenrol_deadline))


def cancel_session(actor: User, session: TrainingSession, *, reason: str = "") -> TrainingSession:
    """Cancel: everyone still in is told, with a METHOD:CANCEL invitation; reminders are dropped."""
    if not session.can_manage(actor):
        raise NotAllowed()
    session = lock_session(session.id)
    if session.is_cancelled:
        raise WrongState(str(_l("This session is cancelled already.")))
    if not session.can_cancel():
        raise WrongState(str(_l("This session has been held: it stays on record and cannot be cancelled.")),
                         code="session_held")
    session.status = "cancelled"
    session.cancelled_at = utcnow()
    session.sequence += 1
    for enrolment in _active(session):
        was_enrolled = enrolment.status == "enrolled"
        _mail(enrolment, "session_cancelled", _l("Cancelled: %(title)s", title=session.module.title),
              method="CANCEL" if was_enrolled else None, kind="cancellation", context={"reason": reason})
    cancel_reminders("session", session.id)
    db.session.flush()
    audit.record("course.session.cancel", actor, target=f"session:{session.id}", detail=reason[:500])
    return session


# Locks and counters -------------------------------------------------------------------------------
def lock_session(session_id: int) -> TrainingSession:
    """The session row, locked for the rest of the transaction (and fresh from the database)."""
    session = db.session.scalar(select(TrainingSession).where(TrainingSession.id == session_id)
                                .with_for_update().execution_options(populate_existing=True))
    if session is None:
        raise NotFound()
    return session


def _take_seat(session: TrainingSession) -> bool:
    """A seat, if one is left: the conditional UPDATE decides (rowcount 1 = a seat)."""
    count = db.session.execute(
        update(TrainingSession).where(TrainingSession.id == session.id,
                                      TrainingSession.enrolled_count < TrainingSession.capacity)
        .values(enrolled_count=TrainingSession.enrolled_count + 1).returning(TrainingSession.enrolled_count)
        .execution_options(synchronize_session=False)).scalar()
    if count is None:
        return False
    set_committed_value(session, "enrolled_count", count)
    return True


def _release_seat(session: TrainingSession) -> None:
    count = db.session.execute(
        update(TrainingSession).where(TrainingSession.id == session.id, TrainingSession.enrolled_count > 0)
        .values(enrolled_count=TrainingSession.enrolled_count - 1).returning(TrainingSession.enrolled_count)
        .execution_options(synchronize_session=False)).scalar()
    if count is not None:
        set_committed_value(session, "enrolled_count", count)


def _join_waitlist(session: TrainingSession, enrolment: Enrolment) -> None:
    position = db.session.execute(
        update(TrainingSession).where(TrainingSession.id == session.id)
        .values(waitlist_count=TrainingSession.waitlist_count + 1).returning(TrainingSession.waitlist_count)
        .execution_options(synchronize_session=False)).scalar_one()
    set_committed_value(session, "waitlist_count", position)
    enrolment.status = "waitlisted"
    enrolment.waitlist_position = position


def _leave_waitlist(session: TrainingSession, enrolment: Enrolment, new_status: str) -> None:
    """Off the waitlist; everyone behind moves up one place, so positions stay 1..n."""
    position = enrolment.waitlist_position
    enrolment.status = new_status
    enrolment.waitlist_position = None
    db.session.flush()
    count = db.session.execute(
        update(TrainingSession).where(TrainingSession.id == session.id, TrainingSession.waitlist_count > 0)
        .values(waitlist_count=TrainingSession.waitlist_count - 1).returning(TrainingSession.waitlist_count)
        .execution_options(synchronize_session=False)).scalar()
    if count is not None:
        set_committed_value(session, "waitlist_count", count)
    db.session.execute(
        update(Enrolment).where(Enrolment.session_id == session.id, Enrolment.status == "waitlisted",
                                Enrolment.waitlist_position > position)
        .values(waitlist_position=Enrolment.waitlist_position - 1)
        .execution_options(synchronize_session="evaluate"))


def _active(session: TrainingSession, *statuses: str) -> list[Enrolment]:
    statuses = statuses or ACTIVE_STATUSES
    return list(db.session.scalars(
        select(Enrolment).where(Enrolment.session_id == session.id, Enrolment.status.in_(statuses))
        .options(selectinload(Enrolment.user)).order_by(Enrolment.waitlist_position, Enrolment.id)))


def _promote_waitlisted(session: TrainingSession, now: datetime | None = None) -> list[Enrolment]:
    """Fill free seats from the head of the waitlist (FIFO), telling each person at once."""
    promoted = []
    if session.is_cancelled or session.has_started(now):
        return promoted
    while session.waitlist_count > 0 and session.enrolled_count < session.capacity:
        first = db.session.scalar(select(Enrolment).where(
            Enrolment.session_id == session.id, Enrolment.status == "waitlisted")
            .order_by(Enrolment.waitlist_position).limit(1))
        if first is None or not _take_seat(session):
            break
        _leave_waitlist(session, first, "enrolled")
        _booked(first)
        _mail(first, "promoted", _l("A seat for you: %(title)s", title=session.module.title), method="REQUEST")
        promoted.append(first)
    return promoted


# Enrolment ----------------------------------------------------------------------------------------
def _find_enrolment(session_id: int, user_id: int) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).where(Enrolment.session_id == session_id,
                                                     Enrolment.user_id == user_id)
                             .execution_options(populate_existing=True))


def enrol(actor: User, session: TrainingSession, *, user: User | None = None, note: str = "",
          now: datetime | None = None) -> Enrolment:
    """Enrol `user` (the actor by default): a seat, else the waitlist; pending when approval is needed.

    Trainers of the session and admins may enrol someone else, also in a session already held
    (to record a past training); they skip approval and the enrolment window.
    """
    now = now or utcnow()
    user = user or actor
    by_manager = user.id != actor.id
    if by_manager and not session.can_manage(actor):
        raise NotAllowed(str(_l("Only the session's trainers and administrators enrol other people.")))
    session = lock_session(session.id)
    if session.is_cancelled:
        raise WrongState(str(_l("This session is cancelled.")), code="session_cancelled")
    if session.is_trained_by(user):
        raise WrongState(str(_l("Trainers do not enrol in their own sessions.")), code="own_session")
    if not by_manager and not session.is_open_for_enrolment(now):
        raise EnrolmentClosed()
    existing = _find_enrolment(session.id, user.id)
    if existing is not None and existing.is_active:
        raise AlreadyEnrolled()
    if existing is not None and existing.status == "declined" and not by_manager:
        raise WrongState(str(_l("The trainer declined your request for this session.")), code="declined")
    enrolment = existing or Enrolment(session_id=session.id, user_id=user.id)
    enrolment.note = (note or "").strip()[:2000]
    enrolment.enrolled_by_id = actor.id if by_manager else None
    enrolment.attended = None
    enrolment.attendance_marked_at = None
    enrolment.waitlist_position = None
    if session.requires_approval and not by_manager:
        enrolment.status = "pending"
    elif _take_seat(session):
        enrolment.status = "enrolled"
    elif session.has_started(now):
        raise SessionFull()
    else:
        _join_waitlist(session, enrolment)
    if existing is None:
        try:
            with db.session.begin_nested():
                db.session.add(enrolment)
                db.session.flush()
        except IntegrityError:
            raise AlreadyEnrolled() from None
    else:
        db.session.flush()
    title = session.module.title
    if enrolment.status == "enrolled":
        _booked(enrolment, now)
        _mail(enrolment, "enrolled", _l("You are enrolled: %(title)s", title=title), method="REQUEST",
              context={"by_manager": by_manager})
    elif enrolment.status == "waitlisted":
        _mail(enrolment, "waitlisted", _l("On the waitlist: %(title)s", title=title))
    else:
        _mail(enrolment, "pending", _l("Request received: %(title)s", title=title))
        for trainer in session.module.trainers:
            queue_mail(trainer, "enrolment", "courses/mail/approval_requested",
                       subject=_l("To approve: %(name)s for %(title)s", name=user.name, title=title),
                       context={"enrolment": enrolment, "session": session, "participant": user,
                                "url": url_for("courses.session_detail", session_id=session.id, _external=True)})
    audit.record("course.enrol", actor, target=f"session:{session.id}",
                 detail=f"user:{user.id} status:{enrolment.status}")
    return enrolment


def unenrol(actor: User, session: TrainingSession, user: User | None = None, *,
            now: datetime | None = None, erasing: bool = False) -> Enrolment:
    """Leave a session (or its waitlist, or withdraw a request); the first waitlisted moves up at once.

    `erasing`: the account is being deleted, so the deadline to leave does not apply.
    """
    now = now or utcnow()
    user = user or actor
    by_manager = user.id != actor.id
    if by_manager and not session.can_manage(actor):
        raise NotAllowed()
    session = lock_session(session.id)
    enrolment = _find_enrolment(session.id, user.id)
    if enrolment is None or not enrolment.is_active:
        raise NotFound(str(_l("You are not enrolled in this session.")), code="not_enrolled")
    if not by_manager and not erasing and not enrolment.can_leave(now):
        raise WrongState(str(_l("The deadline to leave this session has passed; please contact the trainer.")),
                         code="unenrol_deadline_passed")
    previous = enrolment.status
    _withdraw(session, enrolment, "cancelled")
    if previous == "enrolled":
        _mail(enrolment, "unenrolled", _l("You left: %(title)s", title=session.module.title), method="CANCEL",
              context={"by_manager": by_manager})
        _promote_waitlisted(session, now)
    else:
        _mail(enrolment, "unenrolled", _l("You left: %(title)s", title=session.module.title),
              context={"by_manager": by_manager})
    audit.record("course.unenrol", actor, target=f"session:{session.id}", detail=f"user:{user.id}")
    return enrolment


def _withdraw(session: TrainingSession, enrolment: Enrolment, new_status: str) -> None:
    if enrolment.status == "enrolled":
        enrolment.status = new_status
        db.session.flush()
        _release_seat(session)
        cancel_reminders("session", session.id, enrolment.user_id)
    elif enrolment.status == "waitlisted":
        _leave_waitlist(session, enrolment, new_status)
    else:
        enrolment.status = new_status
    db.session.flush()


def approve_enrolment(actor: User, enrolment: Enrolment, *, now: datetime | None = None) -> Enrolment:
    """Accept a pending request: a seat if one is left, else the end of the waitlist."""
    session = enrolment.session
    if not session.can_manage(actor):
        raise NotAllowed()
    session = lock_session(session.id)
    db.session.refresh(enrolment)
    if enrolment.status != "pending":
        raise WrongState(str(_l("Only pending requests can be accepted.")))
    if _take_seat(session):
        enrolment.status = "enrolled"
        db.session.flush()
        _booked(enrolment, now)
        _mail(enrolment, "enrolled", _l("You are enrolled: %(title)s", title=session.module.title),
              method="REQUEST", context={"approved": True})
    elif session.has_started(now):
        raise SessionFull()
    else:
        _join_waitlist(session, enrolment)
        db.session.flush()
        _mail(enrolment, "waitlisted", _l("On the waitlist: %(title)s", title=session.module.title),
              context={"approved": True})
    audit.record("course.approve", actor, target=f"session:{session.id}", detail=f"user:{enrolment.user_id}")
    return enrolment


def decline_enrolment(actor: User, enrolment: Enrolment, *, now: datetime | None = None) -> Enrolment:
    """Decline a request (or take someone off the waitlist or the list); a freed seat goes to the waitlist."""
    session = enrolment.session
    if not session.can_manage(actor):
        raise NotAllowed()
    session = lock_session(session.id)
    db.session.refresh(enrolment)
    if not enrolment.is_active:
        raise WrongState(str(_l("This person is not enrolled or waiting.")))
    previous = enrolment.status
    _withdraw(session, enrolment, "declined")
    _mail(enrolment, "declined", _l("Not confirmed: %(title)s", title=session.module.title),
          method="CANCEL" if previous == "enrolled" else None)
    if previous == "enrolled":
        _promote_waitlisted(session, now)
    audit.record("course.decline", actor, target=f"session:{session.id}", detail=f"user:{enrolment.user_id}")
    return enrolment


def move_enrolment(actor: User, enrolment: Enrolment, *, target: TrainingSession,
                   now: datetime | None = None) -> Enrolment:
    """Move someone to another session of the same module (locks taken in id order: no deadlock)."""
    source = enrolment.session
    if not (source.can_manage(actor) and target.can_manage(actor)):
        raise NotAllowed()
    if target.module_id != source.module_id or target.id == source.id:
        raise Invalid(fields={"session_id": [str(_l("Choose another session of the same module."))]})
    for session_id in sorted((source.id, target.id)):
        lock_session(session_id)
    user = enrolment.user
    unenrol(actor, source, user, now=now)
    return enrol(actor, target, user=user, now=now)


def _booked(enrolment: Enrolment, now: datetime | None = None) -> None:
    schedule_reminders("session", enrolment.session_id, [enrolment.user_id], enrolment.session.starts_at, now=now)


# Attendance, completion, certificates -------------------------------------------------------------
def mark_attendance(actor: User, session: TrainingSession, *, user_id: int, attended: bool,
                    now: datetime | None = None) -> Enrolment:
    """Trainers mark who came, once the session has started; completion may issue a certificate."""
    now = now or utcnow()
    if not session.can_manage(actor):
        raise NotAllowed(str(_l("Only the session's trainers mark attendance.")))
    if session.is_cancelled:
        raise WrongState(str(_l("This session is cancelled.")), code="session_cancelled")
    if not session.has_started(now):
        raise WrongState(str(_l("Attendance can be marked once the session has started.")), code="not_started")
    enrolment = _find_enrolment(session.id, user_id)
    if enrolment is None or enrolment.status != "enrolled":
        raise NotFound(str(_l("This person has no seat in this session.")), code="not_enrolled")
    enrolment.attended = bool(attended)
    enrolment.attendance_marked_at = now
    db.session.flush()
    update_completion(session.module, enrolment.user_id, now=now)
    return enrolment


@dataclass(frozen=True)
class AttendanceSaved:
    """What saving the sign-in list did: who was present or absent, how many certificates were issued."""

    present: int
    absent: int
    issued: int


def _valid_certificate_holders(module_id: int, user_ids) -> set[int]:
    ids = list(user_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(Certificate.user_id).where(
        Certificate.module_id == module_id, Certificate.user_id.in_(ids), Certificate.revoked_at.is_(None))))


def record_attendance(actor: User, session: TrainingSession, *, marks: dict[int, bool],
                      now: datetime | None = None) -> AttendanceSaved:
    """The sign-in list: mark everyone at once; says how many were present, absent, and got a certificate."""
    before = _valid_certificate_holders(session.module_id, marks)
    for user_id, attended in marks.items():
        mark_attendance(actor, session, user_id=user_id, attended=attended, now=now)
    after = _valid_certificate_holders(session.module_id, marks)
    present = sum(bool(v) for v in marks.values())
    return AttendanceSaved(present=present, absent=len(marks) - present, issued=len(after - before))


def attended_sessions(module_id: int, user_id: int) -> list[TrainingSession]:
    return list(db.session.scalars(
        select(TrainingSession).join(Enrolment).where(
            TrainingSession.module_id == module_id, TrainingSession.status == "scheduled",
            Enrolment.user_id == user_id, Enrolment.status == "enrolled", Enrolment.attended.is_(True))
        .order_by(TrainingSession.starts_at)))


def update_completion(module: Module, user_id: int, *, now: datetime | None = None) -> Certificate | None:
    """Issue (or revoke) the module's certificate when the attendance rule is (no longer) met."""
    sessions = attended_sessions(module.id, user_id)
    certificate = db.session.scalar(select(Certificate).where(Certificate.module_id == module.id,
                                                              Certificate.user_id == user_id))
    complete = len(sessions) >= module.required_sessions
    if complete:
        completed_at = as_utc(sessions[-1].ends_at)
        if certificate is None:
            certificate = Certificate(module_id=module.id, user_id=user_id, code=new_certificate_code(),
                                      issued_at=now or utcnow(), completed_at=completed_at)
            db.session.add(certificate)
            db.session.flush()
            _certificate_mail(certificate, module, f"course-certificate-{certificate.id}")
        else:
            certificate.revoked_at = None
            certificate.completed_at = completed_at
    elif certificate is not None and certificate.revoked_at is None:
        certificate.revoked_at = now or utcnow()
    return certificate


def _certificate_mail(certificate: Certificate, module: Module, dedupe_key: str) -> None:
    user = db.session.get(User, certificate.user_id)
    queue_mail(user, "enrolment", "courses/mail/certificate",
               subject=_l("Your certificate: %(title)s", title=module.title),
               context={"module": module, "certificate": certificate,
                        "url": url_for("courses.my_training", _external=True),
                        "verify_url": url_for("courses.verify", code=certificate.code, _external=True)},
               dedupe_key=dedupe_key)


def resend_certificate(actor: User, certificate: Certificate, *, now: datetime | None = None) -> Certificate:
    """The module's trainers (and admins) send a valid certificate to its holder again."""
    if not certificate.module.can_edit(actor):
        raise NotAllowed(str(_l("Only the module's trainers and administrators manage its certificates.")))
    if not certificate.is_valid:
        raise WrongState(str(_l("This certificate is revoked.")), code="certificate_revoked")
    now = now or utcnow()
    _certificate_mail(certificate, certificate.module, f"course-certificate-{certificate.id}-{now:%Y%m%d%H%M%S%f}")
    audit.record("course.certificate.resend", actor, target=f"certificate:{certificate.id}")
    return certificate


def revoke_certificate(actor: User, certificate: Certificate, *, now: datetime | None = None) -> Certificate:
    """Revoke a certificate: its code no longer verifies and its PDF is gone."""
    if not certificate.module.can_edit(actor):
        raise NotAllowed(str(_l("Only the module's trainers and administrators manage its certificates.")))
    if not certificate.is_valid:
        raise WrongState(str(_l("This certificate is revoked already.")), code="certificate_revoked")
    certificate.revoked_at = now or utcnow()
    db.session.flush()
    audit.record("course.certificate.revoke", actor, target=f"certificate:{certificate.id}")
    return certificate


def new_certificate_code() -> str:
    raw = secrets.token_hex(8).upper()
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def find_certificate(code: str) -> Certificate | None:
    code = (code or "").strip().upper().replace(" ", "")
    if len(code) == 16 and "-" not in code:
        code = "-".join(code[i:i + 4] for i in range(0, 16, 4))
    return db.session.scalar(select(Certificate).where(Certificate.code == code)
                             .options(selectinload(Certificate.module), selectinload(Certificate.user)))


# Feedback -----------------------------------------------------------------------------------------
def can_give_feedback(session: TrainingSession, user: User, now: datetime | None = None) -> bool:
    """The user's enrolment in the session says (`Enrolment.can_give_feedback`)."""
    if not user or not getattr(user, "is_authenticated", False):
        return False
    enrolment = _find_enrolment(session.id, user.id)
    return enrolment is not None and enrolment.can_give_feedback(now)


def submit_feedback(user: User, session: TrainingSession, *, rating: int, comment: str = "",
                    now: datetime | None = None) -> Feedback:
    """One answer per person and session; sending again replaces it."""
    if not can_give_feedback(session, user, now):
        raise NotAllowed(str(_l("Only participants of this session give feedback, after it started.")))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid(fields={"rating": [str(_l("Choose a rating from 1 to 5."))]})
    feedback = db.session.scalar(select(Feedback).where(Feedback.session_id == session.id,
                                                        Feedback.user_id == user.id))
    if feedback is None:
        feedback = Feedback(session_id=session.id, user_id=user.id)
        db.session.add(feedback)
    feedback.rating = rating
    feedback.comment = (comment or "").strip()[:4000]
    feedback.created_at = now or utcnow()
    db.session.flush()
    return feedback


def feedback_summary(session: TrainingSession) -> dict:
    rows = db.session.scalars(select(Feedback).where(Feedback.session_id == session.id)
                              .order_by(Feedback.created_at)).all()
    counts = dict.fromkeys(range(1, 6), 0)
    for row in rows:
        counts[row.rating] += 1
    average = round(sum(r.rating for r in rows) / len(rows), 1) if rows else None
    return {"count": len(rows), "average": average, "counts": counts,
            "comments": [r.comment for r in rows if r.comment]}


def send_feedback_requests(now: datetime | None = None, delay_hours: int = 1) -> int:
    """Scheduler job: after a session ends, ask its attendees for feedback, once (claimed per session)."""
    now = now or utcnow()
    due = db.session.scalars(select(TrainingSession.id).where(
        TrainingSession.status == "scheduled", TrainingSession.feedback_requested_at.is_(None),
        TrainingSession.ends_at <= now - timedelta(hours=delay_hours),
        TrainingSession.ends_at > now - timedelta(days=30))).all()
    sent = 0
    for session_id in due:
        claimed = db.session.execute(update(TrainingSession).where(
            TrainingSession.id == session_id, TrainingSession.feedback_requested_at.is_(None))
            .values(feedback_requested_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            continue
        session = db.session.get(TrainingSession, session_id)
        for enrolment in _active(session, "enrolled"):
            if enrolment.attended is False:
                continue
            message = queue_mail(
                enrolment.user, "feedback", "courses/mail/feedback_request",
                subject=_l("How was it? %(title)s", title=session.module.title),
                context={"session": session, "module": session.module,
                         "url": url_for("courses.feedback", session_id=session.id, _external=True)},
                dedupe_key=f"course-feedback-{session.id}-{enrolment.user_id}")
            sent += message is not None
    return sent


# Mail, calendars, reminders -----------------------------------------------------------------------
def session_event(session: TrainingSession, attendee: User | None = None, sequence: int | None = None,
                  cancelled: bool = False, *, viewer: User | None = None,
                  enrolment: Enrolment | None = None) -> CalendarEvent:
    """The session as a calendar event for `viewer` (default: the attendee); the online link only
    when the session shows it to them."""
    module = session.module
    trainer = module.trainers[0] if module.trainers else None
    viewer = viewer if viewer is not None else attendee
    place = ", ".join(p for p in (session.location, session.online_url_for(viewer, enrolment)) if p)
    url = url_for("courses.session_detail", session_id=session.id, _external=True)
    return CalendarEvent(
        uid=uid_for("session", session.id), starts_at=session.starts_at, ends_at=session.ends_at,
        summary=module.title, description=f"{module.summary}\n\n{url}".strip(), location=place, url=url,
        sequence=session.sequence if sequence is None else sequence,
        status="CANCELLED" if cancelled or session.is_cancelled else "CONFIRMED",
        organizer=(trainer.name, trainer.email) if trainer else None,
        attendees=[(attendee.name, attendee.email)] if attendee else [])


def session_ics(session: TrainingSession, user: User | None, method: str,
                enrolment: Enrolment | None = None) -> bytes:
    """An invitation for one person; CANCEL carries a higher SEQUENCE than any REQUEST they had."""
    cancelled = method == "CANCEL"
    sequence = session.sequence + (1 if cancelled and not session.is_cancelled else 0)
    return build_calendar([session_event(session, user, sequence, cancelled, enrolment=enrolment)], method=method)


def _mail(enrolment: Enrolment, template: str, subject, *, method: str | None = None, kind: str = "enrolment",
          context: dict | None = None) -> None:
    session = enrolment.session
    attachments = []
    if method:
        attachments.append(calendar_attachment(session_ics(session, enrolment.user, method, enrolment), method,
                                               filename=f"session-{session.id}.ics"))
    queue_mail(enrolment.user, kind, f"courses/mail/{template}", subject=subject,
               context={"enrolment": enrolment, "session": session, "module": session.module,
                        "url": url_for("courses.session_detail", session_id=session.id, _external=True),
                        "my_url": url_for("courses.my_training", _external=True), **(context or {})},
               attachments=attachments)


def digest_lines(user: User, now: datetime | None = None) -> list[str]:
    """The trainer's sessions of the coming week for the weekly digest: seats, waitlist, approvals."""
    from flask_babel import gettext as _

    from app.core.i18n import in_zone

    now = now or utcnow()
    pending = (select(func.count(Enrolment.id)).where(Enrolment.session_id == TrainingSession.id,
                                                      Enrolment.status == "pending").scalar_subquery())
    rows = db.session.execute(
        select(TrainingSession, pending)
        .where(TrainingSession.trained_by(user.id), TrainingSession.status == "scheduled",
               TrainingSession.starts_at >= now, TrainingSession.starts_at < now + timedelta(days=7))
        .options(selectinload(TrainingSession.module)).order_by(TrainingSession.starts_at)).all()
    return [_("%(when)s · %(title)s: %(enrolled)d of %(capacity)d seats, %(waiting)d waiting, "
              "%(pending)d to approve", when=in_zone(session.starts_at, user.timezone),
              title=session.module.title, enrolled=session.enrolled_count, capacity=session.capacity,
              waiting=session.waitlist_count, pending=pending_count)
            for session, pending_count in rows]


def render_session_reminder(reminder) -> None:
    """Queue a reminder for a session, unless the person left, the session moved or was cancelled."""
    session = db.session.get(TrainingSession, reminder.object_id)
    if session is None or session.is_cancelled or as_utc(session.starts_at) != as_utc(reminder.starts_at):
        return
    enrolment = _find_enrolment(session.id, reminder.user_id)
    if enrolment is None or enrolment.status != "enrolled":
        return
    queue_mail(enrolment.user, "reminder", "courses/mail/reminder",
               subject=_l("Reminder: %(title)s", title=session.module.title),
               context={"session": session, "module": session.module, "enrolment": enrolment,
                        "url": url_for("courses.session_detail", session_id=session.id, _external=True)},
               dedupe_key=f"course-reminder-{reminder.id}")


def feed_events(user) -> list[CalendarEvent]:
    """The personal feed: sessions the person holds a seat in, and sessions they train."""
    enrolled = select(Enrolment.session_id).where(Enrolment.user_id == user.id, Enrolment.status == "enrolled")
    trained = select(TrainingSession.id).where(TrainingSession.trained_by(user.id))
    sessions = db.session.scalars(
        select(TrainingSession).where(TrainingSession.id.in_(enrolled.union(trained)),
                                      TrainingSession.starts_at >= utcnow() - timedelta(days=180))
        .options(selectinload(TrainingSession.module).selectinload(Module.trainers))).all()
    mine = {e.session_id: e for e in db.session.scalars(select(Enrolment).where(
        Enrolment.user_id == user.id, Enrolment.session_id.in_([s.id for s in sessions])))} if sessions else {}
    return [session_event(s, viewer=user, enrolment=mine.get(s.id)) for s in sessions]


# Indicators ---------------------------------------------------------------------------------------
def indicators(now: datetime | None = None) -> tuple[dict, dict]:
    """trained_people (by the person's country) and sessions_held (by the session's country)."""
    now = now or utcnow()
    attended = and_(Enrolment.status == "enrolled", Enrolment.attended.is_(True),
                    TrainingSession.status == "scheduled", TrainingSession.starts_at <= now)
    people_total = db.session.scalar(
        select(func.count(func.distinct(Enrolment.user_id))).join(TrainingSession).where(attended)) or 0
    people_rows = db.session.execute(
        select(User.country, func.count(func.distinct(Enrolment.user_id)))
        .select_from(Enrolment).join(TrainingSession).join(User, User.id == Enrolment.user_id)
        .where(attended).group_by(User.country)).all()
    held = select(TrainingSession.id, TrainingSession.country).where(
        TrainingSession.status == "scheduled", TrainingSession.starts_at <= now,
        exists().where(Enrolment.session_id == TrainingSession.id, Enrolment.status == "enrolled",
                       Enrolment.attended.is_(True))).subquery()
    sessions_total = db.session.scalar(select(func.count()).select_from(held)) or 0
    session_rows = db.session.execute(select(held.c.country, func.count()).where(held.c.country.is_not(None))
                                      .group_by(held.c.country)).all()
    by_country: dict[str, dict] = {}
    for country, n in people_rows:
        by_country.setdefault(country, {"trained_people": 0, "sessions_held": 0})["trained_people"] = n
    for country, n in session_rows:
        by_country.setdefault(country, {"trained_people": 0, "sessions_held": 0})["sessions_held"] = n
    return {"trained_people": people_total, "sessions_held": sessions_total}, by_country


def audit_sessions(ids, viewer) -> dict:
    """Each session as "module title (date)" for the audit log, linked where the viewer may see it."""
    from app.core.i18n import format_day

    sessions = db.session.scalars(select(TrainingSession).where(TrainingSession.id.in_(ids))
                                  .options(selectinload(TrainingSession.module))).all()
    return {s.id: (f"{s.module.title} ({format_day(s.starts_at)})",
                   url_for("courses.session_detail", session_id=s.id) if s.can_see(viewer) else None)
            for s in sessions}
