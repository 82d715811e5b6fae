"""Notifications and preferences: one function per use case."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, g
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select, update

from app.core.errors import Invalid, NotFound
from app.core.i18n import Phrase, in_language
from app.core.mail import ESSENTIAL_KINDS, mail_kinds_for
from app.core.timeutil import utcnow
from app.extensions import db
from app.notifications.models import Notification

# Mail that stays mail: secrets, account changes and the digest are not in-app items.
MAIL_ONLY_KINDS = frozenset({"password_reset", "password_changed", "account", "digest"})


def _path_only(url: str | None) -> str:
    """Keep a link on this site as a path: the host differs between web and scheduler."""
    if not url:
        return ""
    parts = urlsplit(str(url))
    path = parts.path or "/"
    return path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def notify(user, kind: str, text, url: str | None = None) -> Notification:
    """Add an in-app notification about the page at `url`.

    `text` is best a Phrase (or a lazy string `_l(msgid, **params)`): it is stored as its source and
    parameters and shown in the reader's language and zone of the day. Plain text (or a callable giving
    it) is stored as it is, rendered in the user's language."""
    phrase = Phrase.of(text)
    if phrase is not None:
        with in_language(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
            text = phrase.render()
    elif callable(text):
        with in_language(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
            text = text()
    elif not isinstance(text, str):
        with in_language(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
            text = str(text)
    notification = Notification(user_id=user.id, kind=kind[:40], text=text[:300], url=_path_only(url)[:500],
                                phrase=phrase.to_json() if phrase is not None else None)
    db.session.add(notification)
    g.pop("_unread_notifications", None)
    return notification


def mirror_mail(user, kind: str, subject: str, url: str | None, in_app: bool | None) -> None:
    """The queue_mail hook: important mail also appears in the user's notification list."""
    if in_app is None and kind in MAIL_ONLY_KINDS:
        return
    notify(user, kind, subject, url)


def unread_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def unread_count_for_viewer() -> int:
    """For the bell in the navbar: one COUNT per page, only when the page shows the bell."""
    if not current_user.is_authenticated:
        return 0
    if "_unread_notifications" not in g:
        g._unread_notifications = unread_count(current_user)
    return g._unread_notifications


def mark_read(user, notification_id: int, now: datetime | None = None) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or not notification.can_see(user):
        raise NotFound()
    db.session.execute(update(Notification).where(Notification.id == notification_id,
                                                  Notification.read_at.is_(None))
                       .values(read_at=now or utcnow()).execution_options(synchronize_session=False))
    db.session.refresh(notification)
    return notification


def mark_all_read(user, now: datetime | None = None) -> int:
    result = db.session.execute(update(Notification).where(Notification.user_id == user.id,
                                                           Notification.read_at.is_(None))
                                .values(read_at=now or utcnow()).execution_options(synchronize_session=False))
    return result.rowcount


def save_preferences(user, receive: list[str]) -> list[str]:
    """`receive` lists the optional kinds the user still wants; the others are switched off.

    Essential kinds cannot be switched off; kinds this page does not offer keep their setting.
    """
    offered = {k.kind for k in mail_kinds_for(user)}
    unknown = set(receive) - offered
    if unknown:
        raise Invalid(fields={"receive": [_("Unknown kind of mail.")]})
    kept = [kind for kind in (user.notification_prefs or []) if kind not in offered and kind not in ESSENTIAL_KINDS]
    user.notification_prefs = sorted(set(kept) | (offered - set(receive)))
    return user.notification_prefs


def prune_notifications(now: datetime | None = None) -> int:
    """The daily job: read notifications older than NOTIFICATIONS_KEEP_DAYS go; unread ones stay."""
    from datetime import timedelta

    from sqlalchemy import delete

    cutoff = (now or utcnow()) - timedelta(days=int(current_app.config.get("NOTIFICATIONS_KEEP_DAYS", 180)))
    result = db.session.execute(delete(Notification).where(Notification.read_at.is_not(None),
                                                           Notification.read_at < cutoff)
                                .execution_options(synchronize_session=False))
    return result.rowcount



def latest_unread(user, limit: int = 5) -> list[Notification]:
    return list(db.session.scalars(select(Notification)
                                   .where(Notification.user_id == user.id, Notification.read_at.is_(None))
                                   .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))
