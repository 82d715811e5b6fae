"""Peer exchange pages."""
from flask import render_template

from app.peers import bp


@bp.route("/")
def index():
    return render_template("peers/index.html")
