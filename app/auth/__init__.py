"""Accounts, roles, login, profile, API tokens."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")


def init_app(app):
    from app.auth import cli, demo
    from app.core.demo import register_demo

    app.cli.add_command(cli.users_cli)
    register_demo(app, "users", demo.load_users)


from app.auth import views  # noqa: E402,F401
