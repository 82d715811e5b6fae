"""Loading objects for a user: 404 for what they may not see, 403 for what they may see but not change."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app.core.errors import NotAllowed, NotFound
from app.extensions import db


def load_visible_for_api(model, object_id: int, user, *, can_see: Callable | None = None,
                         can_change: Callable | None = None, options=(), not_found: str | None = None,
                         not_allowed: str | None = None):
    """The object, or NotFound when unknown or invisible to `user`, NotAllowed when visible but not changeable:
    the JSON API's loader, answered in its error format (404 `not_found`, 403 `forbidden`, core/errors.py)."""
    obj = db.session.get(model, object_id, options=options)
    if obj is None or (can_see is not None and not can_see(obj, user)):
        raise NotFound(not_found)
    if can_change is not None and not can_change(obj, user):
        raise NotAllowed(not_allowed)
    return obj


def load_visible(model, object_id: int, user, *, can_see: Callable | None = None,
                 can_change: Callable | None = None, options=()):
    """The same rule for pages: the object, or the 404 page when unknown or invisible to `user`; the 403 page
    when visible but not changeable."""
    try:
        return load_visible_for_api(model, object_id, user, can_see=can_see, can_change=can_change,
                                    options=options)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)


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


def allowed_if(check):
    """View decorator: the logged-in user must pass `check(user)`, the model's own rule (e.g.
    `GoodPractice.can_review`), so the page and the API ask the same question."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


admin_required = role_required("is_admin")
