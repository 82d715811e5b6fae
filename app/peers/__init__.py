"""Peer exchange."""
from flask import Blueprint

bp = Blueprint("peers", __name__, url_prefix="/peers")

from app.peers import views  # noqa: E402,F401
