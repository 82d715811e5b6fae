"""Municipalities."""
from flask import Blueprint

bp = Blueprint("municipalities", __name__, url_prefix="/municipalities")

from app.municipalities import views  # noqa: E402,F401
