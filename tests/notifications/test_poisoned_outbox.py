"""One message that cannot be built or sent (a header with a line break) fails alone; the others go out.

Before, `build_email` raised for the whole run: 25 of 25 mails stayed queued, every run.
The poisoned rows are written straight into the outbox, as an older version or a bug could have.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.delivery import deliver_outbox
from app.core.models import OutboxMessage
from tests.notifications.conftest import NOW

POISONS = {
    "name": {"to_name": "Eve\r\nBcc: everyone@example.org"},
    "subject": {"subject": "Hello\r\nBcc: everyone@example.org"},
    "address": {"to_email": "eve@example.org\r\nRCPT TO:<everyone@example.org>"},
}


@pytest.mark.parametrize("poison", sorted(POISONS))
def test_a_poisoned_message_fails_alone_and_the_others_arrive_once(app, db, make, smtp, client, login, poison):
    for n in range(25):
        db.session.add(OutboxMessage(to_email=f"person{n}@example.org", to_name=f"Person {n}", kind="enrolment",
                                     subject=f"Mail {n:02d}", text_body="Hello", next_attempt_at=NOW))
    values = {"to_email": "eve@example.org", "to_name": "Eve", "subject": "Poisoned", **POISONS[poison]}
    db.session.add(OutboxMessage(kind="enrolment", text_body="Hello", next_attempt_at=NOW, **values))
    db.session.commit()

    result = deliver_outbox(now=NOW)
    assert (result.sent, result.gave_up) == (25, 1)
    assert smtp.inbox.subjects() == [f"Mail {n:02d}" for n in range(25)]
    assert "everyone@example.org" not in smtp.inbox.recipients()
    failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed")).all()
    assert len(failed) == 1
    assert failed[0].last_error.startswith(("The message cannot be built:", "The message cannot be sent:"))

    again = deliver_outbox(now=NOW + timedelta(hours=1))
    assert (again.sent, again.failed) == (0, 0)
    assert len(smtp.inbox.messages) == 25

    login(make.admin())
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "The message cannot be" in page
    detail = client.get(f"/admin/outbox/{failed[0].id}").get_data(as_text=True)
    assert "The message cannot be" in detail
