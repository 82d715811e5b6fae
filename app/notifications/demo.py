"""Demo notifications: a few unread items so the bell has something to show."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from app.core.timeutil import utcnow
from app.extensions import db
from app.notifications.models import Notification

ITEMS = {
    "trainer": [("enrolment", "Maria Rossi enrolled in “Financing your SECAP”", "/courses/"),
                ("enrolment", "Two participants are on the waitlist of “Monitoring your BEI”", "/courses/")],
    "pieter": [("appointment", "Your coaching appointment with Eleni is confirmed", "/coaching/"),
               ("exchange", "Sophie proposed a peer exchange on public lighting", "/peers/")],
    "eleni.coach": [("appointment", "Pieter booked a coaching appointment", "/coaching/")],
}


def load_notifications(ctx) -> None:
    users = ctx.data.get("users", {})
    now = utcnow()
    rows = []
    for login, items in ITEMS.items():
        user = users.get(login)
        if user is None:
            continue
        for n, (kind, text, url) in enumerate(items):
            rows.append({"user_id": user.id, "kind": kind, "text": text, "url": url,
                         "created_at": now - timedelta(hours=3 * (n + 1)), "read_at": None})
    if rows:
        db.session.execute(insert(Notification), rows)
