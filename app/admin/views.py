"""Admin pages. Every view here requires an administrator."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from app.admin import bp
from app.auth import services
from app.auth.forms import AdminEraseForm, AdminUserForm
from app.auth.models import User
from app.core.audit import sentences as audit_sentences
from app.core.forms import ConfirmForm, saving
from app.core.models import AuditEvent, OutboxMessage
from app.core.pagination import paginate
from app.core.permissions import admin_required, load_visible
from app.core.reference import COM_ROLES
from app.core.text import search_words
from app.core.urls import safe_next
from app.extensions import db


@bp.before_request
@admin_required
def _admins_only():
    """Every admin page: administrators only (403 for others, login for visitors)."""


@bp.route("/")
def index():
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    queued = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                               .where(OutboxMessage.status != "sent")) or 0
    waiting = db.session.scalar(select(func.count()).select_from(User).where(User.is_waiting_for_role)) or 0
    return render_template("admin/index.html", counts=counts, queued=queued, waiting=waiting)


@bp.route("/users")
def users():
    q = search_words(request.args.get("q"))
    role = request.args.get("role") or ""
    claim = request.args.get("claim") or ""
    country = (request.args.get("country") or "").strip().upper()[:2]
    countries = sorted(c for c in db.session.scalars(select(User.country).distinct()) if c)
    if country not in countries:
        country = ""  # an unknown country is ignored, not an error
    query = select(User).order_by(User.name, User.id)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like),
                                func.lower(User.organisation).like(like)))
    if role in ("participant", "trainer", "admin"):
        query = query.where(User.role == role)
    if claim == "waiting":
        query = query.where(User.is_waiting_for_role)
    if country:
        query = query.where(User.country == country)
    return render_template("admin/users.html", page=paginate(query), q=q, role=role, claim=claim,
                           country=country, countries=countries, com_roles=COM_ROLES)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = load_visible(User, user_id, current_user)
    form = AdminUserForm(data={"role": user.role, "is_coach": user.is_coach, "is_active": user.is_active_account})
    if form.validate_on_submit():
        with saving(form, success=_("Saved changes to %(name)s.", name=user.name)) as saved:
            services.set_role(current_user, user, **form.values())
        if saved:
            return redirect(url_for("admin.users"))
    events = db.session.scalars(select(AuditEvent).where(
        or_(AuditEvent.actor_id == user.id, AuditEvent.target == f"user:{user.id}"))
        .order_by(AuditEvent.at.desc()).limit(20)).all()
    return render_template("admin/user_edit.html", user=user, form=form, events=events, com_roles=COM_ROLES,
                           confirm_form=ConfirmForm(), erase_form=AdminEraseForm(prefix="erase"))


@bp.route("/users/<int:user_id>/erase", methods=["POST"])
def erase_user(user_id: int):
    """Delete an account and its personal data on the person's request (GDPR); audited."""
    user = load_visible(User, user_id, current_user)
    form = AdminEraseForm(prefix="erase")
    if user.id == current_user.id:
        flash(_("Delete your own account from your profile page (it asks for your password)."), "danger")
    elif not form.validate_on_submit():
        flash(_("Tick the box to confirm the deletion."), "danger")
    else:
        with saving(success=_("The account and its personal data are deleted."),
                    show=lambda error: flash(error.message, "danger")) as saved:
            services.erase_user(current_user, user, **form.values())
        if saved:
            return redirect(url_for("admin.users"))
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/com-role/<decision>", methods=["POST"])
def decide_com_role(user_id: int, decision: str):
    """Grant or deny the Covenant role an account claims."""
    user = load_visible(User, user_id, current_user)
    if decision not in ("grant", "deny") or not ConfirmForm().validate_on_submit():
        abort(400)
    services.decide_com_role(current_user, user, decision == "grant")
    db.session.commit()
    label = COM_ROLES.get(user.com_role, user.com_role)
    if decision == "grant":
        flash(_("%(name)s is now confirmed as %(role)s.", name=user.name, role=label), "success")
    else:
        flash(_("The role %(role)s of %(name)s is denied.", name=user.name, role=label), "info")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/outbox")
def outbox():
    status = request.args.get("status") or ""
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status in ("queued", "sent", "failed"):
        query = query.where(OutboxMessage.status == status)
    return render_template("admin/outbox.html", page=paginate(query), status=status, confirm_form=ConfirmForm())


@bp.route("/outbox/<int:message_id>")
def outbox_message(message_id: int):
    message = load_visible(OutboxMessage, message_id, current_user)
    return render_template("admin/outbox_message.html", message=message, confirm_form=ConfirmForm())


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
def retry_outbox_message(message_id: int):
    """A failed mail goes back into the queue; the next delivery run sends it."""
    from app.core.delivery import retry_message

    message = load_visible(OutboxMessage, message_id, current_user)
    if ConfirmForm().validate_on_submit() and retry_message(message):
        db.session.commit()
        flash(_("The mail to %(email)s is queued again.", email=message.to_email), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("admin.outbox_message", message_id=message.id))


@bp.route("/audit")
def audit_log():
    action = (request.args.get("action") or "").strip()[:64]
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action.like(f"{action}%"))
    page = paginate(query)
    return render_template("admin/audit.html", page=page, action=action,
                           sentences=audit_sentences(page.items, current_user))
