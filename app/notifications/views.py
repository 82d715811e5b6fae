"""The notification list, marking read, and mail preferences."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.forms import ConfirmForm, saving
from app.core.home import section_html
from app.core.mail import ESSENTIAL_KINDS, mail_kinds_for
from app.core.pagination import paginate
from app.core.urls import safe_next
from app.extensions import db
from app.notifications import bp, services
from app.notifications.forms import PreferencesForm
from app.notifications.models import Notification


@bp.route("/")
@login_required
def index():
    page = paginate(select(Notification).where(Notification.user_id == current_user.id)
                    .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return render_template("notifications/index.html", page=page, confirm_form=ConfirmForm(),
                           unread=services.unread_count_for_viewer())


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):
    """Opening a notification marks it read and follows its link (a POST: GET never writes)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("notifications.index"))
    notification = services.mark_read(current_user, notification_id)  # NotFound: the 404 page, not a flash
    db.session.commit()
    return redirect(safe_next(notification.url) or url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    if ConfirmForm().validate_on_submit():
        with saving() as saved:
            count = services.mark_all_read(current_user)
        if saved and count:
            flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    kinds = mail_kinds_for(current_user)
    form = PreferencesForm(current_user, data={
        "receive": [k.kind for k in kinds if current_user.wants_mail(k.kind)]})
    if form.validate_on_submit():
        with saving(form, success=_("Your mail preferences are saved.")) as saved:
            services.save_preferences(current_user, **form.values())
        if saved:
            return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form, kinds=kinds,
                           essential=sorted(ESSENTIAL_KINDS))


def home_section(user):
    """The personal home's section (app/core/home.py): the latest unread notifications, each opening
    its item; two queries, the count shared with the bell."""
    count = services.unread_count_for_viewer() if user is current_user._get_current_object() else \
        services.unread_count(user)
    return section_html(render_template("notifications/_home.html", items=services.latest_unread(user), unread=count,
                                        confirm_form=ConfirmForm()), empty=not count)
