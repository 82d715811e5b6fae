"""Peer profiles, exchanges (with their messages and meetings), good practices and pairing rounds."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.search import Searchable, country_names
from app.core.timeutil import is_joinable, utcnow
from app.core.types import JSONList, UTCDateTime
from app.extensions import db

FORMATS = ("online", "visit", "hosting")  # online call, study visit, hosting a visit
EXCHANGE_STATUSES = ("proposed", "accepted", "declined", "cancelled", "completed")
OPEN_STATUSES = ("proposed", "accepted")
PRACTICE_STATUSES = ("submitted", "changes_requested", "published")
MEETING_KINDS = ("online", "visit")


class PeerProfile(db.Model):
    __tablename__ = "peer_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    offers: Mapped[list[str]] = mapped_column(JSONList, default=list)  # topic codes
    needs: Mapped[list[str]] = mapped_column(JSONList, default=list)
    languages: Mapped[list[str]] = mapped_column(JSONList, default=list)
    bio: Mapped[str] = mapped_column(Text, default="")
    places: Mapped[str] = mapped_column(String(300), default="")  # municipalities or region, free text
    formats: Mapped[list[str]] = mapped_column(JSONList, default=list)
    is_available: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    # Consent to show one's name and organisation on published good practices.
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class PairingRound(db.Model):
    __tablename__ = "peer_rounds"
    __table_args__ = (CheckConstraint("status IN ('preview', 'confirmed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    selection: Mapped[str] = mapped_column(String(300), default="all")  # "all", "topic:<code>", "list"
    participant_ids: Mapped[list[str]] = mapped_column(JSONList, default=list)
    unmatched: Mapped[list[str]] = mapped_column(JSONList, default=list)  # "<user id>:<reason>"
    total_score: Mapped[int] = mapped_column(Integer, default=0)
    bound: Mapped[int] = mapped_column(Integer, default=0)
    greedy_total: Mapped[int] = mapped_column(Integer, default=0)
    method: Mapped[str] = mapped_column(String(20), default="exact")
    seconds: Mapped[str] = mapped_column(String(20), default="0")
    status: Mapped[str] = mapped_column(String(10), default="preview")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()
    pairs: Mapped[list[RoundPair]] = relationship(back_populates="round", cascade="all, delete-orphan",
                                                  order_by="(RoundPair.score.desc(), RoundPair.id)")

    @staticmethod
    def can_run(user) -> bool:
        """Who runs and confirms pairing rounds: administrators."""
        return bool(user and getattr(user, "is_authenticated", False) and user.is_admin)

    @property
    def unmatched_reasons(self) -> dict[int, str]:
        return {int(item.split(":", 1)[0]): item.split(":", 1)[1] for item in self.unmatched or []}


class RoundPair(db.Model):
    __tablename__ = "peer_round_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("peer_rounds.id", ondelete="CASCADE"), index=True)
    a_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    b_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(40), default="")
    exchange_id: Mapped[int | None] = mapped_column(ForeignKey("peer_exchanges.id", ondelete="SET NULL"))

    round: Mapped[PairingRound] = relationship(back_populates="pairs")
    a: Mapped[User] = relationship(foreign_keys=[a_id])
    b: Mapped[User] = relationship(foreign_keys=[b_id])


class Exchange(db.Model):
    """Two people of different countries sharing practice on a topic; its states live in services."""

    __tablename__ = "peer_exchanges"
    __table_args__ = (
        CheckConstraint("proposer_id <> partner_id", name="not_self"),
        CheckConstraint("low_id < high_id", name="pair_order"),
        CheckConstraint("status IN ('proposed', 'accepted', 'declined', 'cancelled', 'completed')",
                        name="status"),
        # One open exchange per pair of people at a time.
        Index("uq_peer_exchanges_open_pair", "low_id", "high_id", unique=True,
              sqlite_where=text("status IN ('proposed', 'accepted')"),
              postgresql_where=text("status IN ('proposed', 'accepted')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    low_id: Mapped[int] = mapped_column(Integer)  # min(proposer, partner), for the pair's uniqueness
    high_id: Mapped[int] = mapped_column(Integer)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("peer_rounds.id", ondelete="SET NULL"))
    topic: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="proposed", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposer_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    partner_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    proposer: Mapped[User] = relationship(foreign_keys=[proposer_id])
    partner: Mapped[User] = relationship(foreign_keys=[partner_id])
    messages: Mapped[list[ExchangeMessage]] = relationship(
        back_populates="exchange", cascade="all, delete-orphan", order_by="ExchangeMessage.id")
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="exchange", cascade="all, delete-orphan", order_by="Meeting.starts_at")
    practice: Mapped[GoodPractice | None] = relationship(back_populates="exchange", uselist=False)

    def is_party(self, user) -> bool:
        return user is not None and getattr(user, "id", None) in (self.proposer_id, self.partner_id)

    def can_see(self, user) -> bool:
        """Only the two people see an exchange; everyone else gets a 404."""
        return self.is_party(user)

    def other(self, user) -> User:
        return self.partner if user.id == self.proposer_id else self.proposer

    def can_plan(self, user) -> bool:
        """Its two people plan meetings once the exchange is accepted (and after it is completed)."""
        return self.is_party(user) and self.status in ("accepted", "completed")

    def can_report(self, user) -> bool:
        """The report follows the same rule as the meetings: its people, once accepted."""
        return self.can_plan(user)

    def confirmed_by(self, user) -> bool:
        column = self.proposer_confirmed_at if user.id == self.proposer_id else self.partner_confirmed_at
        return column is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def people(self) -> list[User]:
        return [self.proposer, self.partner]


class ExchangeMessage(db.Model):
    __tablename__ = "peer_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(ForeignKey("peer_exchanges.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exchange: Mapped[Exchange] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class Meeting(db.Model):
    """An online call or a study visit inside an exchange; invitations keep one UID for its life."""

    __tablename__ = "peer_meetings"
    __table_args__ = (
        CheckConstraint("kind IN ('online', 'visit')", name="kind"),
        CheckConstraint("status IN ('planned', 'cancelled')", name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(ForeignKey("peer_exchanges.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="online")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="", info={"private": True})  # the two sides only
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="planned")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exchange: Mapped[Exchange] = relationship(back_populates="meetings")

    def can_join(self, now: datetime | None = None) -> bool:
        """Planned, with an online link, and about to start or under way."""
        return self.status == "planned" and bool(self.online_url) and is_joinable(self.starts_at, self.ends_at, now)


class GoodPractice(Searchable, db.Model):
    """An exchange's final report; public once a trainer or admin publishes it."""

    __tablename__ = "good_practices"
    __table_args__ = (
        UniqueConstraint("exchange_id", name="uq_good_practices_exchange"),
        CheckConstraint("status IN ('submitted', 'changes_requested', 'published')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int | None] = mapped_column(ForeignKey("peer_exchanges.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    # The summary in English, beside the original language: written or edited by the reviewer when publishing.
    summary_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    activities: Mapped[str] = mapped_column(Text, default="")  # what was done
    results: Mapped[str] = mapped_column(Text, default="")
    transferability: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(40), index=True)
    countries: Mapped[list[str]] = mapped_column(JSONList, default=list)
    language: Mapped[str] = mapped_column(String(8), default="en", index=True)  # language of the text
    # app.core.search: title, summaries, results and countries, normalised; kept up to date on every flush.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # People of the exchange whose account was erased: JSON {"name", "organisation", "country"} each,
    # name and organisation empty unless they agreed to stay credited by name.
    former_credits: Mapped[list[str]] = mapped_column(JSONList, default=list)

    exchange: Mapped[Exchange | None] = relationship(back_populates="practice")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])

    searched_attributes = ("title", "summary", "summary_en", "results", "countries")

    def search_words(self) -> list:
        """What the library's search finds it by (its topic: by code, see app.core.search)."""
        return [self.title, self.summary, self.summary_en, self.results, *map(country_names, self.countries or [])]

    def summary_for(self, language: str | None) -> str:
        """The summary a reader of `language` can read: the original, or the English one beside it."""
        if language == self.language or not self.summary_en:
            return self.summary
        return self.summary_en

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def can_see(self, user) -> bool:
        if self.is_published:
            return True
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return user.is_trainer or (self.exchange is not None and self.exchange.is_party(user))

    def can_edit(self, user) -> bool:
        return (self.status in ("submitted", "changes_requested") and self.exchange is not None
                and self.exchange.is_party(user))

    @staticmethod
    def can_review(user) -> bool:
        return bool(user and getattr(user, "is_authenticated", False) and user.is_trainer)

    def awaits_review_by(self, user) -> bool:
        """A submitted report that this user (a trainer or admin) may publish or send back."""
        return self.status == "submitted" and GoodPractice.can_review(user)
