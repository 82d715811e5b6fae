"""The admin area: users, roles, outbox, audit log."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import views  # noqa: E402,F401


def init_app(app) -> None:
    from app.admin.home import home_section
    from app.core.cache import watch_changes
    from app.core.home import register_home_section
    from app.core.models import OutboxMessage

    watch_changes("mail", OutboxMessage)
    register_home_section(app, "admin", home_section, reads=("mail", "people"))
