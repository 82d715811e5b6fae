"""Coach availability (rules in the coach's own zone) and appointments (one UID, rising SEQUENCE)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.timeutil import is_joinable, utcnow
from app.core.types import JSONList, UTCDateTime
from app.extensions import db

WEEKDAYS = range(7)  # Monday 0, as Python's date.weekday()
MEETING_MODES = ("online", "place")
STATUSES = ("booked", "cancelled", "no_show")


class CoachProfile(db.Model):
    """A coach's booking rules. Its row is also the lock that serialises bookings of that coach."""

    __tablename__ = "coach_profiles"
    __table_args__ = (
        CheckConstraint("slot_minutes BETWEEN 10 AND 480", name="slot_minutes"),
        CheckConstraint("buffer_minutes BETWEEN 0 AND 240", name="buffer_minutes"),
        CheckConstraint("min_notice_hours >= 0", name="min_notice_hours"),
        CheckConstraint("meeting_mode IN ('online', 'place')", name="meeting_mode"),
    )

    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    slot_minutes: Mapped[int] = mapped_column(Integer, default=60)
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=0)
    min_notice_hours: Mapped[int] = mapped_column(Integer, default=24)
    max_per_day: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    horizon_days: Mapped[int | None] = mapped_column(Integer)  # None: book as far ahead as rules go
    cancel_cutoff_hours: Mapped[int] = mapped_column(Integer, default=4)
    topics: Mapped[list[str]] = mapped_column(JSONList, default=list)
    languages: Mapped[list[str]] = mapped_column(JSONList, default=list)
    meeting_mode: Mapped[str] = mapped_column(String(10), default="online")
    meeting_url: Mapped[str] = mapped_column(String(500), default="", info={"private": True})
    meeting_place: Mapped[str] = mapped_column(String(300), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    is_accepting: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    coach: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    weekly: Mapped[list[WeeklyHours]] = relationship(
        back_populates="profile", cascade="all, delete-orphan",
        order_by="(WeeklyHours.weekday, WeeklyHours.start_time)")
    exceptions: Mapped[list[AvailabilityException]] = relationship(
        back_populates="profile", cascade="all, delete-orphan",
        order_by="(AvailabilityException.day, AvailabilityException.start_time)")

    @property
    def location_text(self) -> str:
        return self.meeting_url if self.meeting_mode == "online" else self.meeting_place

    def can_edit(self, user) -> bool:
        return user.is_authenticated and (user.id == self.coach_id or user.is_admin)


class WeeklyHours(db.Model):
    """One range of bookable hours on a weekday, in the coach's zone (several per day allowed)."""

    __tablename__ = "coach_weekly_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("start_time < end_time", name="range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.coach_id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)

    profile: Mapped[CoachProfile] = relationship(back_populates="weekly")


class AvailabilityException(db.Model):
    """A date that differs from the week: a day (or some hours) off, or extra hours."""

    __tablename__ = "coach_exceptions"
    __table_args__ = (
        CheckConstraint("kind IN ('off', 'extra')", name="kind"),
        CheckConstraint("(start_time IS NULL AND end_time IS NULL AND kind = 'off') OR "
                        "(start_time IS NOT NULL AND end_time IS NOT NULL AND start_time < end_time)",
                        name="range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.coach_id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8), default="off")
    start_time: Mapped[time | None] = mapped_column(Time)  # both None: the whole day off
    end_time: Mapped[time | None] = mapped_column(Time)

    profile: Mapped[CoachProfile] = relationship(back_populates="exceptions")

    @property
    def is_whole_day(self) -> bool:
        return self.start_time is None


class Appointment(db.Model):
    """One-to-one coaching. The UID is derived from the id; SEQUENCE rises on every change."""

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("status IN ('booked', 'cancelled', 'no_show')", name="status"),
        CheckConstraint("starts_at < ends_at", name="times"),
        CheckConstraint("coach_id <> participant_id", name="not_self"),
        # No two active appointments of one coach start together, whatever the application does.
        Index("uq_appointments_active_start", "coach_id", "starts_at", unique=True,
              sqlite_where=text("status <> 'cancelled'"), postgresql_where=text("status <> 'cancelled'")),
        Index("ix_appointments_coach_time", "coach_id", "starts_at", "ends_at"),
        Index("ix_appointments_participant_time", "participant_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="booked")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    topic: Mapped[str | None] = mapped_column(String(40))
    agenda: Mapped[str] = mapped_column(Text, default="")
    meeting_mode: Mapped[str] = mapped_column(String(10), default="online")
    # Link or place, copied at booking; for the two sides and admins, never in the archive.
    location: Mapped[str] = mapped_column(String(500), default="", info={"private": True})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")  # shared with the participant
    action_points: Mapped[str] = mapped_column(Text, default="")
    summary_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    participant: Mapped[User] = relationship(foreign_keys=[participant_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    profile: Mapped[CoachProfile] = relationship(
        primaryjoin="foreign(Appointment.coach_id) == CoachProfile.coach_id", viewonly=True)

    # Predicates ---------------------------------------------------------------------------------
    def is_party(self, user) -> bool:
        return bool(user and user.is_authenticated) and user.id in (self.coach_id, self.participant_id)

    def can_see(self, user) -> bool:
        return self.is_party(user) or bool(user and user.is_authenticated and user.is_admin)

    def other(self, user) -> User:
        """The person on the other side: the coach for the participant, the participant for anyone else."""
        return self.coach if user.id == self.participant_id else self.participant

    def is_coach(self, user) -> bool:
        """Strictly the appointment's coach (admins are not: see `can_manage`)."""
        return bool(user and user.is_authenticated) and user.id == self.coach_id

    def can_manage(self, user) -> bool:
        """The coach's side of an appointment (summary, no-show): its coach or an administrator."""
        return self.is_coach(user) or bool(user and user.is_authenticated and user.is_admin)

    @property
    def is_booked(self) -> bool:
        return self.status == "booked"

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    def is_upcoming(self, now: datetime | None = None) -> bool:
        """Booked and not started yet."""
        return self.is_booked and self.starts_at > (now or utcnow())

    def can_join(self, now: datetime | None = None) -> bool:
        """Booked, online with a link, and about to start or under way."""
        return (self.is_booked and self.meeting_mode == "online" and bool(self.location)
                and is_joinable(self.starts_at, self.ends_at, now))

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.ends_at <= (now or utcnow())

    def took_place(self, now: datetime | None = None) -> bool:
        return self.status == "booked" and self.has_ended(now)

    def change_deadline(self, cutoff_hours: int) -> datetime:
        return self.starts_at - timedelta(hours=cutoff_hours)

    def can_change(self, user, cutoff_hours: int, now: datetime | None = None) -> bool:
        """Either side may cancel or move a booked appointment until the cut-off; admins always before it starts."""
        if not self.is_booked or not self.can_see(user):
            return False
        now = now or utcnow()
        if user.is_admin and not self.is_party(user):
            return self.starts_at > now
        return self.change_deadline(cutoff_hours) > now

    def can_record_summary(self, user, now: datetime | None = None) -> bool:
        return self.can_manage(user) and self.status != "cancelled" and self.starts_at <= (now or utcnow())

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)
