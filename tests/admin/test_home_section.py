"""The personal home's part for administrators: mail that failed for good (latest first, with its error) and
accounts waiting for a Covenant role (oldest first), each a link to the admin page that acts on it; none of
it for anyone else; a flat query count."""
from __future__ import annotations

from datetime import timedelta

from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from tests.pages import home_page, home_query_count, home_section


def _section(client) -> str:
    return home_section(client, "admin")


def _mail(db, subject, *, status="failed", minutes_ago=0, to="far@example.org", error="550 mailbox unavailable"):
    message = OutboxMessage(to_email=to, kind="password_reset", subject=subject, text_body="…", status=status,
                            attempts=8, last_error=error, created_at=utcnow() - timedelta(minutes=minutes_ago))
    db.session.add(message)
    db.session.commit()
    return message


def test_admin_sees_the_latest_failed_mail_and_it_goes_once_queued_again(client, db, make, login):
    old = _mail(db, "The oldest failure", minutes_ago=90)
    latest = [_mail(db, f"Failure {n}", minutes_ago=30 - n, to=f"n{n}@example.org") for n in range(3)]
    queued = _mail(db, "Still trying", status="queued")
    sent = _mail(db, "Went out fine", status="sent", error="")
    login(make.admin())
    section = _section(client)
    assert 'id="home-failed-count">4<' in section
    assert all(f'href="/admin/outbox/{m.id}"' in section for m in latest)
    assert "n2@example.org" in section and "550 mailbox unavailable" in section
    assert f'href="/admin/outbox/{old.id}"' not in section  # the latest three only
    assert "Still trying" not in section and "Went out fine" not in section
    assert f"/admin/outbox/{queued.id}\"" not in section and f"/admin/outbox/{sent.id}\"" not in section
    assert 'href="/admin/outbox?status=failed"' in section

    assert client.post(f"/admin/outbox/{latest[2].id}/retry").status_code == 302
    section = _section(client)
    assert 'id="home-failed-count">3<' in section and "Failure 2" not in section
    assert f'href="/admin/outbox/{old.id}"' in section


def test_admin_sees_the_oldest_accounts_waiting_and_they_go_once_decided(client, db, make, login):
    now = utcnow()
    first = make.user(name="Ivana Horvat", country="HR", com_role="coordinator", com_role_status="claimed",
                      created_at=now - timedelta(days=5))
    others = [make.user(name=f"Claimant {n}", com_role="supporter", com_role_status="claimed",
                        created_at=now - timedelta(days=4 - n)) for n in range(3)]
    no_decision = make.user(name="Needs No Decision", com_role="other", com_role_status="claimed")
    granted = make.user(name="Already Granted", com_role="coordinator")
    login(make.admin())
    section = _section(client)
    assert 'id="home-waiting-count">4<' in section
    assert f'href="/admin/users/{first.id}"' in section and "Ivana Horvat" in section and "Croatia" in section
    assert "Covenant Coordinator" in section
    assert f'href="/admin/users/{others[1].id}"' in section
    assert f'href="/admin/users/{others[2].id}"' not in section  # the oldest three only
    assert "Needs No Decision" not in section and "Already Granted" not in section
    assert f"/admin/users/{no_decision.id}\"" not in section and f"/admin/users/{granted.id}\"" not in section
    assert 'href="/admin/users?claim=waiting"' in section
    # The admin index counts the same accounts.
    assert 'id="waiting-for-role" href="/admin/users?claim=waiting">4<' in client.get("/admin/").get_data(as_text=True)

    assert client.post(f"/admin/users/{first.id}/com-role/grant").status_code == 302
    assert client.post(f"/admin/users/{others[0].id}/com-role/deny").status_code == 302
    section = _section(client)
    assert 'id="home-waiting-count">2<' in section and "Ivana Horvat" not in section
    assert "Claimant 0" not in section and f'href="/admin/users/{others[2].id}"' in section


def test_empty_states(client, make, login):
    login(make.admin())
    section = _section(client)
    assert "No mail failed." in section and "No account waits for a role." in section
    assert 'id="home-failed-count"' not in section and 'id="home-waiting-count"' not in section


def test_nobody_but_admins_has_the_admin_section(app, db, make, login):
    _mail(db, "Secret failure subject", to="secret@example.org")
    make.user(name="Waiting Claimant", com_role="coordinator", com_role_status="claimed")
    for person in (make.user(), make.trainer(), make.coach()):
        client = app.test_client()
        login(person, target=client)
        page = home_page(client)
        assert f"Welcome, {person.name}" in page
        assert 'id="home-admin"' not in page
        assert "Secret failure subject" not in page and "secret@example.org" not in page
        assert "Waiting Claimant" not in page and "/admin/" not in page


def test_admin_section_query_count_stays_flat(client, db, make, login, count_queries):
    login(make.admin())
    counts = []
    for n in (1, 6):
        for i in range(n):
            _mail(db, f"Failure {n}.{i}", minutes_ago=i)
            make.user(com_role="municipality", com_role_status="claimed")
        counts.append(home_query_count(client, count_queries))
    assert counts[0] == counts[1], counts
