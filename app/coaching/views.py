"""Coaching pages."""
from flask import render_template

from app.coaching import bp


@bp.route("/")
def index():
    return render_template("coaching/index.html")


@bp.route("/appointments/<int:appointment_id>")
def appointment(appointment_id: int):
    return render_template("coaching/index.html")
