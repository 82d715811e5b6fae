"""In-app notifications (the bell), mail preferences and the weekly trainer digest."""
from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def init_app(app):
    from app.core.archive import register_archive_table

    register_archive_table(app, "notifications", ("id", "user_id", "kind", "text", "url", "created_at", "read_at"))

    from app.core.privacy import register_personal_data
    from app.notifications import privacy as _privacy

    register_personal_data(app, "notifications", _privacy.export_notifications, _privacy.erase_notifications, order=900)
    from flask_babel import lazy_gettext as _l

    from app.core.demo import register_demo
    from app.core.mail import register_mail_hook, register_mail_kind
    from app.core.scheduler import register_job
    from app.notifications import demo, digest, services

    app.config.setdefault("DIGEST_WEEKDAY", 0)  # Monday
    app.config.setdefault("DIGEST_HOUR_UTC", 6)  # 07:00 in Brussels in winter, 09:00 in Athens in summer
    register_mail_hook(app, services.mirror_mail)
    register_mail_kind(app, "reminder", _l("Reminders before my training sessions and appointments"))
    register_mail_kind(app, "digest", _l("Weekly digest of my sessions, waitlists and approvals"), trainers_only=True)
    register_demo(app, "notifications", demo.load_notifications)
    register_job(app, "send_weekly_digest", digest.send_weekly_digest, minutes=60, order=60)
    from app.core.home import register_home_section

    def _home_section(user):
        from app.notifications.views import home_section

        return home_section(user)

    from app.core.cache import watch_models
    from app.notifications import models

    watch_models("notifications", models)
    register_home_section(app, "notifications", _home_section, reads=("notifications", "people"))
    register_job(app, "prune_notifications", services.prune_notifications, minutes=24 * 60, order=90)

    @app.context_processor
    def _bell():
        return {"unread_notifications": services.unread_count_for_viewer}


from app.notifications import views  # noqa: E402,F401
