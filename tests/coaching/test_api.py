"""The Coaching part of docs/api.md, through the real JSON API."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject

from app.core.timeutil import local_to_utc
from tests.coaching.conftest import next_weekday


def day_off():  # the Wednesday of the second week
    return next_weekday(0) + timedelta(days=9)


@pytest.fixture
def coach_api(make, client):
    coach = make.coach(country="GR", languages=["el", "en"])
    headers = make.bearer(coach)
    response = client.put("/api/v1/coaching/availability", headers=headers, json={
        "timezone": "Europe/Athens", "slot_minutes": 45, "buffer_minutes": 15, "min_notice_hours": 12,
        "weekly": [{"weekday": 0, "start": "09:00", "end": "12:00"}, {"weekday": 0, "start": "14:00", "end": "16:00"},
                   {"weekday": 2, "start": "10:00", "end": "12:00"}],
        "exceptions": [{"date": day_off().isoformat()}],
        "topics": ["financing", "monitoring"], "languages": ["el", "en"]})
    assert response.status_code == 200, response.get_json()
    return coach, headers


def monday_at(hour: int, minute: int = 0, weeks: int = 1) -> str:
    return local_to_utc(next_weekday(0, weeks), datetime.min.time().replace(hour=hour, minute=minute),
                        "Europe/Athens").isoformat()


def test_availability_round_trip_and_coach_only(coach_api, client, make):
    coach, headers = coach_api
    body = client.get("/api/v1/coaching/availability", headers=headers).get_json()
    assert body["weekly"][0] == {"weekday": 0, "start": "09:00", "end": "12:00"}
    assert body["exceptions"] == [{"date": day_off().isoformat(), "kind": "off", "start": None,
                                   "end": None}]
    assert (body["slot_minutes"], body["buffer_minutes"], body["timezone"]) == (45, 15, "Europe/Athens")
    participant = make.bearer(make.user())
    response = client.put("/api/v1/coaching/availability", headers=participant,
                          json={"timezone": "Europe/Brussels", "slot_minutes": 30, "weekly": []})
    assert response.status_code == 403
    response = client.put("/api/v1/coaching/availability", headers=headers, json={
        "timezone": "Nowhere/Else", "slot_minutes": 30, "weekly": [{"weekday": 1, "start": "25:00", "end": "10"}]})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"timezone", "weekly.0"}


def test_coaches_list_and_filters(coach_api, client, make):
    coach, headers = coach_api
    items = client.get("/api/v1/coaching/coaches", headers=headers).get_json()["items"]
    assert items == [{"id": coach.id, "name": coach.name, "country": "GR", "languages": ["el", "en"],
                      "topics": ["financing", "monitoring"], "timezone": "Europe/Athens", "slot_minutes": 45,
                      "meeting_mode": "online", "bio": ""}]
    for query, expected in (("topic=financing", 1), ("topic=transport", 0), ("language=el", 1),
                            ("language=pl", 0), ("country=GR", 1), ("country=IT", 0)):
        body = client.get(f"/api/v1/coaching/coaches?{query}", headers=headers).get_json()
        assert body["total"] == expected, query
    assert client.get("/api/v1/coaching/coaches").status_code == 401


def test_slots_in_utc_with_grid_and_exception(coach_api, client):
    coach, headers = coach_api
    first = next_weekday(0)
    last = first + timedelta(days=9)
    body = client.get(f"/api/v1/coaching/coaches/{coach.id}/slots?from={first}&to={last}", headers=headers).get_json()
    starts = [item["starts_at"] for item in body["items"]]
    assert all(s.endswith("Z") for s in starts)
    # Monday: 09:00, 10:00, 11:00 (45 + 15 minutes) and 14:00, 15:00 Athens time; Wednesday 10:00 and 11:00.
    assert len(starts) == 5 + 2 + 5  # the second Wednesday is a day off
    assert starts[0] == datetime.fromisoformat(monday_at(9)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    first_item = body["items"][0]
    assert (datetime.fromisoformat(first_item["ends_at"]) - datetime.fromisoformat(first_item["starts_at"])) == \
        timedelta(minutes=45)
    bad = client.get(f"/api/v1/coaching/coaches/{coach.id}/slots?from={last}&to={first}", headers=headers)
    assert bad.status_code == 422
    assert client.get("/api/v1/coaching/coaches/999999/slots", headers=headers).status_code == 404


def test_book_cancel_reschedule_ics(coach_api, client, make):
    coach, coach_headers = coach_api
    participant = make.user(country="GR")
    headers = make.bearer(participant)
    response = client.post("/api/v1/coaching/appointments", headers=headers, json={
        "coach_id": coach.id, "starts_at": monday_at(10), "topic": "financing", "agenda": "ELENA funding"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "booked" and body["sequence"] == 0
    assert body["starts_at"] == datetime.fromisoformat(monday_at(10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    appointment_id = body["id"]
    # The same slot again: 409 slot_taken.
    other = make.bearer(make.user())
    taken = client.post("/api/v1/coaching/appointments", headers=other,
                        json={"coach_id": coach.id, "starts_at": monday_at(10)})
    assert taken.status_code == 409 and taken.get_json()["error"]["code"] == "slot_taken"
    # Not offered, in the past, unparsable: 422.
    for starts_at in (monday_at(10, 30), "2020-01-06T09:00:00+02:00", "next monday", "2027-03-01T09:00:00"):
        response = client.post("/api/v1/coaching/appointments", headers=other,
                               json={"coach_id": coach.id, "starts_at": starts_at})
        assert response.status_code == 422, starts_at
        assert "starts_at" in response.get_json()["error"]["fields"]
    # Somebody else's appointment: 404 everywhere.
    for method, path in (("get", ""), ("get", "/ics"), ("post", "/cancel"), ("post", "/reschedule")):
        response = getattr(client, method)(f"/api/v1/coaching/appointments/{appointment_id}{path}", headers=other,
                                           json={"starts_at": monday_at(11)} if path == "/reschedule" else None)
        assert response.status_code == 404, path
    ics = client.get(f"/api/v1/coaching/appointments/{appointment_id}/ics", headers=headers)
    assert ics.status_code == 200
    assert ics.headers["Content-Type"] == "text/calendar; charset=UTF-8; method=REQUEST"
    event = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")[0]
    uid = str(event["UID"])
    moved = client.post(f"/api/v1/coaching/appointments/{appointment_id}/reschedule", headers=coach_headers,
                        json={"starts_at": monday_at(14)})
    assert moved.status_code == 200 and moved.get_json()["sequence"] == 1
    cancelled = client.post(f"/api/v1/coaching/appointments/{appointment_id}/cancel", headers=headers)
    assert cancelled.get_json()["status"] == "cancelled" and cancelled.get_json()["sequence"] == 2
    again = client.post(f"/api/v1/coaching/appointments/{appointment_id}/cancel", headers=headers)
    assert again.status_code == 409
    ics = client.get(f"/api/v1/coaching/appointments/{appointment_id}/ics", headers=headers)
    vcal = vobject.readOne(ics.data.decode())
    assert vcal.method.value == "CANCEL" and vcal.vevent.status.value == "CANCELLED"
    assert vcal.vevent.uid.value == uid and vcal.vevent.sequence.value == "2"
    # The freed slot is offered again at once and can be booked.
    rebook = client.post("/api/v1/coaching/appointments", headers=other,
                         json={"coach_id": coach.id, "starts_at": monday_at(14)})
    assert rebook.status_code == 201


def test_my_appointments(coach_api, client, make):
    coach, coach_headers = coach_api
    participant = make.user()
    headers = make.bearer(participant)
    for hour in (9, 11):
        client.post("/api/v1/coaching/appointments", headers=headers,
                    json={"coach_id": coach.id, "starts_at": monday_at(hour)})
    mine = client.get("/api/v1/me/appointments", headers=headers).get_json()
    assert mine["total"] == 2 and {"items", "total", "page", "per_page"} <= set(mine)
    assert client.get("/api/v1/me/appointments?when=upcoming", headers=coach_headers).get_json()["total"] == 2
    assert client.get("/api/v1/me/appointments?when=past", headers=coach_headers).get_json()["total"] == 0
    assert client.get("/api/v1/me/appointments?role=participant", headers=coach_headers).get_json()["total"] == 0
