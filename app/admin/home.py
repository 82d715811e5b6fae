"""The personal home's part for administrators (app/core/home.py): mail that failed for good and accounts
waiting for a Covenant role, each a link to the admin page that acts on it."""
from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from app.auth.models import User
from app.core.home import section_html
from app.core.models import OutboxMessage
from app.core.reference import COM_ROLES
from app.extensions import db

SHOWN = 3


def home_section(user):
    """None for anyone but administrators; four queries (two counts, two short lists)."""
    if not user.is_admin:
        return None
    failed = OutboxMessage.status == "failed"
    failed_count = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(failed))
    failed_mail = db.session.scalars(select(OutboxMessage).where(failed)
                                     .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                                     .limit(SHOWN)).all()
    waiting_count = db.session.scalar(select(func.count()).select_from(User).where(User.is_waiting_for_role))
    waiting = db.session.scalars(select(User).where(User.is_waiting_for_role)
                                 .order_by(User.created_at, User.id).limit(SHOWN)).all()
    return section_html(render_template("admin/_home.html", failed_count=failed_count, failed_mail=failed_mail,
                                        waiting_count=waiting_count, waiting=waiting, com_roles=COM_ROLES),
                        empty=not (failed_count or waiting_count))
