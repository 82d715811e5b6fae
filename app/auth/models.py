"""Accounts, roles and their secrets."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.timeutil import utcnow
from app.core.types import JSONList, UTCDateTime
from app.extensions import db

PASSWORD_MIN = 8
PASSWORD_MAX = 128
# A Covenant role (com_role) chosen at registration is a claim until an administrator grants it.
COM_ROLE_STATUSES = ("claimed", "granted", "denied")


# Columns marked info={"secret": True} never leave the platform (the archive export drops them).


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('participant', 'trainer', 'admin')", name="role"),
        CheckConstraint("com_role IN ('coordinator', 'supporter', 'municipality', 'other')", name="com_role"),
        CheckConstraint("com_role_status IN ('claimed', 'granted', 'denied')", name="com_role_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    # The stored name; `name` reads "Former participant" in the reader's language once erased.
    stored_name: Mapped[str] = mapped_column("name", String(120))
    password_hash: Mapped[str] = mapped_column(String(255), info={"secret": True})
    role: Mapped[str] = mapped_column(String(16), default="participant", index=True)
    com_role: Mapped[str] = mapped_column(String(16), default="other")
    # Rights come with a granted role only (accounts made by admins are granted; registration claims).
    com_role_status: Mapped[str] = mapped_column(String(10), default="claimed", index=True)
    com_role_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="en")
    languages: Mapped[list[str]] = mapped_column(JSONList, default=list)  # languages spoken
    is_coach: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # No longer read: UserSession rows end sessions now (kept so older databases need no change).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Calendar feed: the URL token is HMAC(secret key, salt); only its hash is stored, for lookups.
    feed_salt: Mapped[str | None] = mapped_column(String(64), info={"secret": True})
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, info={"secret": True})
    notification_prefs: Mapped[list[str]] = mapped_column(JSONList, default=list)  # switched-off kinds
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the account was erased on request (GDPR): the row stays, anonymised, for what others keep.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    @hybrid_property
    def name(self) -> str:
        if self.erased_at is not None:
            from flask_babel import gettext

            return gettext("Former participant")
        return self.stored_name

    @name.inplace.setter
    def _name_setter(self, value: str) -> None:
        self.stored_name = value

    @name.inplace.expression
    @classmethod
    def _name_expression(cls):
        return cls.stored_name

    @name.inplace.update_expression
    @classmethod
    def _name_update(cls, value):
        return [(cls.stored_name, value)]

    @name.inplace.bulk_dml
    @classmethod
    def _name_bulk_dml(cls, mapping, value):  # insert(User) with {"name": …} rows (demo data, benchmarks)
        mapping["stored_name"] = value

    # Not a column: the key of the browser session (UserSession) this object was signed in or loaded for.
    session_key = None

    # Flask-Login keeps get_id() in the session and the remember cookie: a random per-browser key, so
    # those cookies work only while that browser's UserSession row exists.
    def get_id(self) -> str:
        if not self.session_key:
            raise RuntimeError("sign in through app.auth.services.start_user_session")
        return self.session_key

    # UserMixin compares get_id(); accounts are the same when their ids are.
    def __eq__(self, other) -> bool:
        return self is other or (isinstance(other, User) and self.id is not None and self.id == other.id)

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    # Passwords (scrypt through Werkzeug, at the cost PASSWORD_HASH_METHOD names)
    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def password_needs_rehash(self) -> bool:
        """Made with another method or cost than the configured one ("scrypt:131072:8:1$salt$hash")."""
        return (self.password_hash or "").split("$", 1)[0] != current_app.config["PASSWORD_HASH_METHOD"]

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    # Role predicates: the one place that says who is what.
    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_trainer(self) -> bool:
        return self.role in ("trainer", "admin")

    @property
    def com_role_granted(self) -> bool:
        """An administrator granted the Covenant role (or made the account); a claim gives no rights."""
        return self.com_role_status == "granted"

    @hybrid_property
    def is_waiting_for_role(self) -> bool:
        """Claimed a Covenant role an administrator has yet to grant or deny ("other" needs no decision)."""
        return self.com_role_status == "claimed" and self.com_role != "other"

    @is_waiting_for_role.inplace.expression
    @classmethod
    def _is_waiting_for_role_expression(cls):
        return and_(cls.com_role_status == "claimed", cls.com_role != "other")

    @property
    def is_coordinator(self) -> bool:
        """A Covenant Coordinator or Supporter whose role was granted (a mere claim does not count)."""
        return self.com_role in ("coordinator", "supporter") and self.com_role_granted

    def wants_mail(self, kind: str) -> bool:
        return kind not in (self.notification_prefs or [])

    def can_manage_user(self, other: User) -> bool:
        return self.is_admin or self.id == other.id


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"secret": True})
    prefix: Mapped[str] = mapped_column(String(12))  # first characters, to recognise it in the list
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # written at most once a minute
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or utcnow())


class UserSession(db.Model):
    """One signed-in browser: its random key lives in the session (and remember) cookie, only the hash here.

    Deleting the row signs that browser out, whatever copies of its cookies exist.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"secret": True})
    is_remembered: Mapped[bool] = mapped_column(Boolean, default=False)  # "Keep me signed in": no idle timeout
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # at most once a minute
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # absolute lifetime
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User] = relationship()


class PasswordReset(db.Model):
    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"secret": True})
    # The link's token is HMAC(secret key, salt): rebuilt when the mail is sent, never stored in the outbox.
    token_salt: Mapped[str | None] = mapped_column(String(64), info={"secret": True})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # also set when a newer reset or change ends it

    user: Mapped[User] = relationship()
