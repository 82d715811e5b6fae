"""The Courses part of docs/api.md: shapes, permissions, 422 field messages, 409 conflicts."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core.timeutil import utcnow
from app.courses.models import Enrolment, Module


def _iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def test_trainer_creates_module_and_session(client, make, db):
    trainer = make.trainer()
    auth = make.bearer(trainer)
    response = client.post("/api/v1/modules", headers=auth, json={
        "title": "Monitoring Emission Inventories", "summary": "From BEI to MEI", "topics": ["monitoring"],
        "language": "it", "status": "published"})
    assert response.status_code == 201, response.get_json()
    module = response.get_json()
    assert module["trainers"] == [{"id": trainer.id, "name": trainer.name}] and module["status"] == "published"
    start = utcnow().replace(microsecond=0) + timedelta(days=10)
    response = client.post(f"/api/v1/modules/{module['id']}/sessions", headers=auth, json={
        "starts_at": "2030-03-10T09:30:00+01:00", "ends_at": "2030-03-10T16:00:00+01:00",
        "timezone": "Europe/Rome", "capacity": 2, "location": "Bergamo, Palazzo della Provincia",
        "country": "IT"})
    assert response.status_code == 201, response.get_json()
    session = response.get_json()
    assert session["starts_at"] == "2030-03-10T08:30:00Z" and session["enrolled_count"] == 0
    detail = client.get(f"/api/v1/sessions/{session['id']}").get_json()
    assert {"id", "module_id", "starts_at", "ends_at", "timezone", "capacity", "enrolled_count",
            "waitlist_count"} <= set(detail)
    patched = client.patch(f"/api/v1/modules/{module['id']}", headers=auth, json={"title": "MEI in practice"})
    assert patched.get_json()["title"] == "MEI in practice"
    assert client.patch(f"/api/v1/modules/{module['id']}", headers=make.bearer(make.trainer()),
                        json={"title": "x"}).status_code == 403
    assert start  # used for readability of the dates above


def test_participants_cannot_create_modules_and_drafts_are_hidden(client, make, courses):
    user = make.user()
    assert client.post("/api/v1/modules", headers=make.bearer(user), json={"title": "x"}).status_code == 403
    draft = courses.module(status="draft", title="Draft module")
    published = courses.module(title="Published module")
    titles = [m["title"] for m in client.get("/api/v1/modules").get_json()["items"]]
    assert titles == [published.title]
    assert client.get(f"/api/v1/modules/{draft.id}").status_code == 404
    trainer_view = client.get("/api/v1/modules", headers=make.bearer(make.trainer())).get_json()
    assert trainer_view["total"] == 2
    assert client.get("/api/v1/modules?q=published&language=en").get_json()["total"] == 1
    assert client.get("/api/v1/modules?topic=monitoring").get_json()["total"] == 0


def test_bad_session_input_is_422_with_field_messages(client, make, courses):
    module = courses.module()
    auth = make.bearer(module.trainers[0])
    url = f"/api/v1/modules/{module.id}/sessions"
    bad = client.post(url, headers=auth, json={
        "starts_at": "2030-03-10T10:00:00+01:00", "ends_at": "2030-03-10T09:00:00+01:00",
        "timezone": "Europe/Atlantis", "capacity": -1, "location": "Athens"})
    assert bad.status_code == 422
    fields = bad.get_json()["error"]["fields"]
    assert {"ends_at", "timezone", "capacity"} <= set(fields)
    unparsable = client.post(url, headers=auth, json={"starts_at": "next tuesday", "ends_at": "2030-03-10T09:00",
                                                      "timezone": "Europe/Athens", "capacity": 3})
    assert unparsable.status_code == 422
    assert {"starts_at", "ends_at"} <= set(unparsable.get_json()["error"]["fields"])


def test_enrol_waitlist_conflict_unenrol_and_lists(client, make, courses, db):
    session = courses.session(capacity=1)
    a, b = make.user(), make.user()
    ha, hb = make.bearer(a), make.bearer(b)
    url = f"/api/v1/sessions/{session.id}/enrolments"
    first = client.post(url, headers=ha, json={"note": "Looking forward"})
    assert first.status_code == 201 and first.get_json()["status"] == "enrolled"
    assert first.get_json()["waitlist_position"] is None
    second = client.post(url, headers=hb, json={})
    assert second.get_json()["status"] == "waitlisted" and second.get_json()["waitlist_position"] == 1
    again = client.post(url, headers=ha, json={})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_enrolled"
    assert client.get(url, headers=ha).status_code == 403
    listing = client.get(url, headers=make.bearer(session.module.trainers[0])).get_json()
    assert {(i["user_id"], i["status"], i["waitlist_position"]) for i in listing["items"]} == {
        (a.id, "enrolled", None), (b.id, "waitlisted", 1)}
    assert client.delete(f"/api/v1/sessions/{session.id}/enrolments/me", headers=ha).status_code == 204
    mine = client.get("/api/v1/me/enrolments", headers=hb).get_json()
    assert mine["items"][0]["status"] == "enrolled" and mine["items"][0]["session"]["id"] == session.id
    assert mine["items"][0]["online_url"] == ""
    assert client.delete(f"/api/v1/sessions/{session.id}/enrolments/me", headers=ha).status_code == 404


def test_trainer_enrols_someone_in_a_past_session_and_marks_attendance(client, make, courses, db):
    session = courses.session(days=-2)
    trainer, person = session.module.trainers[0], make.user()
    auth = make.bearer(trainer)
    assert client.post(f"/api/v1/sessions/{session.id}/enrolments", headers=make.bearer(person),
                       json={}).status_code == 409
    response = client.post(f"/api/v1/sessions/{session.id}/enrolments", headers=auth, json={"user_id": person.id})
    assert response.status_code == 201 and response.get_json()["status"] == "enrolled"
    mark = client.post(f"/api/v1/sessions/{session.id}/attendance", headers=auth,
                       json={"user_id": person.id, "attended": True})
    assert mark.status_code == 200 and mark.get_json()["attended"] is True
    assert client.post(f"/api/v1/sessions/{session.id}/attendance", headers=make.bearer(person),
                       json={"user_id": person.id, "attended": True}).status_code == 403
    assert db.session.scalar(select(Enrolment.attended)) is True


def test_ics_is_a_request_then_a_cancel(client, make, courses):
    session = courses.session()
    response = client.get(f"/api/v1/sessions/{session.id}/ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert "METHOD:REQUEST" in body and f"UID:session-{session.id}@" in body
    client.post(f"/api/v1/sessions/{session.id}/cancel", headers=make.bearer(session.module.trainers[0]),
                json={"reason": "Strike"})
    body = client.get(f"/api/v1/sessions/{session.id}/ics").get_data(as_text=True)
    assert "METHOD:CANCEL" in body and "STATUS:CANCELLED" in body and "SEQUENCE:1" in body


def test_approval_endpoints(client, make, courses):
    session = courses.session(requires_approval=True)
    person = make.user()
    pending = client.post(f"/api/v1/sessions/{session.id}/enrolments", headers=make.bearer(person), json={})
    assert pending.get_json()["status"] == "pending"
    auth = make.bearer(session.module.trainers[0])
    approved = client.post(f"/api/v1/sessions/{session.id}/enrolments/{person.id}/approve", headers=auth)
    assert approved.get_json()["status"] == "enrolled"
    again = client.post(f"/api/v1/sessions/{session.id}/enrolments/{person.id}/approve", headers=auth)
    assert again.status_code == 409


def test_contract_endpoints_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/modules", "/api/v1/modules/{module_id}", "/api/v1/modules/{module_id}/sessions",
                 "/api/v1/sessions/{session_id}", "/api/v1/sessions/{session_id}/enrolments",
                 "/api/v1/sessions/{session_id}/enrolments/me", "/api/v1/sessions/{session_id}/attendance",
                 "/api/v1/sessions/{session_id}/ics", "/api/v1/me/enrolments"):
        assert path in paths, path
    assert Module  # model import keeps the module list honest for readers


def test_trainer_moves_someone_to_another_session(client, make, courses, db):
    module = courses.module()
    first, second = courses.session(module), courses.session(module, days=20)
    person = make.user()
    client.post(f"/api/v1/sessions/{first.id}/enrolments", headers=make.bearer(person), json={})
    auth = make.bearer(module.trainers[0])
    response = client.post(f"/api/v1/sessions/{first.id}/enrolments/{person.id}/move", headers=auth,
                           json={"session_id": second.id})
    assert response.status_code == 201 and response.get_json()["session_id"] == second.id
    other = courses.session(courses.module(title="Another module"))
    wrong = client.post(f"/api/v1/sessions/{second.id}/enrolments/{person.id}/move", headers=auth,
                        json={"session_id": other.id})
    assert wrong.status_code == 403  # not a trainer of the other module's session
