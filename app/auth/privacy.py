"""The account's part of personal data: export, erasure (the row is anonymised, not deleted), retention.

Why anonymise rather than delete the users row: enrolments, appointments and exchanges reference it with
ON DELETE CASCADE, so deleting it would take away what others rely on (a session's attendance, the other
side's exchange, coaching hours in the results). The row keeps only the id, role, country (for the
public per-country figures) and dates; everything that identifies the person is replaced.
"""
from __future__ import annotations

from sqlalchemy import delete, or_, select, update

from app.auth.models import ApiToken, PasswordReset, User, UserSession
from app.core.models import AuditEvent
from app.core.privacy import FORMER_PARTICIPANT, ErasureRequest, delete_rows_before, row_dict
from app.core.timeutil import utcnow
from app.extensions import db


def _audit_about(user: User):
    return or_(AuditEvent.actor_id == user.id, AuditEvent.target == f"user:{user.id}",
               AuditEvent.target == user.email)


def export_account(user: User) -> dict:
    account = row_dict(user, skip=("notification_prefs",))
    tokens = [row_dict(token) for token in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))]
    resets = [row_dict(reset) for reset in db.session.scalars(
        select(PasswordReset).where(PasswordReset.user_id == user.id).order_by(PasswordReset.id))]
    audit = [row_dict(event) for event in db.session.scalars(
        select(AuditEvent).where(_audit_about(user)).order_by(AuditEvent.at, AuditEvent.id))]
    sessions = [row_dict(row) for row in db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))]
    return {"account": account, "api_tokens": tokens, "password_resets": resets, "audit_events": audit,
            "browser_sessions": sessions}


def erase_account(user: User, request: ErasureRequest) -> str:
    """Last in the erasure order: anonymise the row, end every session and token, drop pending mail."""
    from app.auth.services import end_user_sessions
    from app.core.models import OutboxMessage
    from app.core.reminders import Reminder

    now = utcnow()
    old_email = user.email
    # Failed sign-ins name the address typed; they now name the account instead.
    db.session.execute(update(AuditEvent).where(AuditEvent.target == old_email)
                       .values(target=f"user:{user.id}").execution_options(synchronize_session=False))
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=now).execution_options(synchronize_session=False))
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id)
                       .values(name="", prefix="").execution_options(synchronize_session=False))
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    db.session.execute(delete(Reminder).where(Reminder.user_id == user.id))
    # Mail to the person is not sent any more, and its copies (address, texts) go.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == user.id)
                       .execution_options(synchronize_session=False))
    user.email = f"erased-{user.id}.invalid"  # unique, and not an address anyone can sign in with
    user.name = FORMER_PARTICIPANT
    user.organisation = ""
    user.password_hash = "!"  # matches no password (not a Werkzeug hash)
    user.is_active_account = False
    user.is_coach = False
    user.role = "participant"  # an erased administrator holds no rights
    end_user_sessions(user)  # every session and remember cookie dies
    user.feed_salt = None
    user.feed_token_hash = None
    user.languages = []
    user.notification_prefs = []
    user.last_login_at = None
    user.erased_at = now
    return "anonymised"


def prune_audit(cutoff) -> int:
    """Audit entries, and the IP addresses in them, are kept RETENTION_MONTHS."""
    return delete_rows_before(AuditEvent, AuditEvent.id, AuditEvent.at, cutoff)


def prune_password_resets(cutoff) -> int:
    return delete_rows_before(PasswordReset, PasswordReset.id, PasswordReset.created_at, cutoff)


def audit_users(ids, viewer) -> dict:
    """Names of the people audit records point at, linked to their admin page for administrators."""
    from flask import url_for

    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()
    admin = getattr(viewer, "is_admin", False)
    return {i: (name, url_for("admin.edit_user", user_id=i) if admin else None) for i, name in rows}
