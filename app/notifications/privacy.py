"""Notifications' part of personal data: the in-app notifications and the mail preferences."""
from __future__ import annotations

from sqlalchemy import delete, select

from app.core.privacy import ErasureRequest, row_dict
from app.extensions import db
from app.notifications.models import Notification


def export_notifications(user) -> dict:
    items = db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                               .order_by(Notification.id))
    return {"notifications": [row_dict(n) for n in items],
            "mail_switched_off": list(user.notification_prefs or [])}


def erase_notifications(user, request: ErasureRequest) -> str:
    """Late in the order: also what other features' cancellations just mirrored in-app."""
    count = db.session.execute(delete(Notification).where(Notification.user_id == user.id)
                               .execution_options(synchronize_session=False)).rowcount
    user.notification_prefs = []
    return f"{count} notifications deleted"
