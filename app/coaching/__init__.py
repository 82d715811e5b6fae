"""Coaching: coach availability, free slots, appointments with calendar invitations."""
from flask import Blueprint

bp = Blueprint("coaching", __name__, url_prefix="/coaching")

from app.coaching import views  # noqa: E402,F401


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from app.coaching.services import audit_appointments
    from app.core.audit import register_audit_reference, register_audit_sentence

    register_audit_reference(app, "appointment", audit_appointments)
    register_audit_sentence(app, "coaching.book", _l("%(actor)s booked %(target)s with %(user)s"))
    register_audit_sentence(app, "coaching.cancel", _l("%(actor)s cancelled %(target)s"))
    register_audit_sentence(app, "coaching.reschedule", _l("%(actor)s moved %(target)s"))
    from app.core.archive import register_archive_table

    register_archive_table(app, "coach_profiles", ("coach_id", "timezone", "slot_minutes", "buffer_minutes",
                           "min_notice_hours", "max_per_day", "horizon_days", "cancel_cutoff_hours", "topics",
                           "languages", "meeting_mode", "meeting_place", "bio", "is_accepting", "updated_at"))
    register_archive_table(app, "coach_weekly_hours", ("id", "coach_id", "weekday", "start_time", "end_time"))
    register_archive_table(app, "coach_exceptions", ("id", "coach_id", "day", "kind", "start_time", "end_time"))
    register_archive_table(app, "appointments", ("id", "coach_id", "participant_id", "starts_at", "ends_at",
                           "status", "sequence", "topic", "agenda", "meeting_mode", "created_at", "updated_at",
                           "cancelled_at", "cancelled_by_id", "cancel_reason", "summary", "action_points",
                           "summary_at"))

    from app.coaching import privacy as _privacy
    from app.core.privacy import register_personal_data

    register_personal_data(app, "coaching", _privacy.export_coaching, _privacy.erase_coaching, order=20)
    from app.coaching.demo import load_coaching
    from app.coaching.services import coaching_indicators, feed_source, render_reminder
    from app.core.calendar import register_feed_source
    from app.core.demo import register_demo
    from app.core.indicators import register_indicators
    from app.core.reminders import register_reminder_renderer

    register_feed_source(app, feed_source, reads=("coaching", "people"))
    register_reminder_renderer(app, "appointment", render_reminder)
    register_indicators(app, "coaching", coaching_indicators)
    register_demo(app, "coaching", load_coaching)

    from flask_babel import lazy_gettext as _l

    from app.core.mail import register_mail_kind

    register_mail_kind(app, "coaching", _l("Coaching bookings, changes and summaries"))

    from app.coaching.services import dashboard_section
    from app.core.dashboard import register_dashboard_section

    register_dashboard_section(app, "coaching", dashboard_section, reads=("coaching", "people"))
    from app.coaching import models
    from app.coaching.services import home_section
    from app.core.cache import watch_models
    from app.core.home import register_home_section

    watch_models("coaching", models)
    register_home_section(app, "coaching", home_section, reads=("coaching", "people"))
