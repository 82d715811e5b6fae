"""Peer pages keep the strict CSP (no inline script or style), meeting reminders are sent once and skip
cancelled meetings."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.core.models import OutboxMessage
from app.core.reminders import send_due_reminders
from app.core.timeutil import utcnow
from app.peers import services


def test_peer_pages_have_no_inline_scripts_or_styles(client, make, login, peers, db):
    admin = make.admin()
    a, b = peers.person("BE"), peers.person("GR")
    exchange = peers.exchange(a, b, status="accepted")
    practice = services.submit_report(a, exchange, title="T", summary="S", results="R", transferability="X")
    db.session.commit()
    login(admin)
    client.post("/peers/rounds", data={"selection": "all"})
    from sqlalchemy import select

    from app.peers.models import PairingRound

    round_id = db.session.scalar(select(PairingRound.id))
    paths = ["/peers/", "/peers/profile", "/peers/suggestions", "/peers/rounds", f"/peers/rounds/{round_id}",
             "/peers/review",
             f"/peers/review/{practice.id}", "/good-practices/", f"/good-practices/{practice.id}"]
    client.post("/auth/logout")
    login(a)
    paths_a = [f"/peers/exchanges/{exchange.id}", f"/peers/propose/{b.id}"]
    for path in paths_a:
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and " style=" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path
    client.post("/auth/logout")
    login(admin)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and " style=" not in html, path
    assert "Reports to review (1)" in client.get("/peers/").get_data(as_text=True)


def test_meeting_reminders_once_and_not_after_cancelling(make, peers, db):
    a, b = peers.person("BE"), peers.person("GR")
    exchange = peers.exchange(a, b, status="accepted")
    starts = utcnow() + timedelta(days=3)
    kept = services.plan_meeting(a, exchange, kind="online", starts_at=starts, ends_at=starts + timedelta(hours=1),
                                 timezone="Europe/Brussels")
    dropped = services.plan_meeting(b, exchange, kind="online", starts_at=starts + timedelta(hours=2),
                                    ends_at=starts + timedelta(hours=3), timezone="Europe/Athens")
    services.cancel_meeting(a, dropped)
    db.session.commit()
    later = starts - timedelta(minutes=30)
    # Both lead times are due by then: only the nearest one goes out, to each person, for the kept meeting.
    assert send_due_reminders(now=later) == 2
    db.session.commit()
    assert send_due_reminders(now=later) == 0
    reminders = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all()
    assert {m.to_email for m in reminders} == {a.email, b.email} and len(reminders) == 2
    assert all("Online call" in m.text_body and m.subject == "Reminder: peer exchange meeting" for m in reminders)
    assert kept.status == "planned"
