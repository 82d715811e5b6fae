"""Results: the public indicators with charts, their downloads, and the archive of all platform data."""
from flask import Blueprint

bp = Blueprint("results", __name__, url_prefix="/results")


def init_app(app):
    from app.results.cli import data_cli

    app.cli.add_command(data_cli)


from app.results import views  # noqa: E402,F401
