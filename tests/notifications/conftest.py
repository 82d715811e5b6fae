"""A real SMTP server (aiosmtpd) on loopback, a test-only reminder kind, and helpers.

The SMTP server keeps every message it accepted; tests assert on what really arrived, duplicates
included. It can be stopped and started again on the same port (an outage), refuse recipients
(permanent errors) or answer 421 after a number of messages (a server going away mid-run).
"""
from __future__ import annotations

import asyncio
import email
import threading
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from jinja2 import ChoiceLoader, DictLoader

from app.core.mail import queue_mail
from app.core.reminders import register_reminder_renderer
from tests.conftest import free_port


class Inbox:
    """What the SMTP server accepted: parsed messages and their envelopes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse: set[str] = set()  # recipients answered with 550
        self.accept_only: int | None = None  # after that many messages, answer 421 to DATA
        self.delay: float = 0.0

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.accept_only is not None and len(self.received) >= self.accept_only:
                return "421 4.3.2 Service shutting down, try later"
            message = email.message_from_bytes(envelope.content, policy=policy.default)
            self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    # helpers for assertions
    @property
    def messages(self) -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for _r, m in self.received]

    def subjects(self) -> list[str]:
        return sorted(str(m["Subject"]) for m in self.messages)

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(r for rcpts, _m in self.received for r in rcpts)

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]

    def clear(self) -> None:
        with self.lock:
            self.received.clear()

    def reset(self) -> None:
        """Empty, accepting everyone again, without delay: as a new server."""
        self.clear()
        self.refuse, self.accept_only, self.delay = set(), None, 0.0


class SMTPServer:
    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def config(self) -> dict:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_USE_TLS": False}

    @property
    def env(self) -> dict:
        return {"FLASK_MAIL_SERVER": "127.0.0.1", "FLASK_MAIL_PORT": str(self.port)}


@pytest.fixture(scope="session")
def _smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(_smtp_server):
    """The session's SMTP server, emptied: one port, so every test here shares one app configuration."""
    _smtp_server.inbox.reset()
    if _smtp_server.controller is None:
        _smtp_server.start()
    yield _smtp_server
    if _smtp_server.controller is None:  # a test that played an outage leaves it running again
        _smtp_server.start()


@pytest.fixture
def app_config(smtp):
    """Every test here delivers to the loopback SMTP server unless it overrides app_config."""
    return smtp.config


def _next_monday_morning() -> datetime:
    """A Monday 09:00 UTC a week or two ahead: later than anything queued "now", so it is due."""
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 + (7 - today.weekday()) % 7)


NOW = _next_monday_morning()


REMINDER_TEMPLATE = ("{{ _('Hello %(name)s,', name=recipient.name) }}\n\n"
                     "Your test event {{ object_id }} starts at {{ starts_at|datetime('short') }}.\n\n"
                     "{% include 'mail/_footer.txt' %}")


def install_test_reminders(app, rendered: list | None = None, fail_for: set[int] | None = None) -> list:
    """Register a test-only reminder kind, "testevent", whose renderer queues a mail (as features do)."""
    from app.auth.models import User
    from app.extensions import db

    rendered = rendered if rendered is not None else []
    app.jinja_loader = ChoiceLoader([DictLoader({"tests/mail/reminder.txt": REMINDER_TEMPLATE}),
                                     app.jinja_loader])

    def render(reminder):
        if fail_for and reminder.object_id in fail_for:
            raise RuntimeError("renderer broke")
        user = db.session.get(User, reminder.user_id)
        rendered.append((reminder.object_id, reminder.user_id, reminder.lead_minutes))
        queue_mail(user, "reminder", "tests/mail/reminder",
                   subject=f"Reminder: event {reminder.object_id} in {reminder.lead_minutes} min",
                   context={"object_id": reminder.object_id, "starts_at": reminder.starts_at},
                   dedupe_key=f"reminder:{reminder.id}", url=f"/events/{reminder.object_id}")

    register_reminder_renderer(app, "testevent", render)
    return rendered


@pytest.fixture
def reminders(app):
    return install_test_reminders(app)
