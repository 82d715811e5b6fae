"""Browser: the bell shows unread notifications, the list opens and marks read; preferences are saved."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from app.auth.models import User
from app.notifications.services import notify
from tests.e2e.conftest import shot, sign_in


def test_bell_list_mark_read_and_preferences(page, phone, db, make):
    user = make.trainer(name="Eleni Papadopoulou", email="eleni.e2e@example.org")
    notify(user, "enrolment", "Maria Rossi enrolled in “Financing your SECAP”, 12 March", "/notifications/preferences")
    notify(user, "exchange", "Tomasz Nowak proposed a peer exchange on public lighting", "/notifications/")
    notify(user, "cancellation", "The coaching appointment on 14 March at 10:00 was cancelled", "")
    email, user_id = user.email, user.id
    db.session.commit()  # and touch nothing after it: on SQLite our open transaction would lock the server out

    sign_in(page, email, make.PASSWORD)
    bell = page.locator("#nav-bell")
    expect(bell.locator("[data-unread]")).to_have_text("3 unread")
    shot(page, "notifications-bell")

    bell.click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.get_by_text("You have 3 unread notifications.")).to_be_visible()
    shot(page, "notifications-list")

    # Opening one follows its link and marks it read.
    page.get_by_role("button", name=re.compile(r"^Open.*Maria Rossi enrolled")).click()
    expect(page.get_by_role("heading", name="Mail preferences")).to_be_visible()
    expect(page.locator("#nav-bell [data-unread]")).to_have_text("2 unread")

    page.locator("#nav-bell").click()
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("All notifications are marked as read.")).to_be_visible()
    expect(page.locator("#nav-bell [data-unread]")).to_have_count(0)
    shot(page, "notifications-all-read")

    # Preferences: switch the reminders off, keep the digest; essential mail cannot be switched off.
    page.get_by_role("link", name="Mail preferences").click()
    reminders = page.get_by_label("Reminders before my training sessions and appointments")
    digest = page.get_by_label("Weekly digest of my sessions, waitlists and approvals")
    expect(reminders).to_be_checked()
    expect(page.get_by_label("Cancellations of my sessions and appointments")).to_be_disabled()
    reminders.uncheck()
    page.get_by_role("button", name="Save my preferences").click()
    expect(page.get_by_text("Your mail preferences are saved.")).to_be_visible()
    expect(reminders).not_to_be_checked()
    expect(digest).to_be_checked()
    shot(page, "notifications-preferences")
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user.notification_prefs == ["reminder"]

    # On a phone: the bell sits in the menu, the list reads well.
    notify(user, "enrolment", "A new participant is waiting for your approval", "/notifications/")
    db.session.commit()
    sign_in(phone, email, make.PASSWORD)
    phone.goto("/notifications/")
    expect(phone.get_by_text("You have 1 unread notification.")).to_be_visible()
    shot(phone, "notifications-phone")
    assert not page.console_errors
