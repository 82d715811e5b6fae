"""Pages everyone sees: home, contact, language switch, health, calendar feeds."""
from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from app.core import bp
from app.core.calendar import build_calendar, feed_events, ics_response, user_for_feed_token
from app.core.forms import LanguageForm
from app.core.reference import PROJECT_COUNTRIES
from app.core.urls import safe_next
from app.extensions import csrf, db, limiter


@bp.route("/")
def home():
    return render_template("home.html", project_countries=list(PROJECT_COUNTRIES))


@bp.route("/contact")
def contact():
    return render_template("contact.html", contact_email=current_app.config["CONTACT_EMAIL"])


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["language"] = form.language.data
        if current_user.is_authenticated:
            current_user.language = form.language.data
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("core.home"))


@bp.route("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:
        database = "error"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "error", database=database), status


@bp.route("/calendar/<token>.ics")
@csrf.exempt
def calendar_feed(token: str):
    user = user_for_feed_token(token)
    if user is None:
        return current_app.response_class(_("This calendar address is no longer valid."), status=404,
                                          content_type="text/plain; charset=utf-8")
    data = build_calendar(feed_events(user), method="PUBLISH", name=_("Mayors in Action – %(name)s",
                                                                      name=user.name))
    return ics_response(data, "mayors-in-action.ics")


@bp.route("/privacy")
def privacy():
    return render_template("privacy.html", months=current_app.config.get("RETENTION_MONTHS", 12),
                           contact_email=current_app.config["CONTACT_EMAIL"])
