"""Rate limits on guessing passwords: per address and per account (Flask-Limiter)."""
from __future__ import annotations

from flask import current_app, request

from app.extensions import limiter


def _account_key() -> str:
    data = request.get_json(silent=True) if request.is_json else None
    email = (data or {}).get("email") if isinstance(data, dict) else request.form.get("email")
    return "account:" + str(email or "").strip().lower()


def _failed(response) -> bool:
    # Success redirects (HTML) or answers 201 (API); a form shown again or a 401 is a failed try.
    return response.status_code in (200, 401)


def login_limits(view):
    """Decorate a login-like view: failures count against the address and against the account."""
    view = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key,
                         methods=["POST"], deduct_when=_failed, scope="login-account")(view)
    return limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
                         deduct_when=_failed, scope="login-address")(view)
