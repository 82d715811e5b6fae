"""JSON API: the caller's notifications and mail preferences."""
from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app.api import Blueprint, InputSchema, PageArgs, UTCDateTime, api_user, list_schema, page_of
from app.core.mail import ESSENTIAL_KINDS, mail_kinds_for
from app.core.text import CODE_MAX
from app.extensions import db
from app.notifications import services
from app.notifications.models import Notification

blp = Blueprint("notifications_api", __name__, description="The caller's notifications and mail preferences")


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    text = fields.String(attribute="shown_text")
    url = fields.String()
    created_at = UTCDateTime()
    read_at = UTCDateTime()


class NotificationArgs(PageArgs):
    unread = fields.Boolean(load_default=False)


class MarkedSchema(Schema):
    marked = fields.Integer()


class PreferencesSchema(Schema):
    receive = fields.List(fields.String(), metadata={"description": "optional kinds the caller receives"})
    switched_off = fields.List(fields.String())
    available = fields.List(fields.Dict(), metadata={"description": "[{kind, label}] the caller may switch"})
    essential = fields.List(fields.String(), metadata={"description": "kinds nobody can switch off"})


class PreferencesInSchema(InputSchema):
    receive = fields.List(fields.String(validate=validate.Length(max=CODE_MAX)), required=True)


def _preferences(user) -> dict:
    kinds = mail_kinds_for(user)
    return {"receive": [k.kind for k in kinds if user.wants_mail(k.kind)],
            "switched_off": [k.kind for k in kinds if not user.wants_mail(k.kind)],
            "available": [{"kind": k.kind, "label": str(k.label)} for k in kinds],
            "essential": sorted(ESSENTIAL_KINDS)}


@blp.route("/me/notifications", methods=["GET"])
@blp.arguments(NotificationArgs, location="query")
@blp.response(200, list_schema(NotificationSchema))
def my_notifications(args):
    """The caller's notifications, newest first (`unread=true` for the unread ones)."""
    query = select(Notification).where(Notification.user_id == api_user().id)
    if args.get("unread"):
        query = query.where(Notification.read_at.is_(None))
    return page_of(query.order_by(Notification.created_at.desc(), Notification.id.desc()), args)


@blp.route("/me/notifications/<int:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationSchema)
def read_notification(notification_id: int):
    """Mark one notification read (404 for someone else's)."""
    notification = services.mark_read(api_user(), notification_id)
    db.session.commit()
    return notification


@blp.route("/me/notifications/read-all", methods=["POST"])
@blp.response(200, MarkedSchema)
def read_all_notifications():
    """Mark every notification of the caller read."""
    marked = services.mark_all_read(api_user())
    db.session.commit()
    return {"marked": marked}


@blp.route("/me/notification-preferences", methods=["GET"])
@blp.response(200, PreferencesSchema)
def my_preferences():
    """Which optional mails the caller receives."""
    return _preferences(api_user())


@blp.route("/me/notification-preferences", methods=["PUT"])
@blp.arguments(PreferencesInSchema)
@blp.response(200, PreferencesSchema)
def set_my_preferences(data):
    """Set the optional mails the caller receives; the others are switched off (essential mail stays on)."""
    services.save_preferences(api_user(), data["receive"])
    db.session.commit()
    return _preferences(api_user())
