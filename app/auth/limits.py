"""Rate limits on guessing passwords and on reset mail: per address and per account (Flask-Limiter).

Every refusal is audited (`ratelimit.login`, `ratelimit.token`, `ratelimit.forgot`), with the account
it aimed at and the address it came from.
"""
from __future__ import annotations

from flask import current_app, request

from app.extensions import db, limiter

_KINDS = {"auth.login": "login", "auth.forgot_password": "forgot", "accounts_api.create_token": "token"}


def _account() -> str:
    data = request.get_json(silent=True) if request.is_json else None
    email = (data or {}).get("email") if isinstance(data, dict) else request.form.get("email")
    return str(email or "").strip().lower()


def _account_key() -> str:
    return "account:" + _account()


def _failed(response) -> bool:
    # Success redirects (HTML) or answers 201 (API); a form shown again or a 401 is a failed try.
    return response.status_code in (200, 401)


def _audit_refusal(request_limit) -> None:
    from app.core import audit

    kind = _KINDS.get(request.endpoint or "", request.endpoint or "")
    audit.record(f"ratelimit.{kind}", None, target=_account()[:200], detail=str(request_limit.limit))
    db.session.commit()  # the view does not run: nothing else is pending


def login_limits(view):
    """Decorate a login-like view: failures count against the address and against the account."""
    view = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key,
                         methods=["POST"], deduct_when=_failed, scope="login-account",
                         on_breach=_audit_refusal)(view)
    return limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"],
                         deduct_when=_failed, scope="login-address", on_breach=_audit_refusal)(view)


def forgot_limits(view):
    """Decorate the forgot-password view: every request counts, per address and per account."""
    view = limiter.limit(lambda: current_app.config["FORGOT_LIMIT_PER_ACCOUNT"], key_func=_account_key,
                         methods=["POST"], scope="forgot-account", on_breach=_audit_refusal)(view)
    return limiter.limit(lambda: current_app.config["FORGOT_LIMIT_PER_ADDRESS"], methods=["POST"],
                         scope="forgot-address", on_breach=_audit_refusal)(view)
