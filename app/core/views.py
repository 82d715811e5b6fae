"""Pages everyone sees: home, contact, language switch, health, calendar feeds."""
from __future__ import annotations

from urllib.parse import quote

from flask import current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from app.core import bp
from app.core.calendar import (
    build_calendar,
    calendar_etag,
    feed_data_tag,
    feed_events,
    ics_response,
    user_for_feed_token,
)
from app.core.forms import LanguageForm, TimezoneForm
from app.core.i18n import LANGUAGE_COOKIE, ZONE_COOKIE, viewer_timezone
from app.core.reference import PROJECT_COUNTRIES
from app.core.urls import safe_next
from app.extensions import csrf, db, limiter


@bp.route("/")
def home():
    """Visitors get the marketing page, signed-in people their own home."""
    if current_user.is_authenticated:
        return my_home()
    return render_template("home.html", project_countries=list(PROJECT_COUNTRIES))


@bp.route("/home")
def my_home():
    """A signed-in person's home: what each of their roles has to act on (app/core/home.py)."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("core.my_home")))
    from app.core.home import home_sections

    return render_template("my_home.html", sections=home_sections(current_user))


@bp.route("/contact")
def contact():
    return render_template("contact.html", contact_email=current_app.config["CONTACT_EMAIL"])


YEAR = 365 * 24 * 3600


@bp.route("/language", methods=["POST"])
def set_language():
    """Visitors keep their choice in a cookie for a year; signed-in people in their profile too."""
    form = LanguageForm()
    response = redirect(safe_next(request.form.get("next")) or url_for("core.home"))
    if form.validate_on_submit():
        session["language"] = form.language.data
        response.set_cookie(LANGUAGE_COOKIE, form.language.data, max_age=YEAR, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
        if current_user.is_authenticated:
            current_user.language = form.language.data
            db.session.commit()
    return response


@bp.route("/zone", methods=["GET", "POST"])
def set_zone():
    """The zone times are shown in: the browser's by default (static/js/app.js), or the one chosen here;
    a signed-in person's is their profile's."""
    form = TimezoneForm(next=request.args.get("next", ""), timezone=viewer_timezone())
    if form.validate_on_submit():
        response = redirect(safe_next(form.next.data) or url_for("core.home"))
        response.set_cookie(ZONE_COOKIE, quote(form.timezone.data, safe=""), max_age=YEAR, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
        if current_user.is_authenticated:
            current_user.timezone = form.timezone.data
            db.session.commit()
        flash(_("Times are now shown in %(zone)s.", zone=form.timezone.data), "success")
        return response
    return render_template("zone.html", form=form), 400 if form.errors else 200


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """The database, and Redis when it holds the rate limits: 503 naming what failed."""
    checks = {"database": _database_ok()}
    if _redis_storage_uri():
        checks["redis"] = _redis_ok()
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "error", **{k: "ok" if ok else "error" for k, ok in checks.items()}}
    return jsonify(body), 200 if healthy else 503


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        current_app.logger.exception("healthz: the database does not answer")
        db.session.rollback()
        return False


def _redis_storage_uri() -> str | None:
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    return uri if "redis" in uri.partition("://")[0] else None


def _redis_ok() -> bool:
    """The rate-limit storage answers (its own connection, from the same URI and options)."""
    from limits.storage import storage_from_string

    storage = current_app.extensions.get("healthz_redis")
    if storage is None:
        options = {"socket_timeout": 2, "socket_connect_timeout": 2,
                   **current_app.config.get("RATELIMIT_STORAGE_OPTIONS", {})}
        storage = current_app.extensions["healthz_redis"] = storage_from_string(_redis_storage_uri(), **options)
    try:
        return bool(storage.check())
    except Exception:
        return False


@bp.route("/calendar/<token>.ics")
@csrf.exempt
def calendar_feed(token: str):
    user = user_for_feed_token(token)
    if user is None:
        return current_app.response_class(_("This calendar address is no longer valid."), status=404,
                                          content_type="text/plain; charset=utf-8")
    name, language = _("Mayors in Action – %(name)s", name=user.name), str(get_locale())
    # The ETag is "<data>.<events>": the data versions its sources read, then a hash of the events.
    # Polled again with nothing changed anywhere: a 304 from the versions alone, no event read. Data
    # changed, but not this feed's events (someone else's seat): a 304 after reading them, nothing built.
    sent = request.if_none_match.as_set(include_weak=True)
    data_tag = feed_data_tag(user, name, language)
    same = next((tag for tag in sent if data_tag and tag.split(".")[0] == data_tag), None)
    if same is not None:
        return _feed_response(current_app.response_class(status=304), same)
    events = feed_events(user)
    events_tag = calendar_etag(events, name, language)
    etag = f"{data_tag}.{events_tag}" if data_tag else events_tag
    if any(tag.rsplit(".", 1)[-1] == events_tag for tag in sent):
        return _feed_response(current_app.response_class(status=304), etag)
    return _feed_response(ics_response(build_calendar(events, method="PUBLISH", name=name), "mayors-in-action.ics"),
                          etag)


def _feed_response(response, etag: str):
    response.set_etag(etag, weak=True)  # calendar apps keep their copy and ask with If-None-Match
    response.headers["Cache-Control"] = "no-store"  # a personal calendar stays out of HTTP caches
    return response


@bp.route("/privacy")
def privacy():
    return render_template("privacy.html", months=current_app.config.get("RETENTION_MONTHS", 12),
                           contact_email=current_app.config["CONTACT_EMAIL"])
