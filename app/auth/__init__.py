"""Accounts, roles, login, profile, API tokens."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")


# What changes on an account at sign-in or in its security settings, and shows on no one's page.
BOOKKEEPING = frozenset({"password_hash", "last_login_at", "session_version", "feed_salt", "feed_token_hash"})


def shown_change(user) -> bool:
    """Whether a changed account changed something pages show: a name, a role, a zone, a language…"""
    from sqlalchemy import inspect

    state = inspect(user)
    return any(state.attrs[key].history.has_changes() for key in state.mapper.column_attrs.keys()  # noqa: SIM118
               if key not in BOOKKEEPING)


def init_app(app):
    from app.auth.models import User
    from app.core.cache import watch_changes

    # "people": accounts as pages show them (home sections name people and depend on the viewer's roles)
    watch_changes("people", User, when=shown_change)

    from app.core.archive import register_archive_table

    register_archive_table(app, "users", ("id", "email", "name", "role", "com_role", "com_role_status",
                           "com_role_decided_at", "organisation", "country", "timezone", "language", "languages",
                           "is_coach", "is_active_account", "notification_prefs", "created_at", "last_login_at",
                           "erased_at"))

    from app.auth import cli, demo, privacy
    from app.auth.services import purge_user_sessions, reset_link_secret
    from app.core.demo import register_demo
    from app.core.mail import register_mail_secret
    from app.core.privacy import register_personal_data, register_retention
    from app.core.scheduler import register_job

    app.cli.add_command(cli.users_cli)
    register_demo(app, "users", demo.load_users)
    register_personal_data(app, "account", privacy.export_account, privacy.erase_account, order=1000)
    register_retention(app, "audit_events", privacy.prune_audit)
    register_retention(app, "password_resets", privacy.prune_password_resets)
    register_job(app, "purge_user_sessions", purge_user_sessions, minutes=60, order=90)
    register_mail_secret(app, "password_reset", reset_link_secret)

    from flask_babel import lazy_gettext as _l

    from app.core.audit import register_audit_reference, register_audit_sentence

    register_audit_reference(app, "user", privacy.audit_users)
    for action, sentence in {
            "login.success": _l("%(actor)s signed in"),
            "login.failure": _l("A sign-in failed for %(target)s"),
            "logout": _l("%(actor)s signed out"),
            "user.register": _l("%(actor)s registered"),
            "user.create": _l("%(actor)s created the account of %(target)s"),
            "user.update": _l("%(actor)s changed the role or status of %(target)s"),
            "password.change": _l("%(actor)s changed their password")}.items():
        register_audit_sentence(app, action, sentence)


from app.auth import views  # noqa: E402,F401
