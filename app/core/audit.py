"""The audit log: one call per event worth remembering."""
from __future__ import annotations

import logging

from flask import has_request_context, request

from app.core.models import AuditEvent
from app.extensions import db

log = logging.getLogger("app.audit")


def client_ip() -> str:
    return (request.remote_addr or "") if has_request_context() else "cli"


def record(action: str, actor=None, target: str = "", detail: str = "") -> AuditEvent:
    event = AuditEvent(action=action, actor_id=getattr(actor, "id", None), target=target[:200],
                       ip=client_ip(), detail=detail)
    db.session.add(event)
    log.info("audit %s actor=%s target=%s %s", action, getattr(actor, "id", None), target, detail)
    return event
