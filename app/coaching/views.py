"""Coaching pages."""
from flask import render_template

from app.coaching import bp


@bp.route("/")
def index():
    return render_template("coaching/index.html")
