"""The audit log: one call per event worth remembering."""
from __future__ import annotations

import logging
import re

from flask import has_request_context, request
from markupsafe import Markup, escape

from app.core.models import AuditEvent
from app.extensions import db

log = logging.getLogger("app.audit")


def client_ip() -> str:
    return (request.remote_addr or "") if has_request_context() else "cli"


# Audit targets that name an object (`user:12`); anything else is what someone typed (a login email).
_OBJECT_REFERENCE = re.compile(r"^[a-z_]+:\d+$")


def archive_row(row: dict) -> dict:
    """The archive keeps an audit target only when it names an object, never raw login input."""
    if "target" in row and not _OBJECT_REFERENCE.match(row["target"] or ""):
        row["target"] = ""
    return row


def record(action: str, actor=None, target: str = "", detail: str = "") -> AuditEvent:
    event = AuditEvent(action=action, actor_id=getattr(actor, "id", None), target=target[:200],
                       ip=client_ip(), detail=detail)
    db.session.add(event)
    log.info("audit %s actor=%s target=%s %s", action, getattr(actor, "id", None), target, detail)
    return event


# --- the audit log in words ------------------------------------------------------------------------------------
# Each feature says how its actions read (`register_audit_sentence`) and how to name and link the objects its
# records point at (`register_audit_reference`); the log page resolves every object of a page in one call per kind.
_REFERENCE = re.compile(r"\b([a-z_]+):(\d{1,18})\b")


def register_audit_sentence(app, action: str, sentence) -> None:
    """`sentence`: a lazy string with %(actor)s, %(target)s and %(<kind>)s (a `kind:id` of the detail), or
    fn(event) -> such a string."""
    app.extensions.setdefault("audit_sentences", {})[action] = sentence


def register_audit_reference(app, kind: str, resolve) -> None:
    """`resolve(ids, viewer) -> {id: (label, url or None)}`: one query for all ids; a url only where the viewer
    may see the object."""
    app.extensions.setdefault("audit_references", {})[kind] = resolve


class _Words(dict):
    def __missing__(self, key):
        return "—"


def _references(event) -> list[tuple[str, int]]:
    return [(kind, int(number)) for kind, number in _REFERENCE.findall(f"{event.target} {event.detail}")]


def sentences(events, viewer) -> dict[int, Markup]:
    """Each event's sentence (HTML-safe), by event id; objects are resolved in one call per kind."""
    from flask import current_app
    from flask_babel import gettext

    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.actor_id is not None:
            wanted.setdefault("user", set()).add(event.actor_id)
        for kind, number in _references(event):
            wanted.setdefault(kind, set()).add(number)
    resolvers = current_app.extensions.get("audit_references", {})
    names = {kind: resolvers[kind](ids, viewer) if kind in resolvers else {} for kind, ids in wanted.items()}

    def word(kind: str, number: int) -> Markup:
        label, url = names.get(kind, {}).get(number) or (f"{kind.replace('_', ' ')} {number}", None)
        return Markup('<a href="%s">%s</a>') % (url, label) if url else escape(label)

    registry = current_app.extensions.get("audit_sentences", {})
    result = {}
    for event in events:
        words = _Words()
        refs = _references(event)
        for kind, number in reversed(refs):
            words[kind] = word(kind, number)
        if refs and event.target.startswith(f"{refs[0][0]}:"):
            words["target"] = word(*refs[0])
        else:
            words["target"] = event.target
        words["actor"] = word("user", event.actor_id) if event.actor_id is not None else gettext("Someone")
        words["action"] = event.action
        sentence = registry.get(event.action)
        if callable(sentence) and not hasattr(sentence, "_args"):
            sentence = sentence(event)
        try:
            text = escape(str(sentence)) % words if sentence else None
        except (KeyError, ValueError, TypeError):
            text = None
        if text is None:
            template = (gettext("%(actor)s: %(action)s, %(target)s") if event.target
                        else gettext("%(actor)s: %(action)s"))
            text = escape(template) % words
        result[event.id] = text
    return result
