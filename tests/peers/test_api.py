"""The Peers part of docs/api.md through the JSON API: profiles, suggestions, exchanges, reports, rounds."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.models import OutboxMessage
from app.core.timeutil import iso_z, utcnow
from app.peers.models import Exchange, GoodPractice


def test_profile_and_suggestions_best_first_with_reasons(client, make, peers):
    me = make.user(country="BE")
    auth = make.bearer(me)
    response = client.put("/api/v1/peers/profile", headers=auth, json={
        "offers": ["public-lighting"], "needs": ["financing", "monitoring"], "languages": ["en", "nl"],
        "bio": "Province energy desk", "available": True})
    assert response.status_code == 200, response.json
    assert response.json["offers"] == ["public-lighting"] and response.json["available"] is True
    best = peers.person("GR", offers=["financing", "monitoring"], needs=["public-lighting"], name="Best")
    good = peers.person("IT", offers=["financing"], needs=[], name="Good")
    peers.person("BE", offers=["financing"], needs=["public-lighting"], name="Same country")
    peers.person("PL", offers=["financing"], languages=["pl"], name="No shared language")
    peers.person("ES", offers=["financing"], available=False, name="Unavailable")
    met = peers.person("HR", offers=["financing"], name="Met before")
    peers.exchange(me, met, status="declined")
    response = client.get("/api/v1/peers/suggestions", headers=auth)
    assert response.status_code == 200
    items = response.json["items"]
    assert [i["name"] for i in items] == ["Best", "Good"]
    assert items[0] == {**items[0], "user_id": best.id, "country": "GR", "score": 3 * 2 + 3 * 1}
    assert "Offers Financing and funding, which you need" in items[0]["reasons"]
    assert "Needs Public lighting, which you offer" in items[0]["reasons"]
    assert items[1]["user_id"] == good.id and items[1]["score"] == 3
    assert [i["name"] for i in client.get("/api/v1/peers/suggestions?country=IT", headers=auth).json["items"]] == [
        "Good"]
    assert client.get("/api/v1/peers/suggestions?topic=monitoring", headers=auth).json["total"] == 1
    assert client.get("/api/v1/peers/suggestions?language=el", headers=auth).json["total"] == 0


def test_profile_rejects_unknown_codes(client, make):
    auth = make.bearer(make.user())
    response = client.put("/api/v1/peers/profile", headers=auth, json={"offers": ["magic"], "languages": ["en"]})
    assert response.status_code == 422
    assert "offers" in response.json["error"]["fields"]
    assert client.put("/api/v1/peers/profile", headers=auth, json={"offers": []}).status_code == 422


def test_exchange_life_cycle_and_state_rules(client, make, peers, db):
    a, b = peers.person("BE"), peers.person("GR", offers=["financing"], needs=["public-lighting"])
    stranger = peers.person("IT")
    ha, hb, hs = make.bearer(a), make.bearer(b), make.bearer(stranger)
    response = client.post("/api/v1/peers/exchanges", headers=ha,
                           json={"partner_id": b.id, "topic": "public-lighting", "message": "Hi"})
    assert response.status_code == 201 and response.json["status"] == "proposed"
    exchange_id = response.json["id"]
    # A second open proposal between the same two people is a conflict, in either direction.
    again = client.post("/api/v1/peers/exchanges", headers=hb, json={"partner_id": a.id, "topic": "financing"})
    assert again.status_code == 409
    # Strangers do not see it; the proposer cannot accept their own proposal.
    assert client.post(f"/api/v1/peers/exchanges/{exchange_id}/accept", headers=hs).status_code == 404
    assert client.get(f"/api/v1/peers/exchanges/{exchange_id}", headers=hs).status_code == 404
    assert client.post(f"/api/v1/peers/exchanges/{exchange_id}/accept", headers=ha).status_code == 403
    assert client.post(f"/api/v1/peers/exchanges/{exchange_id}/complete", headers=ha).status_code == 409
    assert client.post(f"/api/v1/peers/exchanges/{exchange_id}/accept", headers=hb).json["status"] == "accepted"
    assert client.post(f"/api/v1/peers/exchanges/{exchange_id}/accept", headers=hb).status_code == 409
    assert client.post(f"/api/v1/peers/exchanges/{exchange_id}/decline", headers=hb).status_code == 409
    first = client.post(f"/api/v1/peers/exchanges/{exchange_id}/complete", headers=ha)
    assert first.status_code == 200 and first.json["status"] == "accepted"
    assert first.json["actions"] == ["cancel"]
    done = client.post(f"/api/v1/peers/exchanges/{exchange_id}/complete", headers=hb)
    assert done.json["status"] == "completed" and done.json["completed_at"].endswith("Z")
    assert client.post(f"/api/v1/peers/exchanges/{exchange_id}/cancel", headers=ha).status_code == 409
    mine = client.get("/api/v1/me/exchanges", headers=ha).json
    assert mine["total"] == 1 and mine["items"][0]["partner"]["id"] == b.id
    kinds = db.session.scalars(select(OutboxMessage.to_email).order_by(OutboxMessage.id)).all()
    assert kinds == [b.email, a.email, b.email, a.email, b.email]  # proposed, accepted, confirm, completed ×2


def test_same_country_and_self_exchanges_are_422(client, make, peers):
    a, same = peers.person("BE"), peers.person("BE")
    auth = make.bearer(a)
    response = client.post("/api/v1/peers/exchanges", headers=auth, json={"partner_id": same.id, "topic": "financing"})
    assert response.status_code == 422 and response.json["error"]["code"] == "same_country"
    response = client.post("/api/v1/peers/exchanges", headers=auth, json={"partner_id": a.id, "topic": "financing"})
    assert response.status_code == 422
    other = peers.person("GR")
    bad_topic = client.post("/api/v1/peers/exchanges", headers=auth, json={"partner_id": other.id, "topic": "x"})
    assert bad_topic.status_code == 422
    assert client.post("/api/v1/peers/exchanges", headers=auth,
                       json={"partner_id": 99999, "topic": "financing"}).status_code == 404


def test_decline_and_cancel(client, make, peers):
    a, b = peers.person("BE"), peers.person("GR")
    declined = peers.exchange(a, b)
    assert client.post(f"/api/v1/peers/exchanges/{declined.id}/decline", headers=make.bearer(b)).json[
        "status"] == "declined"
    c = peers.person("IT")
    open_ = peers.exchange(a, c)
    assert client.post(f"/api/v1/peers/exchanges/{open_.id}/cancel", headers=make.bearer(c)).json[
        "status"] == "cancelled"


def test_messages_meetings_ics_and_feed(client, make, peers, db):
    a, b = peers.person("BE"), peers.person("GR")
    exchange = peers.exchange(a, b, status="proposed")
    ha, hb = make.bearer(a), make.bearer(b)
    starts = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    meeting = {"kind": "online", "starts_at": iso_z(starts), "ends_at": iso_z(starts + timedelta(hours=1)),
               "timezone": "Europe/Athens", "online_url": "https://meet.example.org/x"}
    assert client.post(f"/api/v1/peers/exchanges/{exchange.id}/meetings", headers=ha, json=meeting).status_code == 409
    client.post(f"/api/v1/peers/exchanges/{exchange.id}/accept", headers=hb)
    assert client.post(f"/api/v1/peers/exchanges/{exchange.id}/messages", headers=ha,
                       json={"body": "When shall we talk?"}).status_code == 201
    assert client.get(f"/api/v1/peers/exchanges/{exchange.id}/messages", headers=hb).json["items"][0][
        "body"] == "When shall we talk?"
    naive = dict(meeting, starts_at=starts.strftime("%Y-%m-%dT%H:%M:%S"))
    assert client.post(f"/api/v1/peers/exchanges/{exchange.id}/meetings", headers=ha, json=naive).status_code == 422
    visit = dict(meeting, kind="visit", online_url="")
    assert client.post(f"/api/v1/peers/exchanges/{exchange.id}/meetings", headers=ha, json=visit).status_code == 422
    response = client.post(f"/api/v1/peers/exchanges/{exchange.id}/meetings", headers=ha, json=meeting)
    assert response.status_code == 201 and response.json["starts_at"] == iso_z(starts)
    meeting_id = response.json["id"]
    invitations = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "peer_meeting")).all()
    assert {m.to_email for m in invitations} == {a.email, b.email}
    attachment = invitations[0].attachments[0]
    assert attachment.content_type.endswith("method=REQUEST")
    assert b"METHOD:REQUEST" in attachment.data and f"peer-meeting-{meeting_id}@".encode() in attachment.data
    # Both people's calendar feeds carry it.
    for header in (ha, hb):
        feed = client.get(client.get("/api/v1/me/calendar", headers=header).json["feed_url"])
        assert f"peer-meeting-{meeting_id}@".encode() in feed.data
    assert client.post(f"/api/v1/peers/meetings/{meeting_id}/cancel", headers=make.bearer(peers.person("IT"))
                       ).status_code == 404
    cancelled = client.post(f"/api/v1/peers/meetings/{meeting_id}/cancel", headers=hb)
    assert cancelled.json["status"] == "cancelled" and cancelled.json["sequence"] == 1
    cancels = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "cancellation")).all()
    assert len(cancels) == 2 and b"METHOD:CANCEL" in cancels[0].attachments[0].data
    feed = client.get(client.get("/api/v1/me/calendar", headers=ha).json["feed_url"])
    assert f"peer-meeting-{meeting_id}@".encode() not in feed.data


def test_report_review_publish_and_library(client, make, peers, db):
    a, b = peers.person("BE"), peers.person("GR")
    exchange = peers.exchange(a, b, status="accepted")
    ha, trainer = make.bearer(a), make.bearer(make.trainer())
    report = {"title": "LED street lighting in Limburg", "summary": "Retrofit of 12,000 points.",
              "results": "62% less electricity.", "transferability": "Needs an ESCO tender."}
    response = client.post(f"/api/v1/peers/exchanges/{exchange.id}/report", headers=ha, json=report)
    assert response.status_code == 201, response.json
    practice_id = response.json["id"]
    assert response.json["status"] == "submitted" and sorted(response.json["countries"]) == ["BE", "GR"]
    assert client.post(f"/api/v1/peers/exchanges/{exchange.id}/report", headers=ha, json=report).status_code == 409
    assert client.get("/api/v1/good-practices").json["total"] == 0
    assert client.get(f"/api/v1/good-practices/{practice_id}").status_code == 404
    assert client.post(f"/api/v1/good-practices/{practice_id}/publish", headers=ha).status_code == 403
    changes = client.post(f"/api/v1/good-practices/{practice_id}/request-changes", headers=trainer,
                          json={"note": "Add the investment."})
    assert changes.json["status"] == "changes_requested"
    again = client.post(f"/api/v1/peers/exchanges/{exchange.id}/report", headers=ha,
                        json=dict(report, results="62% less electricity; 1.2 M EUR."))
    assert again.status_code == 201 and again.json["id"] == practice_id and again.json["status"] == "submitted"
    published = client.post(f"/api/v1/good-practices/{practice_id}/publish", headers=trainer)
    assert published.status_code == 200 and published.json["status"] == "published"
    library = client.get("/api/v1/good-practices?q=street+lighting&topic=public-lighting&country=GR").json
    assert library["total"] == 1 and library["items"][0]["published_at"].endswith("Z")
    assert client.get("/api/v1/good-practices?country=IT").json["total"] == 0
    assert client.get("/api/v1/good-practices?q=heating").json["total"] == 0
    assert db.session.get(GoodPractice, practice_id).status == "published"


def test_pairing_round_api_preview_then_confirm(client, make, peers, db):
    admin = make.admin()
    people = [peers.person("BE", offers=["financing"], needs=["transport"]),
              peers.person("GR", offers=["transport"], needs=["financing"]),
              peers.person("IT", offers=["transport"], needs=["monitoring"]),
              peers.person("PL", offers=["monitoring"], needs=["transport"]),
              peers.person("ES", offers=["adaptation"], needs=["energy-poverty"])]
    assert client.post("/api/v1/peers/rounds", headers=make.bearer(people[0]), json={}).status_code == 403
    response = client.post("/api/v1/peers/rounds", headers=make.bearer(admin), json={})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["total_score"] == 12 and body["status"] == "preview"
    assert {frozenset((p["a"], p["b"])) for p in body["pairs"]} == {
        frozenset((people[0].id, people[1].id)), frozenset((people[2].id, people[3].id))}
    assert body["unmatched"] == [people[4].id]
    assert db.session.scalar(select(Exchange.id)) is None
    confirmed = client.post(f"/api/v1/peers/rounds/{body['id']}/confirm", headers=make.bearer(admin))
    assert confirmed.status_code == 200 and all(p["exchange_id"] for p in confirmed.json["pairs"])
    assert client.post(f"/api/v1/peers/rounds/{body['id']}/confirm", headers=make.bearer(admin)).status_code == 409
    # In a round both people were invited: either may accept.
    exchange_id = confirmed.json["pairs"][0]["exchange_id"]
    exchange = db.session.get(Exchange, exchange_id)
    assert client.post(f"/api/v1/peers/exchanges/{exchange_id}/accept",
                       headers=make.bearer(exchange.proposer)).json["status"] == "accepted"
    # A second round does not pair the same people again.
    again = client.post("/api/v1/peers/rounds", headers=make.bearer(admin), json={"topic": "transport"}).json
    first = {frozenset((p["a"], p["b"])) for p in body["pairs"]}
    assert again["pairs"] and not first & {frozenset((p["a"], p["b"])) for p in again["pairs"]}


@pytest.mark.parametrize("path", ["/api/v1/peers/suggestions", "/api/v1/me/exchanges"])
def test_private_endpoints_need_a_token(client, path):
    assert client.get(path).status_code == 401
