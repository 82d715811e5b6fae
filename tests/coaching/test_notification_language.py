"""A notification is kept as its phrase: shown in the reader's language and zone of the day, linked to its item."""
from __future__ import annotations

from datetime import time

from sqlalchemy import select

from app.coaching import services
from app.core.i18n import format_moment, in_language
from app.core.timeutil import local_to_utc
from app.extensions import db
from app.notifications.models import Notification
from tests.coaching.conftest import next_weekday


def test_a_booking_notification_follows_the_readers_language_and_zone(app, client, login, make, coach_with_hours):
    profile = coach_with_hours("BE")
    participant = make.user(country="BE", language="en")
    starts_at = local_to_utc(next_weekday(0), time(10, 0), "Europe/Brussels")
    appointment = services.book_appointment(participant, coach_id=profile.coach_id, starts_at=starts_at)
    db.session.commit()
    item = db.session.scalars(select(Notification).where(Notification.user_id == participant.id)).one()
    assert item.url == f"/coaching/appointments/{appointment.id}"
    assert item.phrase["msgid"] == "Coaching booked: %(when)s"

    participant.language, participant.timezone = "nl", "Europe/Athens"  # moved, and reads Dutch now
    db.session.commit()
    login(participant)
    html = client.get("/notifications/").get_data(as_text=True)
    with app.test_request_context(), in_language("nl"):
        when = format_moment(starts_at, tz="Europe/Athens")
    assert "11:00" in when
    assert f"Coaching geboekt: {when}" in html
    opened = client.post(f"/notifications/{item.id}/read", data={})  # "Open": marks it read, goes to its item
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/coaching/appointments/{appointment.id}")
