"""Training pages: catalogue, module and session pages, trainer management, My training, certificates."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.auth.services import find_user_by_email
from app.core import cache
from app.core.calendar import ics_response
from app.core.errors import json_error
from app.core.forms import ConfirmForm, saving
from app.core.i18n import format_day, format_span
from app.core.markdown import render_markdown
from app.core.pagination import paginate
from app.core.permissions import load_visible, role_required
from app.core.reference import TOPICS
from app.core.routing import as_id
from app.core.text import spreadsheet_safe
from app.core.timeutil import to_zone, utcnow
from app.courses import bp, queries, services
from app.courses.certificates import certificate_pdf
from app.courses.forms import (
    ENROLMENT_LABELS,
    FORMAT_LABELS,
    LEVEL_LABELS,
    STATUS_LABELS,
    AddParticipantForm,
    CancelSessionForm,
    EnrolForm,
    FeedbackForm,
    MaterialForm,
    ModuleForm,
    PreviewForm,
    SessionForm,
    VerifyForm,
)
from app.courses.models import Certificate, Enrolment, Material, Module, TrainingSession
from app.extensions import db

trainer_required = role_required("is_trainer")


@bp.app_context_processor
def _labels():
    return {"level_labels": LEVEL_LABELS, "format_labels": FORMAT_LABELS, "module_status_labels": STATUS_LABELS,
            "enrolment_labels": ENROLMENT_LABELS}


def _can_see(obj, user) -> bool:
    return obj.can_see(user)


def _can_edit(obj, user) -> bool:
    return obj.can_edit(user)


def _can_manage(obj, user) -> bool:
    return obj.can_manage(user)


# Catalogue ----------------------------------------------------------------------------------------
@bp.route("/")
def index():
    args = request.args
    when = args.get("when", "") if args.get("when", "") in queries.WHEN_CHOICES else ""
    filters = {"q": args.get("q", ""), "topic": args.get("topic", "") if args.get("topic") in TOPICS else "",
               "language": args.get("language", "")[:8], "format": args.get("format", "")
               if args.get("format") in FORMAT_LABELS else "", "country": args.get("country", "")[:8]}

    def render() -> str:
        query = queries.module_query(current_user, **filters, upcoming=when == "upcoming",
                                     within_days=int(when) if when.isdigit() else None)
        page = paginate(query.options(selectinload(Module.trainers)))
        sessions = queries.next_sessions([m.id for m in page.items])
        mine = queries.enrolments_by_session(current_user, [s.id for ss in sessions.values() for s in ss])
        return render_template(
            "courses/index.html", page=page, sessions=_lines(sessions), mine=mine, filters=filters, when=when,
            countries=queries.session_countries(), languages=queries.module_languages(), topics=TOPICS)

    # Visitors share the whole page, per language, zone and query, until the catalogue changes;
    # signed-in people see their own seats: rendered for them (docs/caching.md).
    return cache.visitor_page("catalogue", render)


def _lines(sessions: dict[int, list[TrainingSession]]) -> dict[int, list[tuple[TrainingSession, str]]]:
    """Each session with its dates in the viewer's zone and language, formatted once per page
    (the catalogue shows up to 60 of them: Babel's per-call context lookups add up)."""
    return {module_id: [(s, format_span(s.starts_at, s.ends_at)) for s in items]
            for module_id, items in sessions.items()}


@bp.route("/modules/<int:module_id>")
def module_detail(module_id: int):
    module = load_visible(Module, module_id, current_user, can_see=_can_see,
                          options=[selectinload(Module.trainers), selectinload(Module.prerequisites),
                                   selectinload(Module.materials)])
    now = utcnow()
    sessions = db.session.scalars(select(TrainingSession).where(TrainingSession.module_id == module.id)
                                  .order_by(TrainingSession.starts_at)).all()
    upcoming = [s for s in sessions if not s.has_ended(now)]
    past = [s for s in sessions if s.has_ended(now)]
    mine = queries.enrolments_by_session(current_user, [s.id for s in sessions])
    can_edit = module.can_edit(current_user)
    show_materials = module.can_download_materials(
        current_user, enrolled=any(e.status == "enrolled" for e in mine.values()))
    return render_template("courses/module.html", module=module, upcoming=upcoming, past=past, mine=mine,
                           can_edit=can_edit, show_materials=show_materials, enrol_form=EnrolForm(),
                           confirm_form=ConfirmForm(), material_form=MaterialForm(), now=now)


# Trainers: modules --------------------------------------------------------------------------------
def _module_form(module: Module | None = None) -> ModuleForm:
    trainers = db.session.scalars(select(User).where(User.role.in_(("trainer", "admin")),
                                                     User.is_active_account.is_(True)).order_by(User.name)).all()
    modules = db.session.scalars(select(Module).where(Module.status != "archived").order_by(Module.title)).all()
    form = ModuleForm(obj=module, trainers=trainers, modules=[m for m in modules if m is not module])
    if request.method == "GET" and module is not None:
        form.trainer_ids.data = [t.id for t in module.trainers]
        form.prerequisite_ids.data = [p.id for p in module.prerequisites]
    elif request.method == "GET":
        form.trainer_ids.data = [current_user.id]
        form.language.data = current_user.language or "en"
    return form


@bp.route("/manage")
@trainer_required
def manage():
    modules, now = queries.trainer_modules(current_user), utcnow()
    upcoming = {m.id: [s for s in m.sessions if not s.is_cancelled and not s.is_held(now)] for m in modules}
    past = {m.id: sorted((s for s in m.sessions if s.is_held(now)), key=lambda s: s.starts_at, reverse=True)
            for m in modules}
    states = queries.session_states([s.id for held in past.values() for s in held])
    return render_template("courses/manage.html", modules=modules, now=now, upcoming=upcoming, past=past,
                           states=states)


@bp.route("/modules/new", methods=["GET", "POST"])
@trainer_required
def new_module():
    form = _module_form()
    if form.validate_on_submit():
        with saving(form, success=_("The module is saved. Now add its sessions.")) as saved:
            module = services.create_module(current_user, **form.values(trainer_ids=[current_user.id]))
        if saved:
            return redirect(url_for("courses.new_session", module_id=module.id))
    return render_template("courses/module_form.html", form=form, module=None)


@bp.route("/modules/<int:module_id>/edit", methods=["GET", "POST"])
@login_required
def edit_module(module_id: int):
    module = load_visible(Module, module_id, current_user, can_see=_can_see, can_change=_can_edit)
    form = _module_form(module)
    if form.validate_on_submit():
        with saving(form, success=_("The module is saved.")) as saved:
            services.update_module(current_user, module, **form.values(trainer_ids=[current_user.id]))
        if saved:
            return redirect(url_for("courses.module_detail", module_id=module.id))
    return render_template("courses/module_form.html", form=form, module=module)


@bp.route("/modules/preview", methods=["POST"])
@trainer_required
def preview_description():
    """The module form's "Preview": the description rendered and sanitised as it will be saved (JSON)."""
    form = PreviewForm()
    if not form.validate_on_submit():
        message = " ".join(form.text.errors) or _("The form expired; please send it again.")
        return json_error(422, "invalid", message, form.errors)
    response = {"html": str(render_markdown(form.text.data))}
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/modules/<int:module_id>/materials", methods=["POST"])
@login_required
def add_material(module_id: int):
    module = load_visible(Module, module_id, current_user, can_see=_can_see, can_change=_can_edit)
    form = MaterialForm()
    if form.validate_on_submit():
        with saving(success=_("The material is added.")):
            services.add_material(current_user, module, **form.values(max_bytes=services.max_material_bytes()))
    else:
        flash(_("Please correct the marked fields."), "danger")
    return redirect(url_for("courses.module_detail", module_id=module.id) + "#materials")


@bp.route("/materials/<int:material_id>")
def material(material_id: int):
    item = load_visible(Material, material_id, current_user, can_see=lambda m, u: m.module.can_see(u))
    module = item.module
    if not module.can_download_materials(current_user):
        if not current_user.is_authenticated:  # a seat holder who is not signed in yet
            return current_app.login_manager.unauthorized()
        abort(403)
    if item.kind == "link":
        return redirect(item.url)
    response = current_app.response_class(item.data, content_type=item.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{item.filename}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/materials/<int:material_id>/delete", methods=["POST"])
@login_required
def delete_material(material_id: int):
    item = load_visible(Material, material_id, current_user, can_see=lambda m, u: m.module.can_see(u),
                        can_change=lambda m, u: m.module.can_edit(u))
    module_id = item.module_id
    if ConfirmForm().validate_on_submit():
        with saving(success=_("The material is removed."), category="info"):
            services.delete_material(current_user, item)
    return redirect(url_for("courses.module_detail", module_id=module_id) + "#materials")


# Trainers: sessions -------------------------------------------------------------------------------
def _local(value: datetime | None, tz: str) -> datetime | None:
    return to_zone(value, tz).replace(tzinfo=None) if value else None


@bp.route("/modules/<int:module_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(module_id: int):
    module = load_visible(Module, module_id, current_user, can_see=_can_see, can_change=_can_edit)
    form = SessionForm()
    if request.method == "GET":
        form.timezone.data = current_user.timezone
        form.country.data = current_user.country if module.format != "online" else ""
        form.capacity.data = 20
    if form.validate_on_submit():
        with saving(form, success=_("The session is saved.")) as saved:
            session = services.add_session(current_user, module, **form.values())
        if saved:
            return redirect(url_for("courses.session_detail", session_id=session.id))
    return render_template("courses/session_form.html", form=form, module=module, session=None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see, can_change=_can_manage)
    form = SessionForm(obj=session)
    if request.method == "GET":
        for name in ("starts_at", "ends_at", "enrol_opens_at", "enrol_closes_at", "unenrol_deadline"):
            getattr(form, name).data = _local(getattr(session, name), session.timezone)
        form.country.data = session.country or ""
    if form.validate_on_submit():
        with saving(form, success=_("The session is saved.")) as saved:
            values = form.values()
            if not session.can_change_enrolment_window():  # the form leaves those fields out
                for name in ("enrol_opens_at", "enrol_closes_at", "unenrol_deadline"):
                    values.pop(name, None)
            services.update_session(current_user, session, **values)
        if saved:
            return redirect(url_for("courses.session_detail", session_id=session.id))
    return render_template("courses/session_form.html", form=form, module=session.module, session=session)


@bp.route("/sessions/<int:session_id>/duplicate", methods=["POST"])
@login_required
def duplicate_session(session_id: int):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see, can_change=_can_manage)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with saving(success=_("A copy one week later is saved; adjust its dates here.")) as saved:
        copy = services.duplicate_session(current_user, session)
    if not saved:
        return redirect(url_for("courses.session_detail", session_id=session.id))
    return redirect(url_for("courses.edit_session", session_id=copy.id))


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_session(session_id: int):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see, can_change=_can_manage)
    form = CancelSessionForm()
    if form.validate_on_submit():
        with saving(success=_("The session is cancelled; its participants are told by mail."), category="info"):
            services.cancel_session(current_user, session, **form.values())
        return redirect(url_for("courses.session_detail", session_id=session.id))
    return render_template("courses/session_cancel.html", session=session, form=form)


# Session page, enrolment --------------------------------------------------------------------------
@bp.route("/sessions/<int:session_id>")
def session_detail(session_id: int):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see)
    can_manage = session.can_manage(current_user)
    mine = queries.enrolments_by_session(current_user, [session.id]).get(session.id)
    people = queries.participants(session) if can_manage else []
    others = queries.other_sessions(session) if can_manage else []
    return render_template("courses/session.html", session=session, module=session.module, mine=mine,
                           can_manage=can_manage, people=people, others=others, enrol_form=EnrolForm(),
                           confirm_form=ConfirmForm(), add_form=AddParticipantForm(), now=utcnow(),
                           show_link=session.shows_link_to(current_user, mine))


def _back(session: TrainingSession) -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/courses/") and not target.startswith("//") else url_for(
        "courses.session_detail", session_id=session.id)


@bp.route("/sessions/<int:session_id>/enrol", methods=["POST"])
@login_required
def enrol(session_id: int):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see)
    form = EnrolForm()
    if form.validate_on_submit():
        with saving() as saved:
            enrolment = services.enrol(current_user, session, **form.values())
        if saved:
            if enrolment.status == "enrolled":
                flash(_("You are enrolled. The invitation is on its way to your mailbox."), "success")
            elif enrolment.status == "waitlisted":
                flash(_("The session is full: you are number %(n)d on the waitlist. We write to you when a seat "
                        "frees up.", n=enrolment.waitlist_position), "info")
            else:
                flash(_("Your request is sent; the trainer confirms participants."), "info")
    return redirect(_back(session))


@bp.route("/sessions/<int:session_id>/leave", methods=["POST"])
@login_required
def leave(session_id: int):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see)
    if ConfirmForm().validate_on_submit():
        with saving(success=_("You left the session."), category="info"):
            services.unenrol(current_user, session)
    return redirect(_back(session))


@bp.route("/sessions/<int:session_id>/participants", methods=["POST"])
@login_required
def add_participant(session_id: int):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see, can_change=_can_manage)
    form = AddParticipantForm()
    if form.validate_on_submit():
        person = find_user_by_email(form.email.data)
        if person is None:
            flash(_("No account uses this email address."), "danger")
        else:
            with saving() as saved:
                enrolment = services.enrol(current_user, session, user=person)
            if saved:
                flash(_("%(name)s: %(status)s.", name=person.name, status=ENROLMENT_LABELS[enrolment.status]),
                      "success")
    return redirect(url_for("courses.session_detail", session_id=session.id) + "#participants")


ACTIONS = {"approve": services.approve_enrolment, "decline": services.decline_enrolment}


@bp.route("/sessions/<int:session_id>/enrolments/<int:enrolment_id>/<action>", methods=["POST"])
@login_required
def enrolment_action(session_id: int, enrolment_id: int, action: str):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see, can_change=_can_manage)
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.session_id != session.id or action not in (*ACTIONS, "remove"):
        abort(404)
    if ConfirmForm().validate_on_submit():
        with saving() as saved:
            if action == "remove":
                services.unenrol(current_user, session, enrolment.user)
            else:
                ACTIONS[action](current_user, enrolment)
        if saved:
            flash(_("Saved: %(name)s is now “%(status)s”.", name=enrolment.user.name,
                    status=ENROLMENT_LABELS[enrolment.status]), "success")
    return redirect(url_for("courses.session_detail", session_id=session.id) + "#participants")


@bp.route("/sessions/<int:session_id>/enrolments/<int:enrolment_id>/move", methods=["POST"])
@login_required
def move_enrolment(session_id: int, enrolment_id: int):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see, can_change=_can_manage)
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.session_id != session.id:
        abort(404)
    target = load_visible(TrainingSession, as_id(request.form.get("target")) or 0, current_user,
                          can_see=_can_see, can_change=_can_manage)
    if ConfirmForm().validate_on_submit():
        with saving() as saved:
            moved = services.move_enrolment(current_user, enrolment, target=target)
        if saved:
            flash(_("%(name)s moved to the session of %(date)s: %(status)s.", name=moved.user.name,
                    date=format_day(target.starts_at), status=ENROLMENT_LABELS[moved.status]), "success")
    return redirect(url_for("courses.session_detail", session_id=session.id) + "#participants")


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(session_id: int):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see, can_change=_can_manage)
    people = [e for e in queries.participants(session) if e.status == "enrolled"]
    form = ConfirmForm()
    if form.validate_on_submit():
        marks = {e.user_id: f"attended-{e.user_id}" in request.form for e in people}
        with saving() as saved:
            result = services.record_attendance(current_user, session, marks=marks)
        if saved:
            flash(" ".join((_("Attendance saved."),
                            ngettext("%(num)d certificate issued,", "%(num)d certificates issued,", result.issued),
                            ngettext("%(num)d absent.", "%(num)d absent.", result.absent))), "success")
            return redirect(url_for("courses.attendance", session_id=session.id))
    certificates = queries.session_certificates(session, [e.user_id for e in people if e.attended])
    answered = queries.feedback_givers(session)
    no_feedback = [e for e in people if e.attended and e.user_id not in answered]
    return render_template("courses/attendance.html", session=session, module=session.module, people=people,
                           form=form, started=session.has_started(), all_present=request.args.get("all") == "1",
                           certificates=certificates, no_feedback=no_feedback)


@bp.route("/certificates/<int:certificate_id>/<action>", methods=["POST"])
@login_required
def certificate_action(certificate_id: int, action: str):
    item = load_visible(Certificate, certificate_id, current_user, can_see=lambda c, u: c.module.can_edit(u))
    back = _back_to_attendance(item)
    if action not in ("resend", "revoke"):
        abort(404)
    if ConfirmForm().validate_on_submit():
        if action == "resend":
            with saving(success=_("The certificate is sent again to %(name)s.", name=item.user.name)):
                services.resend_certificate(current_user, item)
        else:
            with saving(success=_("The certificate of %(name)s is revoked.", name=item.user.name), category="info"):
                services.revoke_certificate(current_user, item)
    return redirect(back)


def _back_to_attendance(item: Certificate) -> str:
    target = request.form.get("next") or ""
    if target.startswith("/courses/") and not target.startswith("//"):
        return target
    return url_for("courses.manage")


def _cell(value) -> str:
    return spreadsheet_safe("" if value is None else str(value))


@bp.route("/sessions/<int:session_id>/participants.csv")
@login_required
def participants_csv(session_id: int):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see, can_change=_can_manage)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "organisation", "country", "com_role", "status", "waitlist_position",
                     "attended", "enrolled_at", "note"])
    for e in queries.participants(session):
        writer.writerow([_cell(v) for v in (
            e.user.name, e.user.email, e.user.organisation, e.user.country, e.user.com_role, e.status,
            e.waitlist_position or "", "" if e.attended is None else ("yes" if e.attended else "no"),
            e.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"), e.note)])
    response = current_app.response_class("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (f'attachment; filename="session-{session.id}-'
                                               f'{session.starts_at:%Y-%m-%d}-participants.csv"')
    return response


@bp.route("/sessions/<int:session_id>/invite.ics")
def session_ics(session_id: int):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see)
    method = "CANCEL" if session.is_cancelled else "REQUEST"
    attendee = current_user if current_user.is_authenticated else None
    return ics_response(services.session_ics(session, attendee, method), f"session-{session.id}.ics", method)


# Participants' pages ------------------------------------------------------------------------------
@bp.route("/my")
@login_required
def my_training():
    """Kept per person (`cache.personal`) until their training data or an account changes."""
    def render_body() -> str:
        return render_template("courses/_my.html", **queries.my_training(current_user), confirm_form=ConfirmForm(),
                               now=utcnow())

    return render_template("courses/my.html",
                           body=cache.personal_html(current_user, ("courses", "people"), ("my",), render_body))


@bp.route("/certificates/<int:certificate_id>.pdf")
@login_required
def certificate(certificate_id: int):
    item = load_visible(Certificate, certificate_id, current_user,
                        can_see=lambda c, u: c.user_id == u.id or c.module.can_edit(u))
    if not item.is_valid:
        abort(404)
    pdf = certificate_pdf(item, url_for("courses.verify", code=item.code, _external=True))
    response = current_app.response_class(pdf, content_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{item.code}.pdf"'
    return response


@bp.route("/verify")
@bp.route("/verify/<code>")
def verify(code: str | None = None):
    form = VerifyForm(request.args, meta={"csrf": False})
    code = code or (request.args.get("code") or "").strip()
    found = services.find_certificate(code) if code else None
    return render_template("courses/verify.html", form=form, code=code, certificate=found)


@bp.route("/sessions/<int:session_id>/feedback", methods=["GET", "POST"])
@login_required
def feedback(session_id: int):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see)
    if not services.can_give_feedback(session, current_user):
        flash(_("Feedback is for participants of this session, once it has started."), "info")
        return redirect(url_for("courses.session_detail", session_id=session.id))
    form = FeedbackForm()
    if form.validate_on_submit():
        with saving(form, success=_("Thank you for your feedback.")) as saved:
            services.submit_feedback(current_user, session, **form.values())
        if saved:
            return redirect(url_for("courses.my_training"))
    return render_template("courses/feedback.html", session=session, module=session.module, form=form)


@bp.route("/sessions/<int:session_id>/feedback/results")
@login_required
def feedback_results(session_id: int):
    session = load_visible(TrainingSession, session_id, current_user, can_see=_can_see, can_change=_can_manage)
    return render_template("courses/feedback_results.html", session=session, module=session.module,
                           summary=services.feedback_summary(session))
