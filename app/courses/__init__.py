"""Training: modules, sessions, enrolments with waitlists, attendance, certificates and feedback."""
from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/courses")


def _renamed(user) -> bool:
    """The catalogue names trainers: a changed or erased name changes it."""
    from sqlalchemy import inspect

    return any(inspect(user).attrs[name].history.has_changes() for name in ("stored_name", "erased_at"))


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.audit import register_audit_reference, register_audit_sentence
    from app.courses.services import audit_sessions

    register_audit_reference(app, "session", audit_sessions)
    for action, sentence in {
            "course.enrol": _l("%(actor)s enrolled %(user)s in %(target)s"),
            "course.unenrol": _l("%(actor)s took %(user)s out of %(target)s"),
            "course.approve": _l("%(actor)s approved %(user)s for %(target)s"),
            "course.decline": _l("%(actor)s declined %(user)s for %(target)s"),
            "course.session.create": _l("%(actor)s planned %(target)s"),
            "course.session.cancel": _l("%(actor)s cancelled %(target)s")}.items():
        register_audit_sentence(app, action, sentence)
    from app.core.archive import register_archive_table

    register_archive_table(app, "course_modules", ("id", "title", "summary", "description", "objectives",
                           "description_html", "objectives_html", "topics", "language", "level", "format", "status",
                           "materials_restricted", "required_sessions", "created_by_id", "created_at",
                           "updated_at"), fts=("title", "summary", "description", "objectives"))
    register_archive_table(app, "course_module_prerequisites", ("module_id", "prerequisite_id"))
    register_archive_table(app, "course_module_trainers", ("module_id", "user_id"))
    register_archive_table(app, "course_sessions", ("id", "module_id", "starts_at", "ends_at", "timezone",
                           "location", "country", "capacity", "requires_approval", "enrol_opens_at",
                           "enrol_closes_at", "unenrol_deadline", "status", "enrolled_count", "waitlist_count",
                           "sequence", "feedback_requested_at", "cancelled_at", "created_at"))
    register_archive_table(app, "course_enrolments", ("id", "session_id", "user_id", "status", "waitlist_position",
                           "note", "attended", "attendance_marked_at", "enrolled_by_id", "created_at",
                           "updated_at"))
    register_archive_table(app, "course_feedback", ("id", "session_id", "user_id", "rating", "comment",
                           "created_at"))
    register_archive_table(app, "course_certificates", ("id", "module_id", "user_id", "code", "issued_at",
                           "completed_at", "revoked_at"))
    register_archive_table(app, "course_materials", ("id", "module_id", "title", "kind", "url", "filename",
                           "content_type", "size", "data", "created_at"))

    from app.core.privacy import register_personal_data
    from app.courses import privacy as _privacy

    register_personal_data(app, "courses", _privacy.export_courses, _privacy.erase_courses, order=10)
    from app.core.calendar import register_feed_source
    from app.core.demo import register_demo
    from app.core.indicators import register_indicators
    from app.core.reminders import register_reminder_renderer
    from app.core.scheduler import register_job
    from app.courses import services
    from app.courses.demo import load_courses

    register_feed_source(app, services.feed_events, reads=("courses", "people"))
    from app.auth.models import User
    from app.core.cache import watch_changes
    from app.courses.models import Enrolment, Module, TrainingSession

    # The public catalogue shows modules, their sessions and seats left, and the trainers' names.
    watch_changes("catalogue", Module, TrainingSession, Enrolment)
    watch_changes("catalogue", User, when=_renamed)
    register_reminder_renderer(app, "session", services.render_session_reminder)
    register_indicators(app, "courses", services.indicators)
    register_job(app, "course_feedback_requests", services.send_feedback_requests, minutes=15)
    register_demo(app, "courses", load_courses)

    from flask_babel import lazy_gettext as _l

    from app.core.mail import register_digest_section, register_mail_kind

    register_mail_kind(app, "enrolment", _l("Changes to my training enrolments"))
    register_mail_kind(app, "feedback", _l("Requests for feedback after a training"))
    register_digest_section(app, services.digest_lines, title=_l("Your training sessions this week"))

    from app.core.dashboard import register_dashboard_section
    from app.courses.queries import dashboard_section

    register_dashboard_section(app, "training", dashboard_section, reads=("courses", "people"))
    from app.core.cache import watch_models
    from app.core.home import register_home_section
    from app.courses import models
    from app.courses.queries import home_section, trainer_home_section

    watch_models("courses", models)
    register_home_section(app, "training", home_section, reads=("courses", "people"))
    register_home_section(app, "teaching", trainer_home_section, reads=("courses", "people"))


from app.courses import views  # noqa: E402,F401
