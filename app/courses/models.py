"""Training modules, their sessions, enrolments, attendance, certificates and feedback.

Seats are a counter on the session row (`enrolled_count`), changed only by conditional UPDATEs under
the session's row lock, and checked by the database (`enrolled_count <= capacity`). Waitlist positions
are kept dense (1..n) under the same lock. See docs/domain.md, "Capacity and double booking".
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.auth.models import User
from app.core.markdown import render_markdown
from app.core.search import Searchable, country_names
from app.core.timeutil import as_utc, utcnow
from app.core.types import JSONList, SafeHTML, UTCDateTime
from app.extensions import db

LEVELS = ("beginner", "intermediate", "advanced")
FORMATS = ("in_person", "online", "blended")
MODULE_STATUSES = ("draft", "published", "archived")
SESSION_STATUSES = ("scheduled", "cancelled")
ENROLMENT_STATUSES = ("enrolled", "waitlisted", "pending", "declined", "cancelled")
ACTIVE_STATUSES = ("enrolled", "waitlisted", "pending")

DESCRIPTION_MAX = 20_000  # characters of Markdown (forms and API)
OBJECTIVES_MAX = 5_000
MARKDOWN_COLUMNS = {"description": "description_html", "objectives": "objectives_html"}


module_trainers = Table(
    "course_module_trainers", db.metadata,
    Column("module_id", ForeignKey("course_modules.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)

module_prerequisites = Table(
    "course_module_prerequisites", db.metadata,
    Column("module_id", ForeignKey("course_modules.id", ondelete="CASCADE"), primary_key=True),
    Column("prerequisite_id", ForeignKey("course_modules.id", ondelete="CASCADE"), primary_key=True),
)


class Module(Searchable, db.Model):
    __tablename__ = "course_modules"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'archived')", name="status"),
        CheckConstraint("level IN ('beginner', 'intermediate', 'advanced')", name="level"),
        CheckConstraint("format IN ('in_person', 'online', 'blended')", name="format"),
        CheckConstraint("required_sessions >= 1", name="required_sessions"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    objectives: Mapped[str] = mapped_column(Text, default="")  # Markdown
    # Rendered and sanitised when the Markdown is set (`_render`), shown as is by the pages.
    description_html: Mapped[str] = mapped_column(SafeHTML, default="", server_default="")
    objectives_html: Mapped[str] = mapped_column(SafeHTML, default="", server_default="")
    topics: Mapped[list[str]] = mapped_column(JSONList, default=list)
    # app.core.search: title, summary, trainers and places, normalised; kept up to date on every flush.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    language: Mapped[str] = mapped_column(String(8), default="en", index=True)
    level: Mapped[str] = mapped_column(String(16), default="beginner")
    format: Mapped[str] = mapped_column(String(16), default="in_person", index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    # Materials of a restricted module are for its enrolled people (and its trainers) only.
    materials_restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Completion: attended sessions needed for the certificate.
    required_sessions: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    trainers: Mapped[list[User]] = relationship(secondary=module_trainers, order_by="User.name")
    prerequisites: Mapped[list[Module]] = relationship(
        secondary=module_prerequisites, primaryjoin=lambda: Module.id == module_prerequisites.c.module_id,
        secondaryjoin=lambda: Module.id == module_prerequisites.c.prerequisite_id, order_by="Module.title")
    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="module", order_by="TrainingSession.starts_at", cascade="all, delete-orphan")
    materials: Mapped[list[Material]] = relationship(
        back_populates="module", order_by="Material.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Module {self.id} {self.title!r}>"

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def is_taught_by(self, user) -> bool:
        """`user` is one of the module's trainers (not: has the trainer role, that is `User.is_trainer`)."""
        return bool(user and getattr(user, "is_authenticated", True) and user.id in {t.id for t in self.trainers})

    def can_see(self, user) -> bool:
        """Published modules are public; drafts and archived ones are for trainers and admins."""
        if self.is_published:
            return True
        return bool(user and getattr(user, "is_authenticated", False) and user.is_trainer)

    def can_edit(self, user) -> bool:
        return bool(user and getattr(user, "is_authenticated", False)
                    and (user.is_admin or self.is_taught_by(user)))

    def can_download_materials(self, user, enrolled: bool | None = None) -> bool:
        """Open materials are for everyone; restricted ones for its editors and people with a seat in a session.

        `enrolled` says whether the user has a seat, when the page knows already; otherwise it is looked up.
        """
        if not self.materials_restricted or self.can_edit(user):
            return True
        if not (user and getattr(user, "is_authenticated", False)):
            return False
        if enrolled is None:
            enrolled = db.session.scalar(
                select(Enrolment.id).join(TrainingSession).where(
                    TrainingSession.module_id == self.id, Enrolment.user_id == user.id,
                    Enrolment.status == "enrolled").limit(1)) is not None
        return enrolled

    searched_attributes = ("title", "summary", "trainers")

    def search_words(self) -> list:
        """What the catalogue search finds it by: title, summary, trainers, places (topics: by code)."""
        places = [(s.location, country_names(s.country)) for s in self.sessions if s.status != "cancelled"]
        return [self.title, self.summary, *(t.name for t in self.trainers), *(p for place in places for p in place)]

    @validates(*MARKDOWN_COLUMNS)
    def _render(self, key: str, value: str | None) -> str | None:
        """Setting the Markdown renders its HTML, once (services, demo data and factories alike)."""
        setattr(self, MARKDOWN_COLUMNS[key], render_markdown(value))
        return value

    @staticmethod
    def with_html(values: dict) -> dict:
        """Row values for a bulk INSERT (which skips `_render`), with the HTML columns filled the same way."""
        return {**values, **{html: render_markdown(values.get(source) or "")
                             for source, html in MARKDOWN_COLUMNS.items()}}


class TrainingSession(db.Model):
    """One dated occurrence of a module (a classroom day, a webinar)."""

    __tablename__ = "course_sessions"
    __table_args__ = (
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status"),
        CheckConstraint("capacity >= 1", name="capacity"),
        CheckConstraint("enrolled_count >= 0 AND enrolled_count <= capacity", name="seats"),
        CheckConstraint("waitlist_count >= 0", name="waitlist"),
        CheckConstraint("ends_at > starts_at", name="times"),
        Index("ix_course_sessions_module_start", "module_id", "starts_at"),
    )
    search_owner_attributes = ("location", "country", "status", "module_id")  # the module is found by its places

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_modules.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(300), default="")
    country: Mapped[str | None] = mapped_column(String(2), index=True)  # where it takes place (None: online)
    # For seat holders, trainers and admins only (shows_link_to); never in the archive.
    online_url: Mapped[str] = mapped_column(String(500), default="", info={"private": True})
    capacity: Mapped[int] = mapped_column(Integer)
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    enrol_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrol_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: at the start
    unenrol_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: at the start
    status: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    enrolled_count: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_count: Mapped[int] = mapped_column(Integer, default=0)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE
    feedback_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    module: Mapped[Module] = relationship(back_populates="sessions")

    def search_owner(self) -> Module | None:
        return self.module
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="session", cascade="all, delete-orphan",
                                                       order_by="Enrolment.id")

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} module={self.module_id} {self.starts_at:%Y-%m-%d %H:%M}>"

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.location

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.enrolled_count)

    @property
    def is_full(self) -> bool:
        return self.enrolled_count >= self.capacity

    @staticmethod
    def trained_by(user_id: int):
        """SQL: the session belongs to a module this person trains (through the trainers table, one
        indexed lookup, instead of nested EXISTS over modules and trainers)."""
        return TrainingSession.module_id.in_(
            select(module_trainers.c.module_id).where(module_trainers.c.user_id == user_id))

    def has_started(self, now: datetime | None = None) -> bool:
        return as_utc(self.starts_at) <= (now or utcnow())

    def has_ended(self, now: datetime | None = None) -> bool:
        return as_utc(self.ends_at) <= (now or utcnow())

    def is_held(self, now: datetime | None = None) -> bool:
        """The session has started (or ended): it is history now, not a plan."""
        return not self.is_cancelled and self.has_started(now)

    def can_cancel(self, now: datetime | None = None) -> bool:
        """Only a session still to come can be cancelled; a held one stays on record."""
        return not self.is_cancelled and not self.has_started(now)

    def can_change_enrolment_window(self, now: datetime | None = None) -> bool:
        """The enrolment dates ("Open until…", the deadline to leave) are for sessions still to come."""
        return self.can_cancel(now)

    def can_move_to(self, starts_at: datetime, now: datetime | None = None) -> bool:
        """A held session keeps a past date (a typo may be corrected), it never moves to the future."""
        now = now or utcnow()
        return not self.has_started(now) or as_utc(starts_at) <= now

    def is_trained_by(self, user) -> bool:
        """`user` trains this session's module: they teach it, they do not enrol in it."""
        return self.module.is_taught_by(user)

    def can_enrol(self, user, now: datetime | None = None) -> bool:
        """An Enrol button for `user`: enrolment is open and they are not one of its trainers."""
        return self.is_open_for_enrolment(now) and not self.is_trained_by(user)

    @property
    def closes_at(self) -> datetime:
        return as_utc(self.enrol_closes_at or self.starts_at)

    @property
    def unenrol_until(self) -> datetime:
        return as_utc(self.unenrol_deadline or self.starts_at)

    def is_open_for_enrolment(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.is_cancelled or not self.module.is_published:
            return False
        if self.enrol_opens_at and now < as_utc(self.enrol_opens_at):
            return False
        return now < self.closes_at

    def can_manage(self, user) -> bool:
        return self.module.can_edit(user)

    def can_see(self, user) -> bool:
        return self.module.can_see(user)

    def shows_link_to(self, user, enrolment: Enrolment | None = None) -> bool:
        """The online meeting link is for people holding a seat, the session's trainers and admins only.

        Pages, the API, .ics files, feeds and mail all ask this; `enrolment` (the user's, when the caller
        has it) saves a query.
        """
        if not self.online_url or user is None or not getattr(user, "is_authenticated", False):
            return False
        if self.can_manage(user):
            return True
        if enrolment is None or enrolment.user_id != user.id or enrolment.session_id != self.id:
            enrolment = db.session.scalar(select(Enrolment).where(Enrolment.session_id == self.id,
                                                                  Enrolment.user_id == user.id))
        return enrolment is not None and enrolment.status == "enrolled"

    def online_url_for(self, user, enrolment: Enrolment | None = None) -> str:
        """The link when `user` may see it, else an empty string."""
        return self.online_url if self.shows_link_to(user, enrolment) else ""


class Enrolment(db.Model):
    __tablename__ = "course_enrolments"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_course_enrolments_session_user"),
        CheckConstraint("status IN ('enrolled', 'waitlisted', 'pending', 'declined', 'cancelled')", name="status"),
        CheckConstraint("(status = 'waitlisted') = (waitlist_position IS NOT NULL)", name="waitlist_position"),
        Index("ix_course_enrolments_session_status", "session_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")  # to the trainer
    attended: Mapped[bool | None] = mapped_column(Boolean)  # None: not marked yet
    attendance_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    session: Mapped[TrainingSession] = relationship(back_populates="enrolments")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def can_leave(self, now: datetime | None = None) -> bool:
        """Its participant may leave: a waitlist place or a request at any time, a seat until the deadline."""
        return self.is_active and (self.status != "enrolled" or (now or utcnow()) <= self.session.unenrol_until)

    def can_give_feedback(self, now: datetime | None = None) -> bool:
        """Participants with a seat give feedback once the session has started, unless marked absent."""
        return (self.status == "enrolled" and self.attended is not False and not self.session.is_cancelled
                and self.session.has_started(now))

    @staticmethod
    def may_give_feedback_where(now: datetime):
        """can_give_feedback as SQL, for queries that join the session (the same rule: keep them together)."""
        return ((Enrolment.status == "enrolled") & or_(Enrolment.attended.is_(None), Enrolment.attended.is_(True))
                & (TrainingSession.status != "cancelled") & (TrainingSession.starts_at <= now))


class Material(db.Model):
    """A file (kept in the database, served as an attachment) or a link."""

    __tablename__ = "course_materials"
    __table_args__ = (CheckConstraint("kind IN ('file', 'link')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_modules.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    url: Mapped[str] = mapped_column(String(500), default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(120), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    module: Mapped[Module] = relationship(back_populates="materials")


class Certificate(db.Model):
    """Attendance certificate of a module; the code is printed on the PDF and checked publicly."""

    __tablename__ = "course_certificates"
    __table_args__ = (UniqueConstraint("module_id", "user_id", name="uq_course_certificates_module_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_modules.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # end of the last attended session
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    module: Mapped[Module] = relationship()
    user: Mapped[User] = relationship()

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class Feedback(db.Model):
    __tablename__ = "course_feedback"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_course_feedback_session_user"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TrainingSession] = relationship()
