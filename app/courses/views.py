"""Training pages."""
from flask import render_template

from app.courses import bp


@bp.route("/")
def index():
    return render_template("courses/index.html")
