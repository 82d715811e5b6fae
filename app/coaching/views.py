"""Coaching pages: find a coach, book a free slot, my appointments, the coach's availability editor."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from app.coaching import bp, services
from app.coaching.forms import (
    WEEKDAY_NAMES,
    AvailabilityForm,
    BookForm,
    CancelForm,
    CoachFilterForm,
    NoShowForm,
    SlotForm,
    SummaryForm,
)
from app.coaching.models import Appointment
from app.core import cache
from app.core.calendar import ics_response
from app.core.forms import saving
from app.core.i18n import viewer_timezone
from app.core.pagination import paginate
from app.core.permissions import load_visible, role_required
from app.core.routing import as_id
from app.core.timeutil import check_year, parse_iso, to_zone, utcnow
from app.extensions import db

coach_required = role_required("is_coach")
SLOT_TAKEN = _l("Sorry: somebody booked this slot a moment ago. Please choose another one.")


def _load_appointment(appointment_id: int, *, manage: bool = False) -> Appointment:
    """404 unless it is mine to see; with `manage`, 403 unless it is mine to run (its coach, an admin)."""
    return load_visible(Appointment, appointment_id, current_user, can_see=lambda a, u: a.can_see(u),
                        can_change=(lambda a, u: a.can_manage(u)) if manage else None,
                        options=[joinedload(Appointment.coach), joinedload(Appointment.participant)])


def _profile_or_404(coach_id: int):
    profile = services.get_profile(coach_id)
    if profile is None or not profile.coach.is_coach or not profile.coach.is_active_account:
        abort(404)
    return profile


def _start_day(value: str | None, tz: str) -> date:
    try:
        return check_year(date.fromisoformat(value)) if value else to_zone(utcnow(), tz).date()
    except ValueError:  # unparsable, or a year whose weeks overflow (9999-12-31 plus six days)
        return to_zone(utcnow(), tz).date()


def _by_viewer_day(slots):
    tz = viewer_timezone()
    return [(day, list(items)) for day, items in groupby(slots, key=lambda s: to_zone(s.starts_at, tz).date())]


@bp.route("/")
def index():
    form = CoachFilterForm(request.args)
    form.validate()
    query = services.find_coaches(topic=form.topic.data or None, language=form.language.data or None,
                                  country=form.country.data or None)
    page = paginate(query)
    upcoming = []
    if current_user.is_authenticated:
        upcoming = db.session.scalars(services.appointments_of(current_user, when="upcoming", status="booked")
                                      .limit(3)).unique().all()
    return render_template("coaching/index.html", form=form, page=page, upcoming=upcoming)


@bp.route("/coaches/<int:coach_id>")
def coach(coach_id: int):
    profile = _profile_or_404(coach_id)
    first = _start_day(request.args.get("start"), profile.timezone)
    last = first + timedelta(days=6)
    slots = services.free_slots(profile, first, last)
    moving = None
    if request.args.get("reschedule") and current_user.is_authenticated:
        moving = _load_appointment(as_id(request.args.get("reschedule")) or 0)
        if moving.coach_id != profile.coach_id:
            abort(404)
    today = to_zone(utcnow(), profile.timezone).date()
    return render_template("coaching/coach.html", profile=profile, days=_by_viewer_day(slots), first=first,
                           last=last, moving=moving, slot_form=SlotForm(),
                           prev_start=max(today, first - timedelta(days=7)) if first > today else None,
                           next_start=last + timedelta(days=1))


@bp.route("/coaches/<int:coach_id>/book", methods=["GET", "POST"])
@login_required
def book(coach_id: int):
    profile = _profile_or_404(coach_id)
    form = BookForm(topics=profile.topics or None)
    if request.method == "GET":
        form.starts_at.data = request.args.get("starts_at", "")
    try:
        starts_at = parse_iso(form.starts_at.data or "")
    except ValueError:
        flash(_("Choose one of the free slots."), "warning")
        return redirect(url_for("coaching.coach", coach_id=coach_id))
    if request.method == "GET":
        day = to_zone(starts_at, profile.timezone).date()
        if starts_at not in {slot.starts_at for slot in services.free_slots(profile, day, day)}:
            flash(_("This time is no longer free. Please choose another one."), "warning")
            return redirect(url_for("coaching.coach", coach_id=coach_id, start=day.isoformat()))
    if form.validate_on_submit():
        with saving(success=_("Your appointment is booked. We sent the invitation to you and your coach."),
                    messages={services.SlotTaken: SLOT_TAKEN}) as saved:
            appointment = services.book_appointment(current_user, coach_id=coach_id, starts_at=starts_at, **form.values())
        if saved:
            return redirect(url_for("coaching.appointment", appointment_id=appointment.id))
        if isinstance(saved.error, services.SlotTaken):
            return redirect(url_for("coaching.coach", coach_id=coach_id,
                                    start=to_zone(starts_at, profile.timezone).date().isoformat()))
        return redirect(url_for("coaching.coach", coach_id=coach_id))
    return render_template("coaching/book.html", profile=profile, form=form, starts_at=starts_at)


@bp.route("/appointments/")
@login_required
def appointments():
    """Kept per person and page of the history (`cache.personal`) until coaching data or an account changes."""
    def render_body() -> str:
        upcoming = db.session.scalars(services.appointments_of(current_user, when="upcoming")).unique().all()
        past = paginate(services.appointments_of(current_user, when="past"))
        return render_template("coaching/_appointments.html", upcoming=upcoming, past=past)

    return render_template("coaching/appointments.html", body=cache.personal_html(
        current_user, ("coaching", "people"), ("appointments", request.query_string), render_body))


@bp.route("/appointments/<int:appointment_id>")
@login_required
def appointment(appointment_id: int):
    item = _load_appointment(appointment_id)
    profile = services.get_profile(item.coach_id)
    cutoff = profile.cancel_cutoff_hours if profile else 0
    summary_form = SummaryForm(obj=item) if item.can_record_summary(current_user) else None
    return render_template("coaching/appointment.html", item=item, profile=profile,
                           can_change=item.can_change(current_user, cutoff), cutoff=cutoff,
                           cancel_form=CancelForm(), summary_form=summary_form, no_show_form=NoShowForm(),
                           now_utc=utcnow())


@bp.route("/appointments/<int:appointment_id>/invitation.ics")
@login_required
def appointment_ics(appointment_id: int):
    data, method = services.appointment_ics(_load_appointment(appointment_id))
    return ics_response(data, f"coaching-{appointment_id}.ics", method=method)


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["POST"])
@login_required
def cancel(appointment_id: int):
    item = _load_appointment(appointment_id)
    form = CancelForm()
    if form.validate_on_submit():
        with saving(success=_("The appointment is cancelled. We told both sides.")):
            services.cancel_appointment(current_user, item, **form.values())
    return redirect(url_for("coaching.appointment", appointment_id=appointment_id))


@bp.route("/appointments/<int:appointment_id>/reschedule", methods=["POST"])
@login_required
def reschedule(appointment_id: int):
    item = _load_appointment(appointment_id)
    form = SlotForm()
    coach_id = item.coach_id
    if form.validate_on_submit():
        try:
            starts_at = parse_iso(form.starts_at.data)
        except ValueError:
            flash(_("Choose one of the free slots."), "warning")
            return redirect(url_for("coaching.coach", coach_id=coach_id, reschedule=appointment_id))
        with saving(success=_("The appointment has moved. We sent the updated invitation to both sides."),
                    messages={services.SlotTaken: SLOT_TAKEN}) as saved:
            services.reschedule_appointment(current_user, item, starts_at=starts_at)
        if saved:
            return redirect(url_for("coaching.appointment", appointment_id=appointment_id))
    return redirect(url_for("coaching.coach", coach_id=coach_id, reschedule=appointment_id))


@bp.route("/appointments/<int:appointment_id>/summary", methods=["POST"])
@login_required
def summary(appointment_id: int):
    item = _load_appointment(appointment_id, manage=True)
    form = SummaryForm()
    if form.validate_on_submit():
        with saving(success=_("The summary is saved and shared with the participant.")):
            services.record_summary(current_user, item, **form.values())
    else:
        flash(_("Write a summary first."), "warning")
    return redirect(url_for("coaching.appointment", appointment_id=appointment_id))


@bp.route("/appointments/<int:appointment_id>/no-show", methods=["POST"])
@login_required
def no_show(appointment_id: int):
    item = _load_appointment(appointment_id, manage=True)
    form = NoShowForm()
    if form.validate_on_submit():
        with saving():
            services.mark_no_show(current_user, item, **form.values())
    return redirect(url_for("coaching.appointment", appointment_id=appointment_id))


SETTINGS = ("timezone", "slot_minutes", "buffer_minutes", "min_notice_hours", "cancel_cutoff_hours", "max_per_day",
            "horizon_days", "topics", "languages", "meeting_mode", "meeting_url", "meeting_place", "bio",
            "is_accepting")


def _settings_of(profile) -> dict:
    if profile is None:
        return {"timezone": current_user.timezone, "slot_minutes": 60, "buffer_minutes": 0, "min_notice_hours": 24,
                "cancel_cutoff_hours": 4, "languages": list(current_user.languages or []), "is_accepting": True,
                "meeting_mode": "online"}
    return {name: getattr(profile, name) for name in SETTINGS}


def _fill_rows(form: AvailabilityForm, profile) -> None:
    for rule in profile.weekly if profile else []:
        form.weekly.append_entry({"weekday": rule.weekday, "start": rule.start_time, "end": rule.end_time})
    for item in profile.exceptions if profile else []:
        form.exceptions.append_entry({"day": item.day, "kind": item.kind, "start": item.start_time,
                                      "end": item.end_time})


def _pad_rows(form: AvailabilityForm) -> None:
    """Empty rows to add ranges and exceptions without JavaScript."""
    for _i in range(3):
        form.weekly.append_entry()
    for _i in range(2):
        form.exceptions.append_entry()


@bp.route("/availability", methods=["GET", "POST"])
@coach_required
def availability():
    profile = services.get_profile(current_user.id)
    form = None
    if request.method == "POST":
        form = AvailabilityForm()
    if request.method == "GET":
        form = AvailabilityForm(data=_settings_of(profile))
        _fill_rows(form, profile)
        _pad_rows(form)
    elif form.validate_on_submit():
        with saving(form, success=_("Your availability is saved."), show=form.show_errors) as saved:
            services.set_availability(current_user, services.validate_availability(**form.values()))
        if saved:
            return redirect(url_for("coaching.availability"))
    else:
        flash(_("Please correct the marked fields."), "danger")
    upcoming = []
    if profile is not None:
        upcoming = services.free_slots(profile, to_zone(utcnow(), profile.timezone).date(),
                                       to_zone(utcnow(), profile.timezone).date() + timedelta(days=13))[:12]
    return render_template("coaching/availability.html", form=form, profile=profile, weekday_names=WEEKDAY_NAMES,
                           preview=upcoming)


@bp.app_template_filter("coaching_iso")
def _iso(value: datetime) -> str:
    return value.isoformat()
