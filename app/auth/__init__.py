"""Accounts, roles, login, profile, API tokens."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")


def init_app(app):
    from app.auth import cli, demo, privacy
    from app.core.demo import register_demo
    from app.core.privacy import register_personal_data, register_retention

    app.cli.add_command(cli.users_cli)
    register_demo(app, "users", demo.load_users)
    register_personal_data(app, "account", privacy.export_account, privacy.erase_account, order=1000)
    register_retention(app, "audit_events", privacy.prune_audit)
    register_retention(app, "password_resets", privacy.prune_password_resets)


from app.auth import views  # noqa: E402,F401
