"""Loading objects for a user: 404 for what they may not see, 403 for what they may see but not change."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app.extensions import db


def load_visible(model, object_id: int, user, *, can_see: Callable | None = None,
                 can_change: Callable | None = None, options=()):
    """The object, or 404 when unknown or invisible to `user`; 403 when visible but not changeable."""
    obj = db.session.get(model, object_id, options=options)
    if obj is None or (can_see is not None and not can_see(obj, user)):
        abort(404)
    if can_change is not None and not can_change(obj, user):
        abort(403)
    return obj


def role_required(*predicates: str):
    """View decorator: the logged-in user must satisfy one of the named User predicates (`is_admin`…)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(getattr(current_user, p) for p in predicates):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


admin_required = role_required("is_admin")
