"""Retention: a daily job prunes audit entries (with their IP addresses), sent mail and reset links."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import PasswordReset
from app.core.models import AuditEvent, OutboxMessage
from app.core.privacy import register_retention
from app.core.scheduler import jobs, tick
from app.core.timeutil import utcnow
from app.extensions import db


@pytest.fixture
def app_config():
    return {"RETENTION_MONTHS": 6}


def _audit(days_ago: int, ip: str = "192.0.2.1") -> int:
    event = AuditEvent(action="login.success", target="user:1", ip=ip, at=utcnow() - timedelta(days=days_ago))
    db.session.add(event)
    db.session.flush()
    return event.id


def _mail(days_ago: int, status: str) -> int:
    message = OutboxMessage(to_email="someone@example.org", kind="test", subject="s", text_body="b",
                            status=status, created_at=utcnow() - timedelta(days=days_ago))
    db.session.add(message)
    db.session.flush()
    return message.id


def test_the_daily_job_prunes_what_is_older_than_the_retention_period(app, make):
    user = make.user()
    old, recent = _audit(200), _audit(150)
    old_sent, old_queued, new_sent = _mail(200, "sent"), _mail(200, "queued"), _mail(10, "sent")
    db.session.add_all([PasswordReset(user_id=user.id, token_hash="a" * 64, created_at=utcnow() - timedelta(days=200),
                                      expires_at=utcnow() - timedelta(days=200)),
                        PasswordReset(user_id=user.id, token_hash="b" * 64, expires_at=utcnow())])
    db.session.commit()
    job = next(job for job in jobs(app) if job.name == "prune_personal_data")
    assert job.minutes == 24 * 60
    results = tick(app, only=["prune_personal_data"])
    assert results["prune_personal_data"] == {"outbox": 1, "audit_events": 1, "password_resets": 1}
    db.session.expire_all()
    assert set(db.session.scalars(select(AuditEvent.id))) == {recent}
    assert set(db.session.scalars(select(OutboxMessage.id))) == {old_queued, new_sent}  # queued mail waits
    assert [r.token_hash[0] for r in db.session.scalars(select(PasswordReset))] == ["b"]
    assert old_sent not in set(db.session.scalars(select(OutboxMessage.id))) and old


def test_one_bad_row_or_source_never_stops_the_job(app):
    """A source that fails on one of its rows: its other rows and the other sources are still pruned."""
    ids = [_audit(400, ip=f"198.51.100.{n}") for n in range(3)]
    bad = ids[1]
    db.session.commit()

    def prune_with_a_bad_row(cutoff):
        from app.core.privacy import delete_rows_before

        def check(connection, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("DELETE") and "audit_events" in statement:
                values = parameters.values() if isinstance(parameters, dict) else parameters
                if bad in list(values) or len(list(values)) > 1:
                    raise RuntimeError("this row cannot be deleted")

        from sqlalchemy import event
        event.listen(db.engine, "before_cursor_execute", check)
        try:
            return delete_rows_before(AuditEvent, AuditEvent.id, AuditEvent.at, cutoff)
        finally:
            event.remove(db.engine, "before_cursor_execute", check)

    def broken(cutoff):
        raise RuntimeError("a broken source")

    registry = app.extensions["retention"]
    saved = dict(registry)
    try:
        registry.clear()
        register_retention(app, "broken", broken)
        register_retention(app, "audit_with_bad_row", prune_with_a_bad_row)
        results = tick(app, only=["prune_personal_data"])["prune_personal_data"]
    finally:
        registry.clear()
        registry.update(saved)
    assert results["broken"].startswith("failed")
    assert results["audit_with_bad_row"] == 2
    db.session.expire_all()
    assert set(db.session.scalars(select(AuditEvent.id))) == {bad}


def test_privacy_page_is_public_linked_from_the_footer_and_translated(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert "6 months" in page and "IP address" in page
    home = client.get("/").get_data(as_text=True)
    assert 'href="/privacy"' in home
    client.post("/language", data={"language": "nl"})
    dutch = client.get("/privacy").get_data(as_text=True)
    assert "6 maanden" in dutch and "IP-adres" in dutch
