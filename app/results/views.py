"""Results pages."""
from flask import render_template

from app.results import bp


@bp.route("/")
def index():
    return render_template("results/index.html")
