"""In-app notifications: what the bell counts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(300))  # in the user's language when created (older rows: only this)
    phrase: Mapped[dict | None] = mapped_column(JSON)  # Phrase.to_json(): shown in the reader's language of the day
    url: Mapped[str] = mapped_column(String(500), default="")  # a path on this site, or ""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def shown_text(self) -> str:
        """The text in the viewer's language and zone now; what was written when it has no phrase."""
        if self.phrase:
            from app.core.i18n import Phrase

            return Phrase.from_json(self.phrase).render()[:300]
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def can_see(self, user) -> bool:
        return user is not None and user.is_authenticated and user.id == self.user_id
