"""Training: modules, sessions, enrolments with waitlists, attendance, certificates and feedback."""
from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/courses")


def init_app(app) -> None:
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

    register_feed_source(app, services.feed_events)
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

    register_dashboard_section(app, "training", dashboard_section)


from app.courses import views  # noqa: E402,F401
