"""The audit log: one call per event worth remembering."""
from __future__ import annotations

import logging
import re

from flask import has_request_context, request

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
