"""Reminders with a controllable clock: never late, never for cancelled or moved items, each once."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.core.delivery import deliver_outbox
from app.core.reminders import Reminder, cancel_reminders, schedule_reminders, send_due_reminders
from tests.notifications.conftest import NOW, install_test_reminders

H = timedelta(hours=1)


def _due(db):
    return db.session.scalar(select(func.count()).select_from(Reminder).where(Reminder.sent_at.is_(None)))


def test_both_lead_times_for_participant_and_trainer(app, db, make, smtp, reminders):
    participant, trainer = make.user(email="p@example.org"), make.trainer(email="t@example.org")
    starts = NOW + 30 * H
    assert schedule_reminders("testevent", 7, [participant.id, trainer.id], starts, now=NOW) == 4
    db.session.commit()

    assert send_due_reminders(now=NOW + 5 * H) == 0  # 24 h before is at NOW + 6 h
    assert send_due_reminders(now=NOW + 6 * H) == 2
    assert send_due_reminders(now=NOW + 6 * H) == 0  # claimed: never twice
    assert send_due_reminders(now=starts - H) == 2
    db.session.commit()
    assert sorted(reminders) == [(7, participant.id, 60), (7, participant.id, 1440),
                                 (7, trainer.id, 60), (7, trainer.id, 1440)]
    deliver_outbox(now=starts)
    assert smtp.inbox.recipients() == ["p@example.org", "p@example.org", "t@example.org", "t@example.org"]
    assert smtp.inbox.subjects() == ["Reminder: event 7 in 1440 min"] * 2 + ["Reminder: event 7 in 60 min"] * 2


def test_lead_times_already_past_at_booking_are_skipped(app, db, make, reminders):
    user = make.user()
    assert schedule_reminders("testevent", 1, [user.id], NOW + 2 * H, now=NOW) == 1  # only the 1 h one
    assert schedule_reminders("testevent", 2, [user.id], NOW + 30 * timedelta(minutes=1), now=NOW) == 0
    schedule_reminders("testevent", 3, [user.id], NOW + 3 * H, now=NOW)
    db.session.commit()
    assert send_due_reminders(now=NOW + H) == 1
    assert reminders == [(1, user.id, 60)]
    assert send_due_reminders(now=NOW + 4 * H) == 0  # event 3 started while we were down: nothing late
    assert reminders == [(1, user.id, 60)]


def test_cancelled_item_gets_no_reminder(app, db, make, reminders):
    stays, leaves = make.user(), make.user()
    schedule_reminders("testevent", 3, [stays.id, leaves.id], NOW + 30 * H, now=NOW)
    cancel_reminders("testevent", 3, user_id=leaves.id)  # one participant cancels
    db.session.commit()
    assert send_due_reminders(now=NOW + 6 * H) == 1
    cancel_reminders("testevent", 3)  # the whole event is cancelled
    db.session.commit()
    assert send_due_reminders(now=NOW + 30 * H - H) == 0
    assert reminders == [(3, stays.id, 1440)]


def test_moved_item_is_reminded_about_its_new_time_only(app, db, make, reminders):
    user = make.user()
    schedule_reminders("testevent", 4, [user.id], NOW + 30 * H, now=NOW)
    db.session.commit()
    # Moved two days later: scheduling again drops the reminders for the old time.
    schedule_reminders("testevent", 4, [user.id], NOW + 78 * H, now=NOW + H)
    db.session.commit()
    assert _due(db) == 2
    assert send_due_reminders(now=NOW + 30 * H) == 0  # the old times pass in silence
    assert send_due_reminders(now=NOW + 54 * H) == 1
    assert send_due_reminders(now=NOW + 77 * H) == 1
    assert [r[2] for r in reminders] == [1440, 60]


def test_scheduling_twice_adds_nothing(app, db, make, reminders):
    user = make.user()
    assert schedule_reminders("testevent", 5, [user.id, user.id], NOW + 30 * H, now=NOW) == 2
    db.session.commit()
    assert send_due_reminders(now=NOW + 6 * H) == 1
    db.session.commit()
    # Booked again (e.g. a repeated request): nothing doubles, the sent one is not re-created.
    assert schedule_reminders("testevent", 5, [user.id], NOW + 30 * H, now=NOW + 7 * H) == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 2


def test_after_downtime_only_the_nearest_reminder_goes_out(app, db, make, reminders):
    user = make.user()
    schedule_reminders("testevent", 6, [user.id], NOW + 30 * H, now=NOW)
    db.session.commit()
    # The scheduler was down from before the 24 h reminder until 30 minutes before the start.
    assert send_due_reminders(now=NOW + 30 * H - timedelta(minutes=30)) == 1
    assert reminders == [(6, user.id, 60)]
    assert _due(db) == 0


def test_a_broken_renderer_does_not_block_the_others(app, db, make):
    rendered = install_test_reminders(app, fail_for={8})
    user = make.user()
    schedule_reminders("testevent", 8, [user.id], NOW + 2 * H, now=NOW)
    schedule_reminders("testevent", 9, [user.id], NOW + 2 * H, now=NOW)
    db.session.commit()
    assert send_due_reminders(now=NOW + H) == 1
    db.session.commit()
    assert rendered == [(9, user.id, 60)]
    assert _due(db) == 0  # the broken one is logged, not retried forever


def test_switched_off_reminders_are_not_mailed_but_notified(app, db, make, smtp, reminders):
    from app.notifications.models import Notification

    user = make.user(notification_prefs=["reminder"])
    schedule_reminders("testevent", 10, [user.id], NOW + 2 * H, now=NOW)
    db.session.commit()
    assert send_due_reminders(now=NOW + H) == 1
    db.session.commit()
    deliver_outbox(now=NOW + H)
    assert smtp.inbox.messages == []
    [item] = db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    assert item.text == "Reminder: event 10 in 60 min" and item.url == "/events/10"


def test_reminder_mail_in_the_recipients_zone_and_language(app, db, make, smtp, reminders):
    athens = make.user(email="athens@example.org", country="GR", language="nl")
    brussels = make.user(email="brussels@example.org", country="BE")
    starts = NOW.replace(hour=14, minute=0) + 24 * H  # 14:00 UTC
    schedule_reminders("testevent", 11, [athens.id, brussels.id], starts, now=NOW)
    db.session.commit()
    assert send_due_reminders(now=starts - H) == 2
    db.session.commit()
    deliver_outbox(now=starts - H)
    bodies = {m["To"].addresses[0].addr_spec: m.get_body(("plain",)).get_content() for m in smtp.inbox.messages}
    assert "16:00" in bodies["athens@example.org"] and "Hallo" in bodies["athens@example.org"]
    assert "15/12/2026, 15:00" in bodies["brussels@example.org"]  # British English: day first, 24-hour clock
    assert "PM" not in bodies["brussels@example.org"]
    assert all("/notifications/preferences" in body for body in bodies.values())


def test_a_template_without_footer_still_gets_the_preferences_link(app, db, make):
    from jinja2 import ChoiceLoader, DictLoader

    from app.core.mail import queue_mail

    app.jinja_loader = ChoiceLoader([DictLoader({"tests/mail/bare.txt": "Just this."}), app.jinja_loader])
    message = queue_mail(make.user(), "enrolment", "tests/mail/bare", subject="Bare")
    assert message.text_body.startswith("Just this.\n\n--\n")
    assert message.text_body.rstrip().endswith("http://127.0.0.1:5000/notifications/preferences")  # PUBLIC_URL
