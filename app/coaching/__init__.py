"""Coaching."""
from flask import Blueprint

bp = Blueprint("coaching", __name__, url_prefix="/coaching")

from app.coaching import views  # noqa: E402,F401
