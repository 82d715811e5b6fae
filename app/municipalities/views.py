"""Municipalities pages."""
from flask import render_template

from app.municipalities import bp


@bp.route("/")
def index():
    return render_template("municipalities/index.html")
